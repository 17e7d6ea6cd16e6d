#pragma once
// The few S3 XML answers Kino reads: a ListObjectsV2 page and an error body. S3 answers are flat
// and machine-written, so element text is found by tag name; entities are decoded. Pure functions.

#include <string>
#include <string_view>
#include <vector>

#include "kino/common/result.hpp"

namespace kino::storage::s3 {

struct ListPage {
  std::vector<std::string> keys;
  bool truncated = false;          // more pages follow
  std::string continuation_token;  // for the next page, when truncated
};

// Parses <ListBucketResult>. kInternal "s3_bad_listing" when it is not one, or when it says it is
// truncated without a NextContinuationToken.
Result<ListPage> parseListPage(std::string_view xml);

struct S3ErrorBody {
  std::string code;     // e.g. "NoSuchBucket"; empty when the body is not an S3 error
  std::string message;  // the service's text, possibly empty
};

S3ErrorBody parseErrorBody(std::string_view xml);

// "NoSuchBucket" → "no_such_bucket", "AccessDenied" → "access_denied"; characters other than
// letters and digits become "_".
std::string snakeCase(std::string_view code);

}  // namespace kino::storage::s3
