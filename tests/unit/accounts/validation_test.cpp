#include "kino/accounts/validation.hpp"

#include <gtest/gtest.h>

namespace kino::accounts {
namespace {

TEST(ValidationTest, Usernames) {
  struct Case { std::string name; bool ok; } cases[] = {
      {"ann", true}, {"Anna_K.1-2", true}, {std::string(32, 'a'), true},
      {"an", false}, {std::string(33, 'a'), false}, {"anna k", false}, {"анна", false},
      {"a<b>", false}, {"", false},
  };
  for (const auto& c : cases) {
    auto r = validateUsername(c.name);
    EXPECT_EQ(r.ok(), c.ok) << c.name;
    if (!r.ok()) {
      EXPECT_EQ(r.error().field, "username");
    }
  }
}

TEST(ValidationTest, PasswordsCountCharactersNotBytes) {
  EXPECT_TRUE(validatePassword("12345678").ok());
  EXPECT_FALSE(validatePassword("1234567").ok());
  EXPECT_TRUE(validatePassword("пароль12").ok());  // 8 characters, 14 bytes
  EXPECT_FALSE(validatePassword("пароль1").ok());
  EXPECT_TRUE(validatePassword(std::string(128, 'x')).ok());
  EXPECT_FALSE(validatePassword(std::string(129, 'x')).ok());
  EXPECT_FALSE(validatePassword("12345678\xff").ok());
  EXPECT_EQ(validatePassword("1").error().field, "password");
}

TEST(ValidationTest, DisplayNames) {
  EXPECT_TRUE(validateDisplayName("Анна Каренина").ok());
  EXPECT_TRUE(validateDisplayName("😀").ok());
  EXPECT_FALSE(validateDisplayName("").ok());
  EXPECT_FALSE(validateDisplayName("   ").ok());
  EXPECT_FALSE(validateDisplayName("a\nb").ok());
  EXPECT_FALSE(validateDisplayName(std::string(65, 'x')).ok());
  EXPECT_FALSE(validateDisplayName("\xc0\xaf").ok());  // overlong '/'
}

TEST(ValidationTest, Utf8Length) {
  EXPECT_EQ(utf8Length("abc"), 3);
  EXPECT_EQ(utf8Length("é😀"), 2);
  EXPECT_EQ(utf8Length("\xed\xa0\x80"), -1);  // surrogate
  EXPECT_EQ(utf8Length("\xe2\x82"), -1);      // truncated
}

}  // namespace
}  // namespace kino::accounts
