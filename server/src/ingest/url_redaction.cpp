#include "kino/ingest/url_redaction.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace kino::ingest {
namespace {

constexpr std::string_view kRedacted = "REDACTED";

constexpr std::array<std::string_view, 14> kSecretNameParts = {
    "token", "sig",     "key", "secret", "pass",  "pwd",   "auth",
    "cred",  "session", "jwt", "policy", "hdnts", "hdnea", "hmac"};

bool looksSecret(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::any_of(kSecretNameParts.begin(), kSecretNameParts.end(),
                     [&](std::string_view part) { return lower.find(part) != std::string::npos; });
}

// A query or fragment ("a=1&token=x;b") with the values of secret-looking parameters redacted.
std::string redactParameters(std::string_view params) {
  std::string out;
  while (true) {
    const auto end = params.find_first_of("&;");
    const auto item = params.substr(0, end);
    const auto eq = item.find('=');
    if (eq != std::string_view::npos && looksSecret(item.substr(0, eq))) {
      out.append(item.substr(0, eq + 1)).append(kRedacted);
    } else {
      out.append(item);
    }
    if (end == std::string_view::npos) return out;
    out.push_back(params[end]);
    params.remove_prefix(end + 1);
  }
}

}  // namespace

std::string redactUrl(std::string_view url) {
  std::string out;
  // Userinfo: between "//" (or the start) and the last '@' before the path begins.
  const auto scheme_end = url.find("://");
  const auto authority_start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  const auto authority_end = url.find_first_of("/?#", authority_start);
  const auto authority = url.substr(authority_start, authority_end == std::string_view::npos
                                                         ? std::string_view::npos
                                                         : authority_end - authority_start);
  const auto at = authority.rfind('@');
  if (at != std::string_view::npos) {
    out.append(url.substr(0, authority_start)).append(kRedacted);
    url.remove_prefix(authority_start + at);  // keeps the '@'
  }
  const auto query = url.find_first_of("?#");
  out.append(url.substr(0, query));
  if (query == std::string_view::npos) return out;
  url.remove_prefix(query);
  // url is now "?query#fragment" or "#fragment".
  if (url.front() == '?') {
    const auto hash = url.find('#');
    out.push_back('?');
    out.append(redactParameters(url.substr(1, hash == std::string_view::npos ? hash : hash - 1)));
    if (hash == std::string_view::npos) return out;
    url.remove_prefix(hash);
  }
  out.push_back('#');
  out.append(redactParameters(url.substr(1)));
  return out;
}

}  // namespace kino::ingest
