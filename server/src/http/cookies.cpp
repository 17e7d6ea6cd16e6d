#include "kino/http/cookies.hpp"

namespace kino::http {

std::optional<std::string> cookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto semi = header.find(';');
    std::string_view part = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
    while (!part.empty() && (part.front() == ' ' || part.front() == '\t')) part.remove_prefix(1);
    while (!part.empty() && (part.back() == ' ' || part.back() == '\t')) part.remove_suffix(1);
    const auto eq = part.find('=');
    if (eq == std::string_view::npos || part.substr(0, eq) != name) continue;
    std::string_view value = part.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return std::string(value);
  }
  return std::nullopt;
}

std::string setCookieHeader(std::string_view name, std::string_view value, const CookieOptions& o) {
  std::string h;
  h.append(name).append("=").append(value);
  h.append("; Path=").append(o.path);
  h.append("; Max-Age=").append(std::to_string(o.max_age.count()));
  if (o.http_only) h.append("; HttpOnly");
  if (!o.same_site.empty()) h.append("; SameSite=").append(o.same_site);
  if (o.secure) h.append("; Secure");
  return h;
}

}  // namespace kino::http
