#include "s3_addressing.hpp"

#include <algorithm>

namespace kino::storage::s3 {
namespace {

Error badEndpoint(std::string_view text, std::string_view why) {
  return Error::make(ErrorKind::kInvalid, "s3_bad_options",
                     "S3 endpoint '" + std::string(text) + "': " + std::string(why));
}

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

}  // namespace

Result<Endpoint> parseEndpoint(std::string_view text) {
  Endpoint e;
  const auto sep = text.find("://");
  if (sep == std::string_view::npos) return badEndpoint(text, "expected http://host[:port]");
  e.scheme = std::string(text.substr(0, sep));
  if (e.scheme != "http" && e.scheme != "https") {
    return badEndpoint(text, "the scheme must be http or https");
  }
  std::string_view rest = text.substr(sep + 3);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty()) return badEndpoint(text, "no host");
  if (rest.find('@') != std::string_view::npos) {
    return badEndpoint(text,
                       "credentials do not belong in the URL; use the access and secret keys");
  }
  if (rest.find_first_of("/?#") != std::string_view::npos) {
    return badEndpoint(text, "expected only scheme://host[:port], without a path or query");
  }
  e.host = std::string(rest);
  return e;
}

std::string uriEncode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (unreserved(c) || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0f]);
    }
  }
  return out;
}

std::string objectUrl(const Endpoint& endpoint, std::string_view bucket, bool path_style,
                      std::string_view key, std::string_view query) {
  std::string url = endpoint.scheme + "://";
  if (path_style) {
    url.append(endpoint.host).append("/").append(bucket);
    if (!key.empty()) url.append("/").append(uriEncode(key, true));
  } else {
    url.append(bucket).append(".").append(endpoint.host).append("/");
    url.append(uriEncode(key, true));
  }
  if (!query.empty()) url.append("?").append(query);
  return url;
}

std::string canonicalQuery(std::vector<std::pair<std::string, std::string>> params) {
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    out.append(uriEncode(name, false)).append("=").append(uriEncode(value, false));
  }
  return out;
}

}  // namespace kino::storage::s3
