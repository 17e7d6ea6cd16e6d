#include "kino/http/cookies.hpp"

#include <gtest/gtest.h>

namespace kino::http {
namespace {

TEST(CookiesTest, FindsTheNamedCookie) {
  EXPECT_EQ(cookieValue("a=1; kino_session=abc; b=2", "kino_session"), "abc");
  EXPECT_EQ(cookieValue("kino_session=\"q\"", "kino_session"), "q");
  EXPECT_EQ(cookieValue("xkino_session=1", "kino_session"), std::nullopt);
  EXPECT_EQ(cookieValue("", "kino_session"), std::nullopt);
}

TEST(CookiesTest, SetCookieCarriesTheSecurityAttributes) {
  auto h = setCookieHeader("kino_session", "tok", {.max_age = std::chrono::seconds(60)});
  EXPECT_EQ(h, "kino_session=tok; Path=/; Max-Age=60; HttpOnly; SameSite=Lax");
  auto s = setCookieHeader("kino_session", "", {.max_age = {}, .secure = true});
  EXPECT_EQ(s, "kino_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure");
}

}  // namespace
}  // namespace kino::http
