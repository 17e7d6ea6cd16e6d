#include "kino/ingest/url_redaction.hpp"

#include <gtest/gtest.h>

namespace kino::ingest {
namespace {

TEST(UrlRedactionTest, UserinfoAndCredentialParametersAreRedactedTheRestKept) {
  struct Case {
    const char* url;
    const char* want;
  } cases[] = {
      {"https://h.test/v/movie.mp4?t=1", "https://h.test/v/movie.mp4?t=1"},
      {"https://alice:s3cret@h.test/movie.mp4", "https://REDACTED@h.test/movie.mp4"},
      {"http://alice@h.test:8080/a", "http://REDACTED@h.test:8080/a"},
      {"http://a:b@c@h.test/x@y", "http://REDACTED@h.test/x@y"},
      {"https://h.test/m.mp4?token=abc&quality=hd",
       "https://h.test/m.mp4?token=REDACTED&quality=hd"},
      {"https://cdn.test/m.mp4?X-Amz-Credential=AK%2F1&X-Amz-Signature=ff&X-Amz-Expires=60",
       "https://cdn.test/"
       "m.mp4?X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&X-Amz-Expires=60"},
      {"https://h.test/m?api_key=1;sig=2;Policy=3;Key-Pair-Id=4",
       "https://h.test/m?api_key=REDACTED;sig=REDACTED;Policy=REDACTED;Key-Pair-Id=REDACTED"},
      {"https://h.test/m?hdnts=exp~acl~hmac&password=p&auth=a&session_id=s&jwt=j",
       "https://h.test/"
       "m?hdnts=REDACTED&password=REDACTED&auth=REDACTED&session_id=REDACTED&jwt=REDACTED"},
      {"https://u:p@h.test/m?a=1#access_token=x&b=2",
       "https://REDACTED@h.test/m?a=1#access_token=REDACTED&b=2"},
      {"https://h.test/m#frag", "https://h.test/m#frag"},
      {"https://h.test/m?token", "https://h.test/m?token"},
      {"https://h.test/m?=x&&token=", "https://h.test/m?=x&&token=REDACTED"},
      {"user:pw@h.test/m", "REDACTED@h.test/m"},
      {"not a url", "not a url"},
      {"", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(redactUrl(c.url), c.want) << c.url;
}

}  // namespace
}  // namespace kino::ingest
