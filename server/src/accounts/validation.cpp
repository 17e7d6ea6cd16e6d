#include "kino/accounts/validation.hpp"

#include "kino/common/text.hpp"

namespace kino::accounts {

long utf8Length(std::string_view text) { return common::utf8Length(text); }

Result<void> validateUsername(std::string_view u) {
  auto invalid = [](std::string message) {
    return Error::make(ErrorKind::kInvalid, "invalid_field", std::move(message), "username");
  };
  if (u.size() < kUsernameMin || u.size() > kUsernameMax) {
    return invalid("Username must be 3–32 characters long.");
  }
  for (char c : u) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return invalid("Username may use only letters, digits, _ . and -.");
  }
  return success();
}

Result<void> validatePassword(std::string_view p) {
  auto invalid = [](std::string message) {
    return Error::make(ErrorKind::kInvalid, "invalid_field", std::move(message), "password");
  };
  const long n = common::utf8Length(p);
  if (n < 0) return invalid("Password is not valid text.");
  if (n < static_cast<long>(kPasswordMin)) return invalid("Password must be at least 8 characters long.");
  if (n > static_cast<long>(kPasswordMax)) return invalid("Password must be at most 128 characters long.");
  return success();
}

Result<void> validateDisplayName(std::string_view name) {
  return common::validateText(name, "display_name", "Display name",
                            {1, kDisplayNameMax, false, /*visible_only=*/true});
}

}  // namespace kino::accounts
