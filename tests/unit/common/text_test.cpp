#include "kino/common/text.hpp"

#include <gtest/gtest.h>

namespace kino::common {
namespace {

TEST(TextTest, LengthIsInCodePoints) {
  EXPECT_TRUE(validateText("ж", "f", "F", {1, 1, false}).ok());
  EXPECT_FALSE(validateText("жж", "f", "F", {1, 1, false}).ok());
}

TEST(TextTest, MultilineAllowsNewlinesButNeverOtherControls) {
  EXPECT_TRUE(validateText("a\nb", "f", "F", {1, 10, true}).ok());
  EXPECT_FALSE(validateText("a\nb", "f", "F", {1, 10, false}).ok());
  EXPECT_FALSE(validateText("a\x07", "f", "F", {1, 10, true}).ok());
}

TEST(TextTest, BlankAndEmptyFollowTheMinimum) {
  EXPECT_FALSE(validateText(" \n ", "f", "F", {1, 10, true}).ok());
  EXPECT_TRUE(validateText("", "f", "F", {0, 10, true}).ok());
  auto e = validateText("", "title", "Title", {1, 10, false});
  EXPECT_EQ(e.error().field, "title");
  EXPECT_EQ(e.error().message, "Title must be 1–10 characters long.");
}

// Names others see: nothing invisible and nothing that turns the text around.
TEST(TextTest, NamesRefuseBidiControlsAndInvisibleCharacters) {
  const TextRule name{1, 64, false, true};
  for (const char* bad : {
           "Anna\u202Egnp.exe",   // right-to-left override
           "\u202Aembedded",      // left-to-right embedding
           "iso\u2066late\u2069",  // isolates
           "mark\u200F",          // right-to-left mark
           "zero\u200Bwidth",     // zero-width space
           "\u2060joined",        // word joiner
           "\uFEFFbom",           // byte-order mark
           "soft\u00ADhyphen",
           "\u3164",              // Hangul filler: an "empty" name
           "tag\U000E0041",       // tag characters
           "\u200Dedge",          // a joiner at the start
           "end\u200C",           // or at the end
           "a \u200D b",          // or next to a space
       }) {
    auto r = validateText(bad, "display_name", "Name", name);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().field, "display_name");
    EXPECT_NE(r.error().message.find("invisible or text-direction"), std::string::npos) << bad;
  }
}

TEST(TextTest, NamesKeepWhatRealNamesUse) {
  const TextRule name{1, 64, false, true};
  for (const char* good : {
           "Анна", "محمد", "שרה", "李雷",
           "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645",  // Persian with a ZWNJ inside a word
           "\U0001F469\u200D\U0001F4BB dev",                        // woman technologist (ZWJ)
           "\u2764\uFE0F fan",                                       // emoji variation selector
       }) {
    EXPECT_TRUE(validateText(good, "display_name", "Name", name).ok()) << good;
  }
  // Chat is not a name: a message may still carry a mark (the rule is for names only).
  EXPECT_TRUE(validateText("ok \u200F", "text", "Message", {1, 100, true}).ok());
}

}  // namespace
}  // namespace kino::common
