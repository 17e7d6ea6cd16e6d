#include "kino/common/text.hpp"

namespace kino::common {
namespace {

// Decodes one code point at `i`, advancing it; -1 on invalid UTF-8.
long decode(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  int extra = 0;
  long cp = 0;
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  if ((b0 & 0xE0) == 0xC0) {
    extra = 1;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    extra = 2;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    extra = 3;
    cp = b0 & 0x07;
  } else {
    return -1;
  }
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

bool isControl(long cp, bool multiline) {
  if (multiline && (cp == '\n' || cp == '\r')) return false;
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0x2028 || cp == 0x2029;
}

bool isSpace(long cp) { return cp == ' ' || cp == '\n' || cp == '\r' || cp == 0xA0 || cp == 0x3000; }

}  // namespace

long utf8Length(std::string_view text) {
  long n = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (decode(text, i) < 0) return -1;
    ++n;
  }
  return n;
}

Result<void> validateText(std::string_view text, std::string field, std::string_view label,
                          TextRule rule) {
  auto invalid = [&](std::string message) {
    return Error::make(ErrorKind::kInvalid, "invalid_field", std::move(message), field);
  };
  const long n = utf8Length(text);
  if (n < 0) return invalid(std::string(label) + " is not valid text.");
  if (n < static_cast<long>(rule.min) || n > static_cast<long>(rule.max)) {
    return invalid(std::string(label) + " must be " + std::to_string(rule.min) + "–" +
                   std::to_string(rule.max) + " characters long.");
  }
  bool blank = true;
  for (std::size_t i = 0; i < text.size();) {
    const long cp = decode(text, i);
    if (isControl(cp, rule.multiline)) {
      return invalid(std::string(label) + " may not contain control characters.");
    }
    if (!isSpace(cp)) blank = false;
  }
  if (blank && rule.min > 0) return invalid(std::string(label) + " may not be blank.");
  return success();
}

}  // namespace kino::common
