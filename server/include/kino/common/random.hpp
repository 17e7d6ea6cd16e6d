#pragma once
// Randomness, injected: SecureRandom (libsodium's CSPRNG) in production, seeded fakes in tests.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace kino::common {

class Random {
 public:
  virtual ~Random() = default;
  // Fills `out` with random bytes. Thread-safe.
  virtual void fill(std::span<std::uint8_t> out) = 0;
};

class SecureRandom final : public Random {
 public:
  SecureRandom();  // initialises libsodium; aborts if the CSPRNG is unavailable
  void fill(std::span<std::uint8_t> out) override;
};

// `bytes` random bytes encoded as unpadded base64url (URL- and cookie-safe).
std::string randomToken(Random& random, std::size_t bytes);
// `length` characters drawn uniformly (no modulo bias) from `alphabet` (1..255 characters).
std::string randomString(Random& random, std::string_view alphabet, std::size_t length);

std::string base64UrlEncode(std::span<const std::uint8_t> data);
std::string hexEncode(std::span<const std::uint8_t> data);

}  // namespace kino::common
