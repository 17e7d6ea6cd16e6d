#pragma once
// REST routes of accounts: /api/v1/auth/{register,login,logout} and /api/v1/me
// (docs/api/openapi.yaml).

#include <optional>
#include <string>

#include "kino/accounts/account_service.hpp"
#include "kino/http/router.hpp"

namespace kino::api {

inline constexpr std::string_view kSessionCookie = "kino_session";

struct SessionCookiePolicy {
  bool secure = false;  // set Secure (the public origin is https)
};

void addAuthRoutes(http::Router& router, accounts::AccountService& accounts,
                   SessionCookiePolicy cookie_policy);

// The signed-in user of `request`, or kUnauthenticated. For other routes that need a user.
Result<accounts::User> currentUser(const http::Request& request,
                                   accounts::AccountService& accounts);

boost::json::object userJson(const accounts::User& user);

}  // namespace kino::api
