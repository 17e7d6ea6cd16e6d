#include "kino/http/router.hpp"

#include <gtest/gtest.h>

namespace kino::http {
namespace {

Handler named(std::string name) {
  return [name](const Request&, const RouteParams&) {
    Response r;
    r.body = name;
    return r;
  };
}

std::string call(const Router::Match& m) { return (*m.handler)(Request{}, m.params).body; }

TEST(RouterTest, MatchesLiteralAndCapturedSegments) {
  Router router;
  router.add("GET", "/api/v1/me", named("me"));
  router.add("GET", "/api/v1/rooms/{slug}/messages", named("messages"));
  auto m = router.match("GET", "/api/v1/rooms/ab%20c/messages");
  ASSERT_EQ(m.outcome, Router::Outcome::kFound);
  EXPECT_EQ(call(m), "messages");
  EXPECT_EQ(m.params.get("slug"), "ab c");
  EXPECT_EQ(call(router.match("GET", "/api/v1/me")), "me");
}

TEST(RouterTest, DistinguishesNotFoundFromMethodNotAllowed) {
  Router router;
  router.add("POST", "/api/v1/auth/login", named("login"));
  router.add("DELETE", "/api/v1/auth/login", named("x"));
  EXPECT_EQ(router.match("GET", "/api/v1/nope").outcome, Router::Outcome::kNotFound);
  auto m = router.match("GET", "/api/v1/auth/login");
  ASSERT_EQ(m.outcome, Router::Outcome::kMethodNotAllowed);
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"POST", "DELETE"}));
}

TEST(RouterTest, TrailingSlashAndExtraSegmentsDoNotMatch) {
  Router router;
  router.add("GET", "/api/v1/me", named("me"));
  EXPECT_EQ(router.match("GET", "/api/v1/me/").outcome, Router::Outcome::kNotFound);
  EXPECT_EQ(router.match("GET", "/api/v1/me/x").outcome, Router::Outcome::kNotFound);
  EXPECT_EQ(router.match("GET", "/api/v1").outcome, Router::Outcome::kNotFound);
}

TEST(RouterTest, CapturesRejectEmptyAndMalformedEscapes) {
  Router router;
  router.add("GET", "/r/{slug}", named("room"));
  EXPECT_EQ(router.match("GET", "/r/").outcome, Router::Outcome::kNotFound);
  EXPECT_EQ(router.match("GET", "/r/%zz").outcome, Router::Outcome::kNotFound);
  EXPECT_EQ(router.match("GET", "/r/%00").outcome, Router::Outcome::kNotFound);
}

TEST(RouterTest, RoutesListsEveryMethodAndPatternInTheOrderAdded) {
  Router router;
  EXPECT_TRUE(router.routes().empty());
  router.add("POST", "/api/v1/rooms", named("create"));
  router.add("GET", "/api/v1/rooms/{slug}", named("get"));
  router.add("GET", "/api/v1/rooms", named("list"));
  router.add("PATCH", "/api/v1/rooms/{slug}", named("edit"));
  EXPECT_EQ(router.routes(), (std::vector<Router::RouteInfo>{{"POST", "/api/v1/rooms"},
                                                             {"GET", "/api/v1/rooms/{slug}"},
                                                             {"GET", "/api/v1/rooms"},
                                                             {"PATCH", "/api/v1/rooms/{slug}"}}));
}

TEST(QueryParamTest, DecodesValues) {
  EXPECT_EQ(queryParam("a=1&b=x+y%21", "b"), "x y!");
  EXPECT_EQ(queryParam("a=1&b", "b"), "");
  EXPECT_EQ(queryParam("a=1", "c"), std::nullopt);
}

}  // namespace
}  // namespace kino::http
