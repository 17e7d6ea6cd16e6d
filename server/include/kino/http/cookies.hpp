#pragma once
// Cookie parsing and Set-Cookie formatting.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace kino::http {

// The value of cookie `name` in a Cookie header ("a=1; b=2"), or nullopt.
std::optional<std::string> cookieValue(std::string_view cookie_header, std::string_view name);

struct CookieOptions {
  std::chrono::seconds max_age{0};  // 0 deletes the cookie
  bool secure = false;              // add Secure (when served over https)
  bool http_only = true;
  std::string same_site = "Lax";
  std::string path = "/";
};

// "name=value; Path=/; Max-Age=N; HttpOnly; SameSite=Lax[; Secure]"
std::string setCookieHeader(std::string_view name, std::string_view value, const CookieOptions& o);

}  // namespace kino::http
