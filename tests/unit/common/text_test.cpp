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

}  // namespace
}  // namespace kino::common
