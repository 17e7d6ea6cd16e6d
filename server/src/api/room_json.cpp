#include "kino/api/room_json.hpp"

#include "kino/api/auth_routes.hpp"
#include "kino/api/media_routes.hpp"
#include <boost/json/parse.hpp>
#include <cmath>
#include "kino/http/cookies.hpp"

namespace kino::api {

using http::Request;
using http::Response;

namespace {
constexpr auto kGuestCookieAge = accounts::GuestTokens::kLifetime;

boost::json::value optionalTimeJson(const std::optional<common::TimePoint>& t) {
  if (!t) return nullptr;
  return boost::json::value(common::toRfc3339(*t));
}
}  // namespace

VisitorContext resolveVisitor(const Request& req, accounts::AccountService& accounts,
                              const accounts::GuestTokens& guests, bool mint_guest) {
  VisitorContext ctx;
  const auto header = req.headers.get("Cookie");
  const std::string session =
      header ? http::cookieValue(*header, kSessionCookie).value_or("") : std::string();
  if (auto user = accounts.authenticate(session)) {
    ctx.visitor.user = std::move(user).value();
    ctx.session = accounts::sessionTokenHash(session);
  }
  std::string token = header ? http::cookieValue(*header, kGuestCookie).value_or("") : "";
  if (!guests.valid(token)) token.clear();  // made up or altered on the client: not a guest
  if (token.empty() && mint_guest && !ctx.visitor.user) {
    token = guests.mint();
    ctx.new_guest_token = token;
  }
  if (!token.empty()) ctx.visitor.guest_id = accounts::sessionTokenHash(token);
  return ctx;
}

Response withGuestCookie(Response r, const VisitorContext& ctx, bool secure) {
  if (!ctx.new_guest_token.empty()) {
    r.headers.add("Set-Cookie",
                  http::setCookieHeader(kGuestCookie, ctx.new_guest_token,
                                        {.max_age = kGuestCookieAge, .secure = secure}));
  }
  return r;
}


boost::json::object MediaLookup::describe(const storage::RoomRecord& room, bool with_history) const {
  auto asset = room.asset_id.empty() ? Result<storage::AssetRecord>(Error::internal("none"))
                                     : store.assets().find(room.asset_id);
  if (!asset) {
    boost::json::object none{{"state", "none"}, {"percent", 0},       {"eta_s", nullptr},
                             {"error", nullptr}, {"playable", false}, {"duration_s", nullptr}};
    if (with_history) none["history"] = boost::json::array{};
    return none;
  }
  boost::json::object m{{"state", asset->state},
                        {"percent", std::round(asset->percent * 10) / 10},
                        {"playable", asset->playable}};
  m["eta_s"] = asset->eta_s ? boost::json::value(*asset->eta_s) : boost::json::value(nullptr);
  m["error"] = asset->error.empty() ? boost::json::value(nullptr) : boost::json::value(asset->error);
  m["duration_s"] = asset->duration_s ? boost::json::value(*asset->duration_s)
                                      : boost::json::value(nullptr);
  if (asset->playable || asset->state == "ready") {
    const std::string prefix = mediaPrefix(asset->id, room.visibility == "public", signer, clock.now());
    if (asset->playable) m["hls_url"] = prefix + "/master.m3u8";
    if (asset->state == "ready") m["poster_url"] = prefix + "/poster.jpg";
  }
  if (with_history) {
    boost::system::error_code ec;
    auto h = boost::json::parse(asset->history, ec);
    m["history"] = ec ? boost::json::value(boost::json::array{}) : h;
  }
  return m;
}

boost::json::object roomJson(const rooms::RoomView& v, const std::string& origin,
                             const MediaLookup& media) {
  const auto& r = v.room;
  boost::json::object o{
      {"slug", r.slug},
      {"title", r.title},
      {"description", r.description},
      {"visibility", r.visibility},
      {"status", r.status},
      {"starts_at", optionalTimeJson(r.starts_at)},
      {"duration_minutes", r.duration_minutes},
      {"owner", {{"id", std::to_string(r.owner_id)},
                 {"username", r.owner_username},
                 {"display_name", r.owner_display_name}}},
      {"participants", v.participants},
      {"url", origin + "/r/" + r.slug},
      {"media", media.describe(r)},
      {"created_at", common::toRfc3339(r.created_at)},
      {"live_at", optionalTimeJson(r.live_at)},
      {"ended_at", optionalTimeJson(r.ended_at)},
      {"ended_reason", r.ended_reason.empty() ? boost::json::value(nullptr)
                                              : boost::json::value(r.ended_reason)},
      {"is_owner", v.is_owner},
      {"joined", v.joined},
      {"display_name", v.joined ? boost::json::value(v.display_name) : boost::json::value(nullptr)},
  };
  if (r.visibility == "private") o["protected_by"] = r.key_kind;
  if (v.joined) o["video_url"] = r.video_url;
  return o;
}


}  // namespace kino::api
