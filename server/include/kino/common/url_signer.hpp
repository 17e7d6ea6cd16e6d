#pragma once
// Signed, expiring capabilities for URLs (media of private rooms): "<expiry unix s>.<HMAC>" over a
// subject. HMAC-SHA-256 with a per-deployment random key; compared in constant time. Thread-safe.

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "kino/common/clock.hpp"
#include "kino/common/random.hpp"
#include "kino/common/result.hpp"

namespace kino::common {

class UrlSigner {
 public:
  explicit UrlSigner(std::array<std::uint8_t, 32> key) : key_(key) {}
  // Reads the key from `file`, creating it (mode 0600, random) when missing.
  static Result<UrlSigner> loadOrCreate(const std::filesystem::path& file, Random& random);

  std::string token(std::string_view subject, TimePoint expires) const;
  // True when `token` was made for `subject` by this key and has not expired at `now`.
  bool valid(std::string_view subject, std::string_view token, TimePoint now) const;

 private:
  std::string mac(std::string_view subject, std::int64_t expires) const;
  std::array<std::uint8_t, 32> key_;
};

}  // namespace kino::common
