#include "kino/api/auth_routes.hpp"

#include "kino/api/json_body.hpp"
#include "kino/http/cookies.hpp"

namespace kino::api {
namespace {

using http::Request;
using http::Response;
using http::RouteParams;

std::string sessionToken(const Request& request) {
  auto header = request.headers.get("Cookie");
  if (!header) return {};
  return http::cookieValue(*header, kSessionCookie).value_or("");
}

Response signedIn(int status, const accounts::SignedIn& s, SessionCookiePolicy policy) {
  Response r = Response::json(status, boost::json::object{{"user", userJson(s.user)}});
  const auto ttl = std::chrono::duration_cast<std::chrono::seconds>(s.expires_at - s.issued_at);
  r.headers.add("Set-Cookie", http::setCookieHeader(kSessionCookie, s.token,
                                                    {.max_age = ttl, .secure = policy.secure}));
  return r;
}

}  // namespace

boost::json::object userJson(const accounts::User& user) {
  return {{"id", std::to_string(user.id)},
          {"username", user.username},
          {"display_name", user.display_name},
          {"created_at", common::toRfc3339(user.created_at)}};
}

Result<accounts::User> currentUser(const Request& request, accounts::AccountService& accounts) {
  return accounts.authenticate(sessionToken(request));
}

void addAuthRoutes(http::Router& router, accounts::AccountService& accounts,
                   SessionCookiePolicy policy) {
  router.add("POST", "/api/v1/auth/register", [&accounts, policy](const Request& req,
                                                                  const RouteParams&) {
    auto body = parseObject(req);
    if (!body) return Response::error(body.error());
    auto username = requiredString(*body, "username");
    if (!username) return Response::error(username.error());
    auto password = requiredString(*body, "password");
    if (!password) return Response::error(password.error());
    auto display = optionalString(*body, "display_name");
    if (!display) return Response::error(display.error());
    auto result = accounts.registerUser(
        {*username, *password, display->value_or("")}, req.remote_ip);
    if (!result) return Response::error(result.error());
    return signedIn(201, *result, policy);
  });

  router.add("POST", "/api/v1/auth/login", [&accounts, policy](const Request& req,
                                                               const RouteParams&) {
    auto body = parseObject(req);
    if (!body) return Response::error(body.error());
    auto username = requiredString(*body, "username");
    if (!username) return Response::error(username.error());
    auto password = requiredString(*body, "password");
    if (!password) return Response::error(password.error());
    auto result = accounts.login(*username, *password, req.remote_ip);
    if (!result) return Response::error(result.error());
    return signedIn(200, *result, policy);
  });

  router.add("POST", "/api/v1/auth/logout", [&accounts, policy](const Request& req,
                                                                const RouteParams&) {
    if (auto r = accounts.logout(sessionToken(req)); !r) return Response::error(r.error());
    Response res = Response::noContent();
    res.headers.add("Set-Cookie", http::setCookieHeader(kSessionCookie, "",
                                                        {.max_age = {}, .secure = policy.secure}));
    return res;
  });

  router.add("GET", "/api/v1/me", [&accounts](const Request& req, const RouteParams&) {
    auto user = currentUser(req, accounts);
    if (!user) return Response::error(user.error());
    return Response::json(200, boost::json::object{{"user", userJson(*user)}});
  });
}

}  // namespace kino::api
