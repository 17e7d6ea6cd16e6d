#pragma once
// Shared by the room routes and the WebSocket admission: who the visitor is (session or guest
// cookie) and how a room looks in JSON.

#include <string>

#include <boost/json/object.hpp>

#include "kino/accounts/account_service.hpp"
#include "kino/accounts/guest_tokens.hpp"
#include "kino/common/url_signer.hpp"
#include "kino/storage/store.hpp"
#include "kino/http/message.hpp"
#include "kino/rooms/room.hpp"

namespace kino::api {

inline constexpr std::string_view kGuestCookie = "kino_guest";

// The visitor behind a request; `new_guest_token` is set when one was minted for this response.
struct VisitorContext {
  rooms::Visitor visitor;
  std::string new_guest_token;
  std::string session;  // hash of the session token when signed in (what logout revokes)
};

// Reads the session and guest cookies. A guest cookie Kino did not mint (or that expired) is
// ignored. With `mint_guest`, a visitor with neither gets a new guest token (send it with
// withGuestCookie). Blocks on the store.
VisitorContext resolveVisitor(const http::Request& req, accounts::AccountService& accounts,
                              const accounts::GuestTokens& guests, bool mint_guest);
http::Response withGuestCookie(http::Response r, const VisitorContext& ctx, bool secure);

// Describes a room's video: its ingest job and, once playable, the HLS and poster URLs (signed for
// rooms that are not public). Blocks on the store.
struct MediaLookup {
  storage::Store& store;
  const common::UrlSigner& signer;
  const common::Clock& clock;

  // {"state": "none"} when no ingest was requested; otherwise {state, percent, eta_s, error,
  // playable, duration_s, hls_url?, poster_url?} (+ "history" when `with_history`).
  boost::json::object describe(const storage::RoomRecord& room, bool with_history = false) const;
};

// The Room object of docs/api/openapi.yaml as `v`'s visitor sees it; `origin` makes the absolute
// url; `media` fills "media" (a visitor who has not joined a private room never gets here).
boost::json::object roomJson(const rooms::RoomView& v, const std::string& origin,
                             const MediaLookup& media);

}  // namespace kino::api
