#include "kino/http/static_site.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace kino::http {
namespace {

namespace fs = std::filesystem;

class StaticSiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("kino-static-" + std::to_string(::getpid()));
    fs::create_directories(base_ / "web" / "assets");
    write(base_ / "web" / "index.html", "<html>app</html>");
    write(base_ / "web" / "assets" / "app-1234.js", "console.log(1)");
    write(base_ / "secret.txt", "root:x:0:0");
    fs::create_symlink(base_ / "secret.txt", base_ / "web" / "link.txt");
  }
  void TearDown() override { fs::remove_all(base_); }
  static void write(const fs::path& p, std::string_view text) { std::ofstream(p) << text; }
  Response get(const StaticSite& site, std::string path) {
    Request r;
    r.method = "GET";
    r.path = std::move(path);
    return site.serve(r);
  }
  fs::path base_;
};

TEST_F(StaticSiteTest, ServesFilesWithTypesAndCacheHeaders) {
  StaticSite site(base_ / "web");
  auto js = get(site, "/assets/app-1234.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "console.log(1)");
  EXPECT_EQ(js.headers.get("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js.headers.get("Cache-Control"), "public, max-age=31536000, immutable");
  auto index = get(site, "/");
  EXPECT_EQ(index.body, "<html>app</html>");
  EXPECT_EQ(index.headers.get("Cache-Control"), "no-cache");
}

TEST_F(StaticSiteTest, UnknownRoutesFallBackToTheApp) {
  StaticSite site(base_ / "web");
  EXPECT_EQ(get(site, "/r/abc").body, "<html>app</html>");
  EXPECT_EQ(get(site, "/assets/missing.js").status, 404);
}

TEST_F(StaticSiteTest, TraversalNeverLeavesTheRoot) {
  StaticSite site(base_ / "web");
  for (std::string p : {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt",
                        "/link.txt", "/assets/%2e%2e/%2e%2e/secret.txt", "/..\\secret.txt"}) {
    auto r = get(site, p);
    EXPECT_EQ(r.body.find("root:"), std::string::npos) << p;
  }
}

TEST_F(StaticSiteTest, EtagGivesNotModified) {
  StaticSite site(base_ / "web");
  auto first = get(site, "/assets/app-1234.js");
  Request r;
  r.method = "GET";
  r.path = "/assets/app-1234.js";
  r.headers.add("If-None-Match", std::string(*first.headers.get("ETag")));
  auto second = site.serve(r);
  EXPECT_EQ(second.status, 304);
  EXPECT_TRUE(second.body.empty());
}

TEST_F(StaticSiteTest, MissingBundleGivesThePlainErrorPage) {
  StaticSite site(base_ / "nope");
  auto r = get(site, "/");
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("could not be loaded"), std::string::npos);
}

TEST_F(StaticSiteTest, AppPagesSetTheStatusTitleAndHeadTagsOfTheHistoryFallback) {
  write(base_ / "web" / "index.html", "<html><head><title>Kino</title></head><body>app</body></html>");
  StaticSite site(base_ / "web", [](const Request& r) {
    if (r.path == "/nowhere") return AppPage{404, "", "<meta name=\"robots\" content=\"noindex\" />"};
    return AppPage{200, "Film <night> & \"friends\"", "<meta property=\"og:title\" content=\"x\" />"};
  });
  auto missing = get(site, "/nowhere");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body,
            "<html><head><title>Kino</title><meta name=\"robots\" content=\"noindex\" /></head>"
            "<body>app</body></html>");
  auto room = get(site, "/r/abc");
  EXPECT_EQ(room.status, 200);
  EXPECT_NE(room.body.find("<title>Film &lt;night&gt; &amp; &quot;friends&quot;</title>"),
            std::string::npos);
  EXPECT_NE(room.body.find("<meta property=\"og:title\" content=\"x\" /></head>"), std::string::npos);
  EXPECT_EQ(room.headers.get("Cache-Control"), "private, no-cache");  // per visitor: no shared cache
  EXPECT_FALSE(room.headers.has("ETag"));
  // Files are not app pages.
  EXPECT_EQ(get(site, "/assets/app-1234.js").status, 200);
  EXPECT_EQ(get(site, "/assets/missing.js").status, 404);
}

TEST(EscapeHtmlTest, EscapesWhatCouldEndTextOrAnAttribute) {
  EXPECT_EQ(escapeHtml("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
  EXPECT_EQ(escapeHtml("Фильм"), "Фильм");
}

}  // namespace
}  // namespace kino::http
