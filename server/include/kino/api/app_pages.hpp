#pragma once
// What each path of the web app answers before the app runs in the browser (http::AppPage), so
// crawlers, link previews and monitors see the truth: 200 for the app's pages, 404 for any other
// path and for an unknown room, 403 for a private room the visitor has no grant for (the app shows
// its door). A public room's page gets its title and link-preview tags (Open Graph: title, host,
// description, poster frame); a private room's page says nothing about the room.

#include <string>
#include <string_view>

#include "kino/accounts/account_service.hpp"
#include "kino/accounts/guest_tokens.hpp"
#include "kino/api/room_json.hpp"
#include "kino/http/static_site.hpp"
#include "kino/rooms/room_service.hpp"

namespace kino::api {

struct AppPagesDeps {
  rooms::RoomService& rooms;
  accounts::AccountService& accounts;
  const accounts::GuestTokens& guests;
  MediaLookup media;
  std::string public_origin;  // as in [server] public_origin ("" = from the request)
};

// The app's pages besides /r/<slug> and /403 (the routes of web/src/app/App.tsx: keep in step;
// tests/integration/app_pages.test.mjs checks every route there answers 200).
inline constexpr std::string_view kAppPaths[] = {"/", "/login", "/register", "/new", "/my"};

// The history fallback's answer for a request. Blocks on the store (room pages).
http::AppPageFn appPages(AppPagesDeps deps);

// The link-preview tags of a public room, escaped: og:title, og:description ("Hosted by <name>"
// and the start of the description), og:url, og:image when there is a poster (absolute, from
// `origin`), twitter:card. Pure.
std::string previewTags(const rooms::RoomView& view, const std::string& origin,
                        const std::string& poster_path);

}  // namespace kino::api
