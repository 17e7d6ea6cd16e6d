#include "kino/accounts/validation.hpp"

#include <string>

namespace kino::accounts {
namespace {

Error invalid(std::string field, std::string message) {
  return Error::make(ErrorKind::kInvalid, "invalid_field", std::move(message), std::move(field));
}

// Decodes one code point at `i`, advancing it; -1 on invalid UTF-8 (overlongs, surrogates, > U+10FFFF).
long decode(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  int extra = 0;
  long cp = 0;
  if (b0 < 0x80) { ++i; return b0; }
  if ((b0 & 0xE0) == 0xC0) { extra = 1; cp = b0 & 0x1F; }
  else if ((b0 & 0xF0) == 0xE0) { extra = 2; cp = b0 & 0x0F; }
  else if ((b0 & 0xF8) == 0xF0) { extra = 3; cp = b0 & 0x07; }
  else return -1;
  if (i + static_cast<std::size_t>(extra) >= s.size()) return -1;
  for (int k = 1; k <= extra; ++k) {
    const auto b = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
    if ((b & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr long kMin[] = {0, 0x80, 0x800, 0x10000};
  if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  i += static_cast<std::size_t>(extra) + 1;
  return cp;
}

}  // namespace

long utf8Length(std::string_view text) {
  long n = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (decode(text, i) < 0) return -1;
    ++n;
  }
  return n;
}

Result<void> validateUsername(std::string_view u) {
  if (u.size() < kUsernameMin || u.size() > kUsernameMax) {
    return invalid("username", "Username must be 3–32 characters long.");
  }
  for (char c : u) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return invalid("username", "Username may use only letters, digits, _ . and -.");
  }
  return success();
}

Result<void> validatePassword(std::string_view p) {
  const long n = utf8Length(p);
  if (n < 0) return invalid("password", "Password is not valid text.");
  if (n < static_cast<long>(kPasswordMin)) {
    return invalid("password", "Password must be at least 8 characters long.");
  }
  if (n > static_cast<long>(kPasswordMax)) {
    return invalid("password", "Password must be at most 128 characters long.");
  }
  return success();
}

Result<void> validateDisplayName(std::string_view name) {
  const long n = utf8Length(name);
  if (n < 0) return invalid("display_name", "Display name is not valid text.");
  if (n < 1 || n > static_cast<long>(kDisplayNameMax)) {
    return invalid("display_name", "Display name must be 1–64 characters long.");
  }
  bool only_spaces = true;
  for (std::size_t i = 0; i < name.size();) {
    const long cp = decode(name, i);
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0x2028 || cp == 0x2029) {
      return invalid("display_name", "Display name may not contain control characters.");
    }
    if (cp != ' ') only_spaces = false;
  }
  if (only_spaces) return invalid("display_name", "Display name may not be blank.");
  return success();
}

}  // namespace kino::accounts
