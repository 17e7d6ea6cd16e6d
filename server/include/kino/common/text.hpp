#pragma once
// Checks for text people type (titles, names, messages): valid UTF-8, length in code points, no
// control characters, and for names no invisible or direction-changing characters. Failures are
// kInvalid "invalid_field" naming `field`.

#include <string>
#include <string_view>

#include "kino/common/result.hpp"

namespace kino::common {

// Number of code points in valid UTF-8, or -1 when `text` is not valid UTF-8 (overlongs,
// surrogates and values above U+10FFFF are invalid).
long utf8Length(std::string_view text);

struct TextRule {
  std::size_t min = 1;  // code points; min 1 also refuses text that is only white space
  std::size_t max = 64;
  bool multiline = false;  // allow \n (and \r\n)
  // Names and titles that others see: refuse characters that are invisible or change the text's
  // direction (bidi overrides, embeddings, isolates and marks; zero-width spaces, joiners outside
  // a word, fillers, tags), which make one name pass for another or scramble what follows it.
  bool visible_only = false;
};

// `label` is the human name used in the message ("Title must be 1–120 characters long.").
Result<void> validateText(std::string_view text, std::string field, std::string_view label,
                          TextRule rule);

}  // namespace kino::common
