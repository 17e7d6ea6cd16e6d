#include "kino/common/random.hpp"

#include <sodium.h>

#include <cstdlib>
#include <vector>

namespace kino::common {

SecureRandom::SecureRandom() {
  if (sodium_init() < 0) std::abort();  // no CSPRNG: refusing to run is the only safe choice
}

void SecureRandom::fill(std::span<std::uint8_t> out) { randombytes_buf(out.data(), out.size()); }

std::string base64UrlEncode(std::span<const std::uint8_t> data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((data.size() * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) |
                            std::uint32_t{data[i + 2]};
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const std::size_t rest = data.size() - i;
  if (rest > 0) {
    std::uint32_t v = std::uint32_t{data[i]} << 16;
    if (rest == 2) v |= std::uint32_t{data[i + 1]} << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    if (rest == 2) out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::string hexEncode(std::span<const std::uint8_t> data) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (std::uint8_t b : data) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::string randomToken(Random& random, std::size_t bytes) {
  std::vector<std::uint8_t> buf(bytes);
  random.fill(buf);
  return base64UrlEncode(buf);
}

std::string randomString(Random& random, std::string_view alphabet, std::size_t length) {
  if (alphabet.empty() || alphabet.size() > 255) std::abort();
  // Rejection sampling: accept bytes below the largest multiple of the alphabet size.
  const unsigned n = static_cast<unsigned>(alphabet.size());
  const unsigned limit = 256 - (256 % n);
  std::string out;
  out.reserve(length);
  std::uint8_t buf[64];
  while (out.size() < length) {
    random.fill(buf);
    for (std::uint8_t b : buf) {
      if (b >= limit) continue;
      out += alphabet[b % n];
      if (out.size() == length) break;
    }
  }
  return out;
}

}  // namespace kino::common
