#pragma once
// Where an S3 request goes: the endpoint's parts, object URLs in path or virtual-hosted style, and
// the canonical query strings SigV4 signs (libcurl signs the query as given, so it must already be
// sorted and encoded the AWS way). Pure functions.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kino/common/result.hpp"

namespace kino::storage::s3 {

struct Endpoint {
  std::string scheme;  // "http" or "https"
  std::string host;    // with ":port" when one was given
};

// Parses "http(s)://host[:port]" (one trailing "/" allowed). kInvalid "s3_bad_options" for another
// scheme, userinfo ("user:secret@"), a path, a query or a fragment.
Result<Endpoint> parseEndpoint(std::string_view text);

// AWS URI encoding: A-Z a-z 0-9 - _ . ~ stay, every other byte becomes %XX (upper-case hex); "/"
// stays when `keep_slash`.
std::string uriEncode(std::string_view text, bool keep_slash);

// The URL of `key` in `bucket` (an empty key names the bucket itself), with `query` (canonical, see
// canonicalQuery) after a "?" when not empty. Path style: <scheme>://<host>/<bucket>/<key>;
// virtual- hosted style: <scheme>://<bucket>.<host>/<key>.
std::string objectUrl(const Endpoint& endpoint, std::string_view bucket, bool path_style,
                      std::string_view key, std::string_view query = {});

// "a=1&b=x%2Fy": the parameters sorted by name, names and values URI-encoded (slashes too).
std::string canonicalQuery(std::vector<std::pair<std::string, std::string>> params);

}  // namespace kino::storage::s3
