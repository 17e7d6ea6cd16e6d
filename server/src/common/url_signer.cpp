#include "kino/common/url_signer.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <charconv>
#include <fstream>

namespace kino::common {

Result<UrlSigner> UrlSigner::loadOrCreate(const std::filesystem::path& file, Random& random) {
  std::array<std::uint8_t, 32> key{};
  std::ifstream in(file, std::ios::binary);
  if (in) {
    in.read(reinterpret_cast<char*>(key.data()), key.size());
    if (in.gcount() == static_cast<std::streamsize>(key.size())) return UrlSigner(key);
  }
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  random.fill(key);
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(key.data()), key.size());
    if (!out) return Error::internal("cannot write " + file.string());
  }
  chmod(file.c_str(), 0600);
  return UrlSigner(key);
}

std::string UrlSigner::mac(std::string_view subject, std::int64_t expires) const {
  const std::string message = std::string(subject) + "|" + std::to_string(expires);
  std::array<std::uint8_t, crypto_auth_hmacsha256_BYTES> out{};
  crypto_auth_hmacsha256(out.data(), reinterpret_cast<const unsigned char*>(message.data()),
                         message.size(), key_.data());
  return base64UrlEncode(out);
}

std::string UrlSigner::token(std::string_view subject, TimePoint expires) const {
  const std::int64_t exp = toUnixMillis(expires) / 1000;
  return std::to_string(exp) + "." + mac(subject, exp);
}

bool UrlSigner::valid(std::string_view subject, std::string_view token, TimePoint now) const {
  const auto dot = token.find('.');
  if (dot == std::string_view::npos) return false;
  std::int64_t exp = 0;
  auto [p, ec] = std::from_chars(token.data(), token.data() + dot, exp);
  if (ec != std::errc() || p != token.data() + dot) return false;
  if (exp * 1000 <= toUnixMillis(now)) return false;
  const std::string expected = mac(subject, exp);
  const std::string_view given = token.substr(dot + 1);
  if (given.size() != expected.size()) return false;
  return sodium_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

}  // namespace kino::common
