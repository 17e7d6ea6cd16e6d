#include "kino/http/pipeline.hpp"

#include <gtest/gtest.h>

#include "fakes/seeded_random.hpp"

namespace kino::http {
namespace {

Request make(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.path = r.target = std::move(path);
  r.headers.add("Host", "kino.test:8080");
  return r;
}

class PipelineTest : public ::testing::Test {
 protected:
  Pipeline build() {
    Router router;
    router.add("POST", "/api/v1/echo", [](const Request& req, const RouteParams&) {
      Response r;
      r.body = req.body;
      return r;
    });
    router.add("GET", "/api/v1/boom", [](const Request&, const RouteParams&) -> Response {
      throw std::runtime_error("boom");
    });
    return Pipeline(std::move(router), nullptr, random_, {"", {"kino.test:8080"}});
  }
  testing::SeededRandom random_;
};

TEST_F(PipelineTest, StateChangingRequestWithoutCsrfHeaderIsRefused) {
  auto p = build();
  auto req = make("POST", "/api/v1/echo");
  auto res = p.handle(req);
  EXPECT_EQ(res.status, 403);
  EXPECT_NE(res.body.find("csrf_rejected"), std::string::npos);
}

TEST_F(PipelineTest, CsrfHeaderAndMatchingOriginPass) {
  auto p = build();
  auto req = make("POST", "/api/v1/echo");
  req.headers.add("X-Kino-CSRF", "1");
  req.headers.add("Origin", "http://kino.test:8080");
  req.body = "hi";
  auto res = p.handle(req);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "hi");
}

TEST_F(PipelineTest, ForeignOriginIsRefusedEvenWithTheHeader) {
  auto p = build();
  auto req = make("POST", "/api/v1/echo");
  req.headers.add("X-Kino-CSRF", "1");
  req.headers.add("Origin", "http://evil.example");
  EXPECT_EQ(p.handle(req).status, 403);
}

TEST_F(PipelineTest, UnknownApiPathIsJson404AndWrongMethodIs405) {
  auto p = build();
  auto req = make("GET", "/api/v1/nope");
  auto res = p.handle(req);
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.headers.get("Content-Type"), "application/json");
  auto get = make("GET", "/api/v1/echo");
  auto res2 = p.handle(get);
  EXPECT_EQ(res2.status, 405);
  EXPECT_EQ(res2.headers.get("Allow"), "POST");
}

TEST_F(PipelineTest, HandlerExceptionBecomesJson500) {
  auto p = build();
  auto req = make("GET", "/api/v1/boom");
  auto res = p.handle(req);
  EXPECT_EQ(res.status, 500);
  EXPECT_NE(res.body.find("internal_error"), std::string::npos);
}

TEST_F(PipelineTest, EveryResponseHasSecurityHeadersAndARequestId) {
  auto p = build();
  auto req = make("GET", "/api/v1/nope");
  req.headers.add("X-Request-Id", "abc-123");
  auto res = p.handle(req);
  EXPECT_EQ(res.headers.get("X-Request-Id"), "abc-123");
  EXPECT_NE(res.headers.get("Content-Security-Policy")->find("frame-ancestors 'none'"),
            std::string::npos);
  EXPECT_EQ(res.headers.get("X-Content-Type-Options"), "nosniff");
  auto bad = make("GET", "/api/v1/nope");
  bad.headers.add("X-Request-Id", "<script>");
  auto res2 = p.handle(bad);
  EXPECT_NE(res2.headers.get("X-Request-Id"), "<script>");
  EXPECT_FALSE(res2.headers.get("X-Request-Id")->empty());
}

TEST_F(PipelineTest, NonApiPathsWithoutABundleGetThePlainErrorPage) {
  auto p = build();
  auto req = make("GET", "/some/page");
  auto res = p.handle(req);
  EXPECT_EQ(res.status, 500);
  EXPECT_NE(res.body.find("<html"), std::string::npos);
}

}  // namespace
}  // namespace kino::http

