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

// Bidi controls and invisible characters that have no business in a name.
bool isHidden(long cp) {
  return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200B || (cp >= 0x2060 && cp <= 0x2064) ||
         cp == 0xFEFF || cp == 0x180E || cp == 0x00AD || cp == 0x034F || cp == 0x115F ||
         cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0 || cp == 0x17B4 || cp == 0x17B5 ||
         (cp >= 0xE0000 && cp <= 0xE007F);
}

// Zero-width (non-)joiners shape Persian words and emoji sequences: allowed between two visible
// characters only.
bool isJoiner(long cp) { return cp == 0x200C || cp == 0x200D; }

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
  long previous = ' ';  // the start counts as a space for the joiner rule
  for (std::size_t i = 0; i < text.size();) {
    const long cp = decode(text, i);
    if (isControl(cp, rule.multiline)) {
      return invalid(std::string(label) + " may not contain control characters.");
    }
    if (rule.visible_only) {
      std::size_t peek = i;
      const long next = i < text.size() ? decode(text, peek) : ' ';
      const bool stray_joiner =
          isJoiner(cp) && (isSpace(previous) || isJoiner(previous) || isSpace(next) ||
                           isJoiner(next) || isHidden(next));
      if (isHidden(cp) || stray_joiner) {
        return invalid(std::string(label) +
                       " may not contain invisible or text-direction characters. Type it again "
                       "without them.");
      }
    }
    if (!isSpace(cp) && !isJoiner(cp)) blank = false;
    previous = cp;
  }
  if (blank && rule.min > 0) return invalid(std::string(label) + " may not be blank.");
  return success();
}

}  // namespace kino::common
