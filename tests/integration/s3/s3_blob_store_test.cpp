// The S3 adapter against a real OpenStack Swift (s3api) started by the ctest fixture `swift`
// (tests/lib/swift/swiftctl up, see tests/CMakeLists.txt), which passes its env file in
// KINO_TEST_SWIFT_ENV. Skipped when there is none (Swift not installed, or the binary run by hand
// without the fixture).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "kino/storage/s3_blob_store.hpp"
#include "unit/storage/blob_store_contract.hpp"

namespace kino::storage {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr const char* kBucket = "kino-unit";  // created by the fixture

struct Swift {
  fs::path dir;  // the swiftctl directory
  std::map<std::string, std::string> env;
  bool ok() const { return !env.empty(); }
  std::string operator[](const std::string& k) const {
    auto it = env.find(k);
    return it == env.end() ? std::string() : it->second;
  }
};

const Swift& swift() {
  static const Swift s = [] {
    Swift out;
    const char* file = std::getenv("KINO_TEST_SWIFT_ENV");
    if (file == nullptr) return out;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
      const auto eq = line.find('=');
      if (eq != std::string::npos) out.env[line.substr(0, eq)] = line.substr(eq + 1);
    }
    out.dir = fs::path(file).parent_path();
    return out;
  }();
  return s;
}

S3Options optionsFor(const std::string& bucket = kBucket) {
  S3Options o;
  o.endpoint = swift()["SWIFT_S3_ENDPOINT"];
  o.bucket = bucket;
  o.region = swift()["SWIFT_S3_REGION"];
  o.access_key = swift()["SWIFT_S3_ACCESS_KEY"];
  o.secret_key = swift()["SWIFT_S3_SECRET_KEY"];
  o.backoff = milliseconds(100);
  return o;
}

// The same service addressed as <bucket>.localhost:<port> (s3api's storage_domain is "localhost";
// libcurl resolves *.localhost to loopback itself).
S3Options virtualHostedOptions() {
  S3Options o = optionsFor();
  o.endpoint = "http://localhost:" + swift()["SWIFT_PORT_proxy"];
  o.path_style = false;
  return o;
}

// The store, or nullptr (the contract test is skipped) when there is no Swift.
std::unique_ptr<BlobStore> openOrNull(S3Options o) {
  if (!swift().ok()) return nullptr;
  auto store = openS3BlobStore(std::move(o));
  EXPECT_TRUE(store.ok()) << store.error().message;
  return store ? std::move(store).value() : nullptr;
}

INSTANTIATE_TEST_SUITE_P(
    S3, BlobStoreContract,
    ::testing::Values(BlobStoreMaker{"S3PathStyle", [] { return openOrNull(optionsFor()); }},
                      BlobStoreMaker{"S3VirtualHosted",
                                     [] { return openOrNull(virtualHostedOptions()); }}),
    blobStoreMakerName);

class S3BlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!swift().ok()) GTEST_SKIP() << "no Swift: run through ctest (fixture `swift`)";
  }
};

TEST_F(S3BlobStoreTest, OpeningAMissingBucketSaysSo) {
  auto r = openS3BlobStore(optionsFor("kino-no-such-bucket"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(r.error().code, "s3_no_such_bucket");
  EXPECT_NE(r.error().message.find("kino-no-such-bucket"), std::string::npos) << r.error().message;
}

TEST_F(S3BlobStoreTest, AWrongSecretIsRefusedWithoutRepeatingIt) {
  S3Options o = optionsFor();
  o.secret_key = "not-the-secret-0123456789";
  auto r = openS3BlobStore(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "s3_access_denied");
  EXPECT_EQ(r.error().message.find("not-the-secret"), std::string::npos) << r.error().message;
}

TEST_F(S3BlobStoreTest, AnUnreachableServiceIsRetriedWithBackoffThenUnavailable) {
  S3Options o = optionsFor();
  o.endpoint = "http://127.0.0.1:1";  // nothing listens on port 1
  o.attempts = 3;
  std::vector<milliseconds> waits;
  o.sleep = [&](milliseconds d) { waits.push_back(d); };
  auto r = openS3BlobStore(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(r.error().code, "s3_unavailable");
  EXPECT_EQ(waits, (std::vector<milliseconds>{milliseconds(100), milliseconds(200)}));
}

TEST_F(S3BlobStoreTest, OptionsThatCannotWorkAreRefusedBeforeAnyRequest) {
  for (auto edit : std::vector<std::function<void(S3Options&)>>{
           [](S3Options& o) { o.endpoint = "http://user:pass@127.0.0.1:1"; },
           [](S3Options& o) { o.endpoint = "127.0.0.1:9000"; },
           [](S3Options& o) { o.bucket.clear(); }, [](S3Options& o) { o.secret_key.clear(); },
           [](S3Options& o) { o.attempts = 0; }}) {
    S3Options o = optionsFor();
    edit(o);
    auto r = openS3BlobStore(o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "s3_bad_options") << r.error().message;
  }
}

// Swift's proxy is stopped; a PUT fails, is retried after the backoff, and succeeds once the proxy
// is back (started again during the second wait).
TEST_F(S3BlobStoreTest, APutIsRetriedUntilTheServiceIsBack) {
  S3Options o = optionsFor();
  o.attempts = 4;
  const std::string ctl = std::string(KINO_SOURCE_DIR) + "/tests/lib/swift/swiftctl";
  const std::string dir = swift().dir.string();
  int waited = 0;
  o.sleep = [&](milliseconds) {
    if (++waited == 2) {
      ASSERT_EQ(std::system((ctl + " start '" + dir + "' proxy").c_str()), 0);
    }
  };
  auto store = std::move(openS3BlobStore(o)).value();
  ASSERT_EQ(std::system((ctl + " stop '" + dir + "' proxy").c_str()), 0);
  auto put = store->putBytes("retry-test/seg.ts", "after the outage");
  if (waited < 2) (void)std::system((ctl + " start '" + dir + "' proxy").c_str());
  ASSERT_TRUE(put.ok()) << put.error().message;
  EXPECT_EQ(waited, 2) << "two failed tries (proxy down), the third succeeded";
  EXPECT_EQ(store->read("retry-test/seg.ts", 0, 100).value(), "after the outage");
  ASSERT_TRUE(store->removePrefix("retry-test").ok());
}

TEST_F(S3BlobStoreTest, TheSecretNeverReachesTheServiceInTheClear) {
  auto store = std::move(openS3BlobStore(optionsFor())).value();
  ASSERT_TRUE(store->putBytes("secret-test/a.ts", "x").ok());
  ASSERT_TRUE(store->stat("secret-test/a.ts").ok());
  ASSERT_TRUE(store->removePrefix("secret-test").ok());
  std::ifstream log(swift().dir / "log" / "proxy.log");
  std::stringstream text;
  text << log.rdbuf();
  ASSERT_FALSE(text.str().empty()) << "the proxy logs each request";
  EXPECT_EQ(text.str().find(swift()["SWIFT_S3_SECRET_KEY"]), std::string::npos);
}

}  // namespace
}  // namespace kino::storage
