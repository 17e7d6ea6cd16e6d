#include "storage/s3/s3_xml.hpp"

#include <gtest/gtest.h>

namespace kino::storage::s3 {
namespace {

TEST(S3ListPageTest, KeysAndTheLastPage) {
  const char* xml =
      R"(<?xml version="1.0" encoding="UTF-8"?>)"
      R"(<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>media</Name>)"
      R"(<Prefix>a/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys>)"
      R"(<IsTruncated>false</IsTruncated>)"
      R"(<Contents><Key>a/master.m3u8</Key><Size>3</Size></Contents>)"
      R"(<Contents><Key>a/v0/x&amp;y.ts</Key><ETag>&quot;e&quot;</ETag></Contents>)"
      R"(</ListBucketResult>)";
  auto page = parseListPage(xml);
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(page->keys, (std::vector<std::string>{"a/master.m3u8", "a/v0/x&y.ts"}));
  EXPECT_FALSE(page->truncated);
}

TEST(S3ListPageTest, ATruncatedPageCarriesItsToken) {
  auto page = parseListPage(
      "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxLPRx1Tr/"
      "XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken><Contents><Key>k</Key></Contents>"
      "</ListBucketResult>");
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->continuation_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
  EXPECT_EQ(page->keys.size(), 1u);
}

TEST(S3ListPageTest, EmptyAndBrokenListings) {
  auto empty = parseListPage("<ListBucketResult><KeyCount>0</KeyCount></ListBucketResult>");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->keys.empty());
  EXPECT_FALSE(empty->truncated);
  for (const char* bad :
       {"", "<html>oops</html>",
        "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",
        "<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>"}) {
    auto r = parseListPage(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "s3_bad_listing");
  }
}

TEST(S3ErrorBodyTest, CodeAndMessage) {
  auto e = parseErrorBody(
      "<?xml version='1.0' encoding='UTF-8'?>\n<Error><Code>NoSuchBucket</Code><Message>The "
      "specified bucket does not exist.</Message><BucketName>x</BucketName></Error>");
  EXPECT_EQ(e.code, "NoSuchBucket");
  EXPECT_EQ(e.message, "The specified bucket does not exist.");
  EXPECT_EQ(parseErrorBody("").code, "");
  EXPECT_EQ(parseErrorBody("<html>502 Bad Gateway</html>").code, "");
}

TEST(S3ErrorBodyTest, SnakeCaseCodes) {
  EXPECT_EQ(snakeCase("NoSuchBucket"), "no_such_bucket");
  EXPECT_EQ(snakeCase("AccessDenied"), "access_denied");
  EXPECT_EQ(snakeCase("SignatureDoesNotMatch"), "signature_does_not_match");
  EXPECT_EQ(snakeCase("XAmzContentSHA256Mismatch"), "xamz_content_sha256_mismatch");
  EXPECT_EQ(snakeCase("Slow Down!"), "slow_down");
}

}  // namespace
}  // namespace kino::storage::s3
