#include "kino/api/realtime_admission.hpp"

#include <charconv>

#include "kino/api/room_json.hpp"
#include "kino/http/pipeline.hpp"
#include "kino/realtime/protocol.hpp"

namespace kino::api {

Result<realtime::Admission> admitRealtime(const http::Request& req, const std::string& slug,
                                          accounts::AccountService& accounts,
                                          rooms::RoomService& rooms,
                                          const accounts::GuestTokens& guests,
                                          const MediaLookup& media,
                                          const http::PipelineOptions& origin_policy) {
  auto own = http::originFor(req, origin_policy);
  if (!own) return own.error();
  const std::string& origin = *own;
  if (auto o = req.headers.get("Origin"); o && *o != origin) {
    return Error::make(ErrorKind::kForbidden, "origin_rejected",
                       "WebSocket connections are only accepted from Kino's own pages.");
  }
  std::optional<std::int64_t> resume_from;
  if (auto r = http::queryParam(req.query, "resume_from"); r && !r->empty()) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(r->data(), r->data() + r->size(), v);
    if (ec != std::errc() || p != r->data() + r->size() || v < 0) {
      return Error::make(ErrorKind::kMalformed, "invalid_query",
                         "resume_from must be a non-negative whole number.");
    }
    resume_from = v;
  }
  auto ctx = resolveVisitor(req, accounts, guests, false);
  auto view = rooms.view(slug, ctx.visitor);
  if (!view) return view.error();
  if (view->room.status == "ended") {
    return Error::make(ErrorKind::kConflict, "room_ended", "This watch party has ended.");
  }
  if (!view->joined) {
    return Error::make(ErrorKind::kForbidden, "not_joined",
                       "Join the room (POST /api/v1/rooms/{slug}/join) before connecting.");
  }
  realtime::Admission a;
  a.room_id = view->room.id;
  a.slug = view->room.slug;
  a.principal = ctx.visitor.principal();
  a.member.id = realtime::memberIdFor(a.principal);
  a.member.name = view->display_name;
  if (ctx.visitor.user) a.member.user_id = ctx.visitor.user->id;
  a.room = roomJson(*view, origin, media);
  a.resume_from = resume_from;
  a.is_owner = view->is_owner;
  a.session = ctx.session;
  return a;
}

}  // namespace kino::api