namespace kino::http {
namespace {

TEST(EtagTest, MatchesListsWeakTagsAndStar) {
  EXPECT_TRUE(etagMatches("\"a\"", "\"a\""));
  EXPECT_TRUE(etagMatches("\"x\", \"a\"", "\"a\""));
  EXPECT_TRUE(etagMatches("W/\"a\"", "\"a\""));
  EXPECT_TRUE(etagMatches("*", "\"a\""));
  EXPECT_FALSE(etagMatches("\"b\"", "\"a\""));
  EXPECT_FALSE(etagMatches(std::nullopt, "\"a\""));
}

TEST(PipelineHeadTest, HeadIsServedByTheGetRoute) {
  testing::SeededRandom random;
  Router router;
  router.add("GET", "/media/{asset}/{file}", [](const Request&, const RouteParams&) {
    Response r;
    r.body = "data";
    return r;
  });
  Pipeline p(std::move(router), nullptr, random, {});
  Request req;
  req.method = "HEAD";
  req.path = req.target = "/media/a/b.ts";
  req.headers.add("Host", "127.0.0.1:8080");
  EXPECT_EQ(p.handle(req).status, 200);
}

// Without a configured public origin the Host header decides room links, .ics files and the
// Origin check, so only hosts that name this machine (or were allowed) are believed.
TEST(OriginPolicyTest, WithoutPublicOriginOnlyLoopbackAndAllowedHostsAreBelieved) {
  const PipelineOptions policy{"", {"192.168.1.20:8080"}};
  auto origin = [&](std::vector<std::string> hosts) {
    Request r;
    for (auto& h : hosts) r.headers.add("Host", h);
    return originFor(r, policy);
  };
  EXPECT_EQ(*origin({"127.0.0.1:8080"}), "http://127.0.0.1:8080");
  EXPECT_EQ(*origin({"localhost:5173"}), "http://localhost:5173");
  EXPECT_EQ(*origin({"127.3.4.5"}), "http://127.3.4.5");
  EXPECT_EQ(*origin({"[::1]:8080"}), "http://[::1]:8080");
  EXPECT_EQ(*origin({"192.168.1.20:8080"}), "http://192.168.1.20:8080");
  for (const char* foreign : {"evil.example", "127.0.0.1.evil.example", "localhost.evil:80",
                              "[::2]:8080", "192.168.1.20:9999", "127.0.0.1evil"}) {
    auto r = origin({foreign});
    ASSERT_FALSE(r.ok()) << foreign;
    EXPECT_EQ(r.error().code, "unknown_host") << foreign;
  }
  EXPECT_EQ(origin({}).error().code, "bad_host");
  EXPECT_EQ(origin({"127.0.0.1:8080", "evil.example"}).error().code, "bad_host");
}

TEST(OriginPolicyTest, APublicOriginIsUsedWhateverTheHostSaysButTwoHostsAreStillRefused) {
  const PipelineOptions policy{"https://kino.example", {}};
  Request r;
  r.headers.add("Host", "10.0.0.7:8080");  // a Kubernetes probe, say
  EXPECT_EQ(*originFor(r, policy), "https://kino.example");
  r.headers.add("host", "evil.example");
  EXPECT_EQ(originFor(r, policy).error().code, "bad_host");
}

TEST(OriginPolicyTest, ThePipelineAnswersAForeignHostWith400) {
  testing::SeededRandom random;
  Router router;
  router.add("GET", "/api/v1/me", [](const Request&, const RouteParams&) { return Response{}; });
  Pipeline p(std::move(router), nullptr, random, {});
  Request req;
  req.method = "GET";
  req.path = req.target = "/api/v1/me";
  req.headers.add("Host", "attacker.example");
  auto res = p.handle(req);
  EXPECT_EQ(res.status, 400);
  EXPECT_NE(res.body.find("unknown_host"), std::string::npos);
}

}  // namespace
}  // namespace kino::http
