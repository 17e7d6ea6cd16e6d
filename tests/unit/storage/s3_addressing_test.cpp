#include "storage/s3/s3_addressing.hpp"

#include <gtest/gtest.h>

namespace kino::storage::s3 {
namespace {

TEST(S3EndpointTest, SchemeAndHostOnly) {
  auto e = parseEndpoint("https://s3.eu-central-1.amazonaws.com");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->scheme, "https");
  EXPECT_EQ(e->host, "s3.eu-central-1.amazonaws.com");
  auto local = parseEndpoint("http://127.0.0.1:9000/");
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(local->host, "127.0.0.1:9000");
  for (const char* bad : {"", "127.0.0.1:9000", "ftp://host", "http://", "http://key:secret@host",
                          "http://host/bucket", "http://host?x=1", "http://host#f"}) {
    auto r = parseEndpoint(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "s3_bad_options") << bad;
  }
}

TEST(S3EndpointTest, RefusalDoesNotRepeatCredentials) {
  auto r = parseEndpoint("http://AKIA:topsecret@host");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("credentials"), std::string::npos);
}

TEST(S3UrlTest, PathAndVirtualHostedStyle) {
  const Endpoint e{"http", "127.0.0.1:8080"};
  EXPECT_EQ(objectUrl(e, "media", true, "a/v0/seg_00001.ts"),
            "http://127.0.0.1:8080/media/a/v0/seg_00001.ts");
  EXPECT_EQ(objectUrl(e, "media", true, ""), "http://127.0.0.1:8080/media");
  EXPECT_EQ(objectUrl(e, "media", true, "", "list-type=2"),
            "http://127.0.0.1:8080/media?list-type=2");
  const Endpoint aws{"https", "s3.eu-west-1.amazonaws.com"};
  EXPECT_EQ(objectUrl(aws, "media", false, "a/master.m3u8"),
            "https://media.s3.eu-west-1.amazonaws.com/a/master.m3u8");
  EXPECT_EQ(objectUrl(aws, "media", false, ""), "https://media.s3.eu-west-1.amazonaws.com/");
}

TEST(S3UrlTest, AwsUriEncoding) {
  EXPECT_EQ(uriEncode("a-Z_0.~", false), "a-Z_0.~");
  EXPECT_EQ(uriEncode("a/b c+d=e&", false), "a%2Fb%20c%2Bd%3De%26");
  EXPECT_EQ(uriEncode("a/b", true), "a/b");
  EXPECT_EQ(uriEncode("\xff", false), "%FF");
}

TEST(S3UrlTest, CanonicalQueryIsSortedAndEncoded) {
  EXPECT_EQ(canonicalQuery(
                {{"prefix", "asset/"}, {"list-type", "2"}, {"continuation-token", "1/ab+c=="}}),
            "continuation-token=1%2Fab%2Bc%3D%3D&list-type=2&prefix=asset%2F");
  EXPECT_EQ(canonicalQuery({}), "");
}

}  // namespace
}  // namespace kino::storage::s3
