#pragma once
// Shared by the room routes and the WebSocket admission: who the visitor is (session or guest
// cookie) and how a room looks in JSON.

#include <string>

#include <boost/json/object.hpp>

#include "kino/accounts/account_service.hpp"
#include "kino/common/random.hpp"
#include "kino/http/message.hpp"
#include "kino/rooms/room.hpp"

namespace kino::api {

inline constexpr std::string_view kGuestCookie = "kino_guest";

// The visitor behind a request; `new_guest_token` is set when one was minted for this response.
struct VisitorContext {
  rooms::Visitor visitor;
  std::string new_guest_token;
};

// Reads the session and guest cookies. With `mint_guest`, a visitor with neither gets a new guest
// token (send it with withGuestCookie). Blocks on the store.
VisitorContext resolveVisitor(const http::Request& req, accounts::AccountService& accounts,
                              common::Random& random, bool mint_guest);
http::Response withGuestCookie(http::Response r, const VisitorContext& ctx, bool secure);

// The room object of API.md as `v`'s visitor sees it; `origin` makes the absolute url.
boost::json::object roomJson(const rooms::RoomView& v, const std::string& origin);

}  // namespace kino::api
