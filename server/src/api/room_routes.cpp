#include "kino/api/room_routes.hpp"

#include <charconv>

#include <boost/json/serialize.hpp>

#include "kino/api/auth_routes.hpp"
#include "kino/api/room_json.hpp"
#include "kino/api/json_body.hpp"
#include "kino/http/cookies.hpp"
#include "kino/http/pipeline.hpp"
#include "kino/realtime/protocol.hpp"
#include "kino/rooms/calendar.hpp"
#include "kino/rooms/transcript.hpp"

namespace kino::api {
namespace {

using http::Request;
using http::Response;
using http::RouteParams;

// Attachment headers of an export: a download named kino-<slug>.<extension>, never sniffed.
Response exportOf(std::string body, const std::string& type, const std::string& file_name) {
  Response r;
  r.headers.set("Content-Type", type);
  r.headers.set("Content-Disposition", "attachment; filename=\"" + file_name + "\"");
  r.headers.set("X-Content-Type-Options", "nosniff");
  r.headers.set("Cache-Control", "private, no-store");
  r.body = std::move(body);
  return r;
}

Result<std::optional<common::TimePoint>> optionalStart(const boost::json::object& body) {
  auto text = optionalString(body, "starts_at");
  if (!text) return text.error();
  if (!*text || (*text)->empty()) return std::optional<common::TimePoint>{};
  auto t = common::parseRfc3339(**text);
  if (!t) {
    return Error::make(ErrorKind::kInvalid, "invalid_field",
                       "The start time must be a date and time like 2026-12-01T18:30:00Z.",
                       "starts_at");
  }
  return std::optional<common::TimePoint>(*t);
}

Result<std::optional<int>> optionalInt(const boost::json::object& body, std::string_view key) {
  const auto* v = body.if_contains(key);
  if (!v || v->is_null()) return std::optional<int>{};
  if (!v->is_int64() || v->as_int64() < INT32_MIN || v->as_int64() > INT32_MAX) {
    return Error::make(ErrorKind::kInvalid, "invalid_field",
                       std::string(key) + " must be a whole number.", std::string(key));
  }
  return std::optional<int>(static_cast<int>(v->as_int64()));
}

Result<rooms::CreateRoomRequest> parseCreate(const boost::json::object& body) {
  rooms::CreateRoomRequest r;
  auto title = optionalString(body, "title");
  if (!title) return title.error();
  r.title = title->value_or("");
  auto url = optionalString(body, "video_url");
  if (!url) return url.error();
  r.video_url = url->value_or("");
  auto vis = optionalString(body, "visibility");
  if (!vis) return vis.error();
  r.visibility = vis->value_or("");
  auto password = optionalString(body, "password");
  if (!password) return password.error();
  r.password = *password;
  auto desc = optionalString(body, "description");
  if (!desc) return desc.error();
  r.description = desc->value_or("");
  auto start = optionalStart(body);
  if (!start) return start.error();
  r.starts_at = *start;
  auto duration = optionalInt(body, "duration_minutes");
  if (!duration) return duration.error();
  r.duration_minutes = *duration;
  return r;
}

Result<rooms::RoomPatch> parsePatch(const boost::json::object& body) {
  rooms::RoomPatch p;
  auto title = optionalString(body, "title");
  if (!title) return title.error();
  p.title = *title;
  auto desc = optionalString(body, "description");
  if (!desc) return desc.error();
  p.description = *desc;
  auto start = optionalStart(body);
  if (!start) return start.error();
  p.starts_at = *start;
  auto duration = optionalInt(body, "duration_minutes");
  if (!duration) return duration.error();
  p.duration_minutes = *duration;
  return p;
}

// 403 room_private with the room's door (title, host, password or access key) beside the error, so
// the page can invite the visitor in rather than refuse them.
Response privateRoomDoor(rooms::RoomService& rooms, std::string_view slug, const Error& refused) {
  Response r = Response::error(refused);
  auto door = rooms.door(slug);
  if (!door) return r;
  boost::json::object body{
      {"error", {{"code", refused.code}, {"message", refused.message}}},
      {"door", {{"title", door->title},
                {"host", {{"display_name", door->host_display_name}}},
                {"protected_by", door->protected_by}}}};
  r.body = boost::json::serialize(body);
  return r;
}

}  // namespace

void addRoomRoutes(http::Router& router, RoomRoutesDeps deps, const RoomRoutesOptions& options) {
  const auto origin = [options](const Request& req) {
    return http::ownOrigin(req, options.public_origin);
  };
  // The lambdas below outlive this call: they capture the services (references to long-lived
  // objects) and `media` by value.
  auto& rooms = deps.rooms;
  auto& accounts = deps.accounts;
  auto& guests = deps.guests;
  auto& ingest = deps.ingest;
  auto& store = deps.store;
  const MediaLookup media = deps.media;
  auto& retention = deps.retention;

  router.add("POST", "/api/v1/rooms", [&, origin, media](const Request& req, const RouteParams&) {
    auto user = currentUser(req, accounts);
    if (!user) return Response::error(user.error());
    auto body = parseObject(req);
    if (!body) return Response::error(body.error());
    auto create = parseCreate(*body);
    if (!create) return Response::error(create.error());
    auto created = rooms.create(*user, *create);
    if (!created) return Response::error(created.error());
    // The download starts now; a failure to queue it shows as media "none" with a retry button.
    if (auto asset = ingest.request(created->view.room.video_url)) {
      if (store.assets().attachToRoom(created->view.room.id, asset->id)) {
        created->view.room.asset_id = asset->id;
      }
    }
    const std::string url = origin(req) + "/r/" + created->view.room.slug;
    boost::json::object out{{"url", url}, {"room", roomJson(created->view, origin(req), media)}};
    if (created->access_key) out["access_key"] = *created->access_key;
    return Response::json(201, out);
  });

  router.add("GET", "/api/v1/rooms", [&, origin, media](const Request& req, const RouteParams&) {
    const std::string status = http::queryParam(req.query, "status").value_or("live");
    auto ctx = resolveVisitor(req, accounts, guests, false);
    auto list = rooms.listPublic(status, ctx.visitor);
    if (!list) return Response::error(list.error());
    boost::json::array out;
    for (const auto& v : *list) out.push_back(roomJson(v, origin(req), media));
    return Response::json(200, boost::json::object{{"rooms", std::move(out)}});
  });

  // "My rooms": every room the signed-in person created or was let into, private ones included.
  router.add("GET", "/api/v1/me/rooms", [&, origin, media](const Request& req, const RouteParams&) {
    auto user = currentUser(req, accounts);
    if (!user) return Response::error(user.error());
    auto list = rooms.mine(*user);
    if (!list) return Response::error(list.error());
    boost::json::array out;
    for (const auto& v : *list) out.push_back(roomJson(v, origin(req), media));
    return Response::json(200, boost::json::object{{"rooms", std::move(out)}});
  });

  // The owner gives a private room a new password, or a new access key (shown once, like at
  // creation). Whoever is already in stays in.
  router.add("POST", "/api/v1/rooms/{slug}/key", [&, origin, media](const Request& req,
                                                                     const RouteParams& p) {
    auto user = currentUser(req, accounts);
    if (!user) return Response::error(user.error());
    auto body = parseObject(req);
    if (!body) return Response::error(body.error());
    auto password = optionalString(*body, "password");
    if (!password) return Response::error(password.error());
    auto rotated = rooms.rotateKey(p.get("slug"), *user, *password);
    if (!rotated) return Response::error(rotated.error());
    const std::string url = origin(req) + "/r/" + rotated->view.room.slug;
    boost::json::object out{{"url", url}, {"room", roomJson(rotated->view, origin(req), media)}};
    if (rotated->access_key) out["access_key"] = *rotated->access_key;
    return Response::json(200, out);
  });

  router.add("GET", "/api/v1/rooms/{slug}", [&, origin, media](const Request& req, const RouteParams& p) {
    auto ctx = resolveVisitor(req, accounts, guests, false);
    auto view = rooms.view(p.get("slug"), ctx.visitor);
    if (!view && view.error().code == "room_private") return privateRoomDoor(rooms, p.get("slug"), view.error());
    if (!view) return Response::error(view.error());
    return Response::json(200, boost::json::object{{"room", roomJson(*view, origin(req), media)}});
  });

  router.add("PATCH", "/api/v1/rooms/{slug}", [&, origin, media](const Request& req,
                                                          const RouteParams& p) {
    auto user = currentUser(req, accounts);
    if (!user) return Response::error(user.error());
    auto body = parseObject(req);
    if (!body) return Response::error(body.error());
    auto patch = parsePatch(*body);
    if (!patch) return Response::error(patch.error());
    auto view = rooms.update(p.get("slug"), *user, *patch);
    if (!view) return Response::error(view.error());
    return Response::json(200, boost::json::object{{"room", roomJson(*view, origin(req), media)}});
  });

  // The owner deletes the room for good: its people are told (room.ended, "deleted"), and the
  // room, its chat and (when no other room shows it) its film are gone.
  router.add("DELETE", "/api/v1/rooms/{slug}", [&](const Request& req, const RouteParams& p) {
    auto user = currentUser(req, accounts);
    if (!user) return Response::error(user.error());
    if (auto r = retention.remove(p.get("slug"), *user); !r) return Response::error(r.error());
    return Response::noContent();
  });

  router.add("POST", "/api/v1/rooms/{slug}/end", [&, origin, media](const Request& req,
                                                             const RouteParams& p) {
    auto user = currentUser(req, accounts);
    if (!user) return Response::error(user.error());
    auto view = rooms.end(p.get("slug"), *user);
    if (!view) return Response::error(view.error());
    return Response::json(200, boost::json::object{{"room", roomJson(*view, origin(req), media)}});
  });

  router.add("POST", "/api/v1/rooms/{slug}/join", [&, origin, options, media](const Request& req,
                                                                       const RouteParams& p) {
    auto body = parseObject(req);
    if (!body) return Response::error(body.error());
    rooms::JoinRequest join;
    for (const char* field : {"key", "access_key", "password"}) {
      auto k = optionalString(*body, field);
      if (!k) return Response::error(k.error());
      if (*k && !(*k)->empty()) join.key = *k;
    }
    auto name = optionalString(*body, "display_name");
    if (!name) return Response::error(name.error());
    join.display_name = *name;
    auto ctx = resolveVisitor(req, accounts, guests, true);
    auto view = rooms.join(p.get("slug"), ctx.visitor, join, req.remote_ip);
    if (!view) return Response::error(view.error());
    if (!ctx.visitor.user && view->room.visibility == "private" && ctx.new_guest_token.empty()) {
      // A guest entering a private room gets a new identity (its grants move with it), so a guest
      // cookie planted in this browser beforehand never holds the key to the room.
      const std::string planted = ctx.visitor.principal();
      const std::string token = guests.mint();
      rooms::Visitor fresh{std::nullopt, accounts::sessionTokenHash(token)};
      if (auto moved = store.rooms().moveGrants(planted, fresh.principal()); !moved) {
        return Response::error(moved.error());
      }
      ctx.visitor = std::move(fresh);
      ctx.new_guest_token = token;
    }
    boost::json::object grant{{"room", view->room.slug},
                              {"display_name", view->display_name},
                              {"guest", !ctx.visitor.user.has_value()}};
    return withGuestCookie(
        Response::json(200, boost::json::object{{"grant", std::move(grant)},
                                                {"room", roomJson(*view, origin(req), media)}}),
        ctx, options.secure_cookies);
  });

  router.add("GET", "/api/v1/rooms/{slug}/messages", [&, media](const Request& req,
                                                        const RouteParams& p) {
    std::optional<std::int64_t> before;
    int limit = 50;
    auto whole = [](const std::string& text, auto& out) {
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
      return ec == std::errc() && end == text.data() + text.size();
    };
    if (auto b = http::queryParam(req.query, "before"); b && !b->empty()) {
      std::int64_t v = 0;
      if (!whole(*b, v)) {
        return Response::error(Error::make(ErrorKind::kMalformed, "invalid_query",
                                           "before must be a whole number."));
      }
      before = v;
    }
    if (auto l = http::queryParam(req.query, "limit"); l && !l->empty()) {
      if (!whole(*l, limit)) {
        return Response::error(Error::make(ErrorKind::kMalformed, "invalid_query",
                                           "limit must be a whole number."));
      }
    }
    auto ctx = resolveVisitor(req, accounts, guests, false);
    auto page = rooms.messages(p.get("slug"), ctx.visitor, before, limit);
    if (!page) return Response::error(page.error());
    boost::json::array out;
    for (const auto& m : page->messages) out.push_back(realtime::messageJson(m));
    return Response::json(200, boost::json::object{{"messages", std::move(out)},
                                                   {"has_more", page->has_more}});
  });

  router.add("GET", "/api/v1/rooms/{slug}/ingest", [&, media](const Request& req, const RouteParams& p) {
    auto ctx = resolveVisitor(req, accounts, guests, false);
    auto view = rooms.view(p.get("slug"), ctx.visitor);
    if (!view) return Response::error(view.error());
    return Response::json(200, media.describe(view->room, /*with_history=*/true));
  });

  router.add("POST", "/api/v1/rooms/{slug}/ingest/retry", [&, media](const Request& req,
                                                              const RouteParams& p) {
    auto user = currentUser(req, accounts);
    if (!user) return Response::error(user.error());
    auto view = rooms.view(p.get("slug"), rooms::Visitor{*user, {}});
    if (!view) return Response::error(view.error());
    if (!view->is_owner) {
      return Response::error(Error::make(ErrorKind::kForbidden, "not_owner",
                                         "Only the room's owner can retry the download."));
    }
    if (view->room.asset_id.empty()) {
      auto asset = ingest.request(view->room.video_url);
      if (!asset) return Response::error(asset.error());
      if (auto a = store.assets().attachToRoom(view->room.id, asset->id); !a) {
        return Response::error(a.error());
      }
      view->room.asset_id = asset->id;
    } else if (auto r = ingest.retry(view->room.asset_id); !r) {
      return Response::error(r.error());
    }
    return Response::json(200, media.describe(view->room, true));
  });

  router.add("GET", "/api/v1/rooms/{slug}/calendar.ics", [&, origin, media](const Request& req,
                                                                     const RouteParams& p) {
    auto ctx = resolveVisitor(req, accounts, guests, false);
    auto view = rooms.view(p.get("slug"), ctx.visitor);
    if (!view) return Response::error(view.error());
    Response r;
    r.headers.set("Content-Type", "text/calendar; charset=utf-8");
    r.headers.set("Content-Disposition",
                  "attachment; filename=\"kino-" + view->room.slug + ".ics\"");
    r.body = rooms::calendarFor(view->room, origin(req) + "/r/" + view->room.slug,
                                std::chrono::system_clock::now());
    return r;
  });

  // The archive's record of the session besides the chat (GET …/transcript.json has that): who
  // came and when they were there (joins and leaves), and every playback action with who did it
  // and where the film stood.
  router.add("GET", "/api/v1/rooms/{slug}/archive", [&, origin, media](const Request& req,
                                                                     const RouteParams& p) {
    auto ctx = resolveVisitor(req, accounts, guests, false);
    auto a = rooms.archive(p.get("slug"), ctx.visitor);
    if (!a) return Response::error(a.error());
    boost::json::array people;
    for (const auto& person : a->people) {
      boost::json::array visits;
      for (const auto& v : person.visits) {
        boost::json::value left = nullptr;
        if (v.left_at) left = common::toRfc3339(*v.left_at);
        visits.push_back({{"joined_at", common::toRfc3339(v.joined_at)}, {"left_at", left}});
      }
      people.push_back({{"id", realtime::memberIdFor(person.principal)},
                        {"name", person.display_name},
                        {"joined_at", common::toRfc3339(person.first_came)},
                        {"visits", std::move(visits)}});
    }
    boost::json::array timeline;
    for (const auto& e : a->timeline) {
      boost::json::value by = nullptr;
      if (!e.by_principal.empty()) {
        by = boost::json::object{{"id", realtime::memberIdFor(e.by_principal)}, {"name", e.by_name}};
      }
      timeline.push_back({{"seq", e.seq},
                          {"action", e.action},
                          {"by", std::move(by)},
                          {"at", common::toRfc3339(common::fromUnixMillis(e.at_server_ms))},
                          {"position_s", e.position_s},
                          {"playing", e.playing},
                          {"rate", e.rate},
                          {"volume", e.volume},
                          {"muted", e.muted}});
    }
    return Response::json(200, boost::json::object{{"room", roomJson(a->view, origin(req), media)},
                                                   {"people", std::move(people)},
                                                   {"timeline", std::move(timeline)}});
  });

  // The whole chat as a download, for anyone who may see the room: plain text to read, or JSON
  // (the room and the API's message objects) to process.
  router.add("GET", "/api/v1/rooms/{slug}/transcript.txt", [&, origin](const Request& req,
                                                                     const RouteParams& p) {
    auto ctx = resolveVisitor(req, accounts, guests, false);
    auto t = rooms.transcript(p.get("slug"), ctx.visitor);
    if (!t) return Response::error(t.error());
    const auto& room = t->first.room;
    return exportOf(rooms::transcriptText(room, origin(req) + "/r/" + room.slug, t->second),
                    "text/plain; charset=utf-8", "kino-" + room.slug + "-chat.txt");
  });
  router.add("GET", "/api/v1/rooms/{slug}/transcript.json", [&, origin, media](const Request& req,
                                                                         const RouteParams& p) {
    auto ctx = resolveVisitor(req, accounts, guests, false);
    auto t = rooms.transcript(p.get("slug"), ctx.visitor);
    if (!t) return Response::error(t.error());
    boost::json::array messages;
    for (const auto& m : t->second) messages.push_back(realtime::messageJson(m));
    boost::json::object body{{"room", roomJson(t->first, origin(req), media)},
                             {"messages", std::move(messages)}};
    return exportOf(boost::json::serialize(body), "application/json",
                    "kino-" + t->first.room.slug + "-chat.json");
  });
}

void addTestingClockRoute(http::Router& router, common::OffsetClock& clock,
                          std::function<void()> after_advance) {
  router.add("POST", "/api/v1/testing/clock", [&clock, after_advance = std::move(after_advance)](
                                                  const Request& req, const RouteParams&) {
    auto body = parseObject(req);
    if (!body) return Response::error(body.error());
    auto advance = optionalInt(*body, "advance_s");
    if (!advance) return Response::error(advance.error());
    if (!*advance || **advance < 0) {
      return Response::error(Error::make(ErrorKind::kInvalid, "invalid_field",
                                         "advance_s must be a non-negative number.", "advance_s"));
    }
    clock.advance(std::chrono::seconds(**advance));
    if (after_advance) after_advance();
    return Response::json(200, boost::json::object{{"now", common::toRfc3339(clock.now())}});
  });
}

}  // namespace kino::api
