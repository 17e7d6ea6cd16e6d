#pragma once
// Rules for what people type when they make an account. Failures are kInvalid with `field` set.

#include <string_view>

#include "kino/common/result.hpp"

namespace kino::accounts {

inline constexpr std::size_t kUsernameMin = 3, kUsernameMax = 32;
inline constexpr std::size_t kPasswordMin = 8, kPasswordMax = 128;  // counted in code points
inline constexpr std::size_t kDisplayNameMax = 64;                  // counted in code points

// 3–32 characters from A–Z a–z 0–9 _ . -
Result<void> validateUsername(std::string_view username);
// 8–128 code points of valid UTF-8.
Result<void> validatePassword(std::string_view password);
// 1–64 code points of valid UTF-8 without control characters, not only spaces.
Result<void> validateDisplayName(std::string_view name);

// Number of code points in valid UTF-8, or -1 when `text` is not valid UTF-8.
long utf8Length(std::string_view text);

}  // namespace kino::accounts
