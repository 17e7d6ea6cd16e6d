#include "kino/rooms/room_service.hpp"

#include <boost/url/parse.hpp>

#include "kino/common/log.hpp"
#include "kino/common/text.hpp"

namespace kino::rooms {
namespace {

using storage::RoomRecord;
using namespace std::chrono_literals;

constexpr int kSlugAttempts = 8;
constexpr std::size_t kAccessKeyLength = 16;
constexpr std::size_t kRoomPasswordMin = 6, kRoomPasswordMax = 128;
constexpr auto kMaxScheduleAhead = std::chrono::hours(24 * 366);
constexpr auto kPastTolerance = 5min;  // a start time this close to now means "start now"

Error invalid(std::string field, std::string message) {
  return Error::make(ErrorKind::kInvalid, "invalid_field", std::move(message), std::move(field));
}

Error rateLimited(std::chrono::seconds retry_after, std::string what) {
  Error e = Error::make(ErrorKind::kRateLimited, "rate_limited",
                        std::move(what) + " Try again in " + std::to_string(retry_after.count()) +
                            " seconds.");
  e.retry_after = retry_after;
  return e;
}

Result<void> validateVideoUrl(std::string_view url) {
  if (url.empty()) return invalid("video_url", "Paste the link of the video to watch.");
  if (url.size() > 2048) return invalid("video_url", "The video link is too long (2048 characters at most).");
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return invalid("video_url", "That is not a valid link. It should start with https://");
  const auto scheme = parsed->scheme_id();
  if (scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https) {
    return invalid("video_url", "Only http:// and https:// video links are supported.");
  }
  if (!parsed->has_authority() || parsed->host().empty()) {
    return invalid("video_url", "The video link needs a host name.");
  }
  return success();
}

Result<void> validateDuration(int minutes) {
  if (minutes < 1 || minutes > 24 * 60) {
    return invalid("duration_minutes", "The expected length must be between 1 minute and 24 hours.");
  }
  return success();
}

Result<void> validateStart(common::TimePoint starts_at, common::TimePoint now) {
  if (starts_at < now - kPastTolerance) {
    return invalid("starts_at", "The start time is in the past. Pick a time in the future.");
  }
  if (starts_at > now + kMaxScheduleAhead) {
    return invalid("starts_at", "Rooms can be scheduled at most a year ahead.");
  }
  return success();
}

std::string formatAccessKey(const std::string& raw) {
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (i > 0 && i % 4 == 0) out += '-';
    out += raw[i];
  }
  return out;
}

}  // namespace

RoomService::RoomService(storage::Store& store, const common::Clock& clock, common::Random& random,
                         const PresenceRegistry& presence, const common::RoomsConfig& config,
                         accounts::Argon2Params argon2, common::RateWindowFactory rate_windows)
    : store_(store), clock_(clock), random_(random), presence_(presence), config_(config),
      hasher_(argon2) {
  if (!rate_windows) rate_windows = common::inMemoryRateWindows(clock);
  failures_by_ip_ = rate_windows("join_ip", static_cast<std::size_t>(config.join_ip_max_failures),
                                 std::chrono::seconds(config.join_window_s));
  failures_by_room_ =
      rate_windows("join_room", static_cast<std::size_t>(config.join_room_max_failures),
                   std::chrono::seconds(config.join_window_s));
  creates_by_user_ = rate_windows(
      "create_user", static_cast<std::size_t>(config.create_user_max_per_hour), std::chrono::hours(1));
}

Result<CreatedRoom> RoomService::create(const accounts::User& owner, const CreateRoomRequest& req) {
  if (auto v = common::validateText(req.title, "title", "Title", {1, 120, false, true}); !v) return v.error();
  if (auto v = validateVideoUrl(req.video_url); !v) return v.error();
  if (req.visibility != "public" && req.visibility != "private") {
    return invalid("visibility", "Choose whether the room is public or private.");
  }
  if (auto v = common::validateText(req.description, "description", "Description", {0, 2000, true});
      !v) {
    return v.error();
  }
  const int duration = req.duration_minutes.value_or(config_.default_duration_min);
  if (auto v = validateDuration(duration); !v) return v.error();
  const auto now = clock_.now();
  std::optional<common::TimePoint> starts_at;
  if (req.starts_at) {
    if (auto v = validateStart(*req.starts_at, now); !v) return v.error();
    if (*req.starts_at > now) starts_at = req.starts_at;
  }
  const std::string owner_key = "user:" + std::to_string(owner.id);
  if (auto d = creates_by_user_->check(owner_key); !d.allowed) {
    return rateLimited(d.retry_after, "You have created many rooms in the last hour.");
  }

  storage::NewRoom room;
  room.owner_id = owner.id;
  room.title = req.title;
  room.description = req.description;
  room.video_url = req.video_url;
  room.visibility = req.visibility;
  room.starts_at = starts_at;
  room.duration_minutes = duration;
  room.status = starts_at ? "scheduled" : "live";
  room.created_at = now;
  std::optional<std::string> access_key;
  if (req.visibility == "private") {
    auto key = newKey(req.password);
    if (!key) return key.error();
    room.key_kind = std::move(key->kind);
    room.key_hash = std::move(key->hash);
    access_key = std::move(key->access_key);
  }

  for (int attempt = 0; attempt < kSlugAttempts; ++attempt) {
    room.slug = common::randomString(random_, kSlugAlphabet,
                                     static_cast<std::size_t>(config_.slug_length));
    auto created = store_.rooms().create(room);
    if (!created) {
      if (created.error().code == "slug_taken") continue;
      return created.error();
    }
    creates_by_user_->record(owner_key);
    Visitor visitor{owner, {}};
    return CreatedRoom{viewOf(std::move(created).value(), visitor, true, owner.display_name),
                       access_key};
  }
  return Error::make(ErrorKind::kUnavailable, "slug_exhausted",
                     "Could not find a free short link for the room. Please try again.");
}

Result<RoomService::NewKey> RoomService::newKey(const std::optional<std::string>& password) {
  NewKey key;
  std::string secret;
  if (password && !password->empty()) {
    const long n = common::utf8Length(*password);
    if (n < static_cast<long>(kRoomPasswordMin) || n > static_cast<long>(kRoomPasswordMax)) {
      return invalid("password", "The room password must be 6–128 characters long.");
    }
    key.kind = "password";
    secret = *password;
  } else {
    const std::string raw = common::randomString(random_, kSlugAlphabet, kAccessKeyLength);
    key.access_key = formatAccessKey(raw);
    key.kind = "access_key";
    secret = raw;
  }
  auto hash = hasher_.hash(secret);
  if (!hash) return hash.error();
  key.hash = std::move(hash).value();
  return key;
}

Result<std::vector<RoomView>> RoomService::mine(const accounts::User& user) {
  const Visitor visitor{user, {}};
  auto rooms = store_.rooms().listForUser(user.id, visitor.principal(), kMineMax);
  if (!rooms) return rooms.error();
  std::vector<RoomView> views;
  views.reserve(rooms->size());
  for (auto& room : *rooms) {
    std::string display_name;
    auto access = hasAccess(room, visitor, display_name);
    if (!access) return access.error();
    views.push_back(viewOf(std::move(room), visitor, *access, std::move(display_name)));
  }
  return views;
}

Result<CreatedRoom> RoomService::rotateKey(std::string_view slug, const accounts::User& user,
                                           const std::optional<std::string>& password) {
  auto room = loadOwned(slug, user);
  if (!room) return room.error();
  if (room->visibility != "private") {
    return Error::make(ErrorKind::kConflict, "room_public",
                       "This room is public: it has no password or access key to change.");
  }
  if (room->status == "ended") {
    return Error::make(ErrorKind::kConflict, "room_ended",
                       "This room has ended: nobody can join it any more, so it needs no new key.");
  }
  auto key = newKey(password);
  if (!key) return key.error();
  if (auto r = store_.rooms().setKey(room->id, key->kind, key->hash); !r) return r.error();
  room->key_kind = key->kind;
  room->key_hash = key->hash;
  const Visitor visitor{user, {}};
  return CreatedRoom{viewOf(std::move(room).value(), visitor, true, user.display_name),
                     std::move(key->access_key)};
}

Result<RoomRecord> RoomService::load(std::string_view slug) {
  auto room = store_.rooms().findBySlug(slug);
  if (!room) {
    if (room.error().kind == ErrorKind::kNotFound) {
      return Error::make(ErrorKind::kNotFound, "room_not_found",
                         "There is no room at this link. Check the link or ask for a new one.");
    }
    return room.error();
  }
  const std::string before = room->status;
  if (advanceLifecycle(*room, clock_.now(), presence_.participants(slug),
                       std::chrono::minutes(config_.empty_timeout_min))) {
    if (auto u = save(*room, before); !u) return u.error();
  }
  return room;
}

Result<void> RoomService::save(const RoomRecord& room, std::string_view status_before) {
  if (auto u = store_.rooms().update(room); !u) return u;
  if (room.status == "ended" && status_before != "ended") closeVisits(room);
  if (room.status == "ended" && status_before != "ended" && on_ended_) on_ended_(room);
  return success();
}

void RoomService::closeVisits(const RoomRecord& room) {
  const common::TimePoint at = room.ended_at.value_or(clock_.now());
  if (auto r = store_.visits().closeAll(room.id, at); !r) {
    log::warn("visits_close_failed", {{"room", room.slug}, {"message", r.error().message}});
  }
}

void RoomService::onEnded(std::function<void(const RoomRecord&)> listener) {
  on_ended_ = std::move(listener);
}

Result<RoomRecord> RoomService::loadOwned(std::string_view slug, const accounts::User& user) {
  auto room = load(slug);
  if (!room) return room;
  if (room->owner_id != user.id) {
    return Error::make(ErrorKind::kForbidden, "not_owner", "Only the room's owner can do that.");
  }
  return room;
}

RoomView RoomService::viewOf(RoomRecord room, const Visitor& visitor, bool joined,
                             std::string display_name) const {
  RoomView v;
  v.participants = presence_.participants(room.slug);
  v.is_owner = visitor.user && visitor.user->id == room.owner_id;
  v.joined = joined || v.is_owner;
  v.display_name = std::move(display_name);
  v.room = std::move(room);
  return v;
}

Result<bool> RoomService::hasAccess(const RoomRecord& room, const Visitor& visitor,
                                    std::string& display_name) {
  if (visitor.user && visitor.user->id == room.owner_id) {
    display_name = visitor.user->display_name;
    return true;
  }
  const std::string principal = visitor.principal();
  if (principal.empty()) return false;
  auto grant = store_.rooms().findGrant(room.id, principal);
  if (grant) {
    display_name = grant->display_name;
    return true;
  }
  if (grant.error().kind != ErrorKind::kNotFound) return grant.error();
  return false;
}

Result<RoomView> RoomService::view(std::string_view slug, const Visitor& visitor) {
  auto room = load(slug);
  if (!room) return room.error();
  std::string display_name;
  auto access = hasAccess(*room, visitor, display_name);
  if (!access) return access.error();
  if (!*access && room->visibility == "private") {
    return Error::make(ErrorKind::kForbidden, "room_private",
                       "This room is private. Enter its password or access key to join.");
  }
  if (!*access && visitor.user) display_name = visitor.user->display_name;
  return viewOf(std::move(room).value(), visitor, *access, std::move(display_name));
}

Result<RoomDoor> RoomService::door(std::string_view slug) {
  auto room = load(slug);
  if (!room) return room.error();
  if (room->visibility != "private") {
    return Error::make(ErrorKind::kNotFound, "room_not_found", "There is no such private room.");
  }
  return RoomDoor{room->title, room->owner_display_name, room->key_kind};
}

Result<void> RoomService::checkKey(const RoomRecord& room, const std::optional<std::string>& key,
                                   std::string_view client_ip) {
  const std::string ip_key(client_ip);
  if (auto d = failures_by_ip_->check(ip_key); !d.allowed) {
    return rateLimited(d.retry_after, "Too many wrong passwords.");
  }
  if (auto d = failures_by_room_->check(room.slug); !d.allowed) {
    return rateLimited(d.retry_after, "Too many wrong passwords for this room.");
  }
  if (!key || key->empty() || key->size() > 1024) {
    return Error::make(ErrorKind::kForbidden, "room_key_required",
                       "Enter the room's password or access key.", "key");
  }
  const std::string candidate = room.key_kind == "access_key" ? normalizeAccessKey(*key) : *key;
  // argon2id verification costs the same whatever the input, so the comparison leaks no timing.
  if (!hasher_.verify(room.key_hash, candidate)) {
    failures_by_ip_->record(ip_key);
    failures_by_room_->record(room.slug);
    return Error::make(ErrorKind::kForbidden, "wrong_room_key",
                       "That password or access key is not right. Check it and try again.", "key");
  }
  return success();
}

Result<RoomView> RoomService::join(std::string_view slug, const Visitor& visitor,
                                   const JoinRequest& req, std::string_view client_ip) {
  if (!visitor.user && !config_.guests_allowed) {
    return Error::make(ErrorKind::kUnauthenticated, "account_required",
                       "Log in or create an account to join rooms on this server.");
  }
  if (visitor.principal().empty()) {
    return Error::make(ErrorKind::kUnauthenticated, "not_authenticated",
                       "Your browser did not keep Kino's cookie. Allow cookies and try again.");
  }
  auto room = load(slug);
  if (!room) return room.error();
  if (room->status == "ended") {
    return Error::make(ErrorKind::kConflict, "room_ended",
                       room->ended_reason == "cancelled"
                           ? "This watch party was cancelled by its host."
                           : "This watch party has ended.");
  }

  std::string display_name;
  if (req.display_name && !req.display_name->empty()) {
    display_name = *req.display_name;
  } else if (visitor.user) {
    display_name = visitor.user->display_name;
  } else {
    return invalid("display_name", "Enter the name others will see.");
  }
  if (auto v = common::validateText(display_name, "display_name", "Name", {1, 64, false, true}); !v) {
    return v.error();
  }

  std::string existing_name;
  auto access = hasAccess(*room, visitor, existing_name);
  if (!access) return access.error();
  if (!*access && room->visibility == "private") {
    if (auto k = checkKey(*room, req.key, client_ip); !k) return k.error();
  }
  const auto now = clock_.now();
  if (auto g = store_.rooms().putGrant({room->id, visitor.principal(), display_name, now}); !g) {
    return g.error();
  }
  if (room->status == "live") {
    room->last_active_at = now;
    if (auto u = store_.rooms().update(*room); !u) return u.error();
  }
  return viewOf(std::move(room).value(), visitor, true, display_name);
}

Result<std::vector<RoomView>> RoomService::listPublic(std::string_view status,
                                                      const Visitor& visitor) {
  if (status != "live" && status != "scheduled") {
    return invalid("status", "status must be live or scheduled.");
  }
  if (auto s = sweep(std::chrono::seconds(1)); !s) return s.error();
  auto rooms = store_.rooms().listPublic(status, 100);
  if (!rooms) return rooms.error();
  std::vector<RoomView> out;
  out.reserve(rooms->size());
  for (auto& r : *rooms) out.push_back(viewOf(std::move(r), visitor, false, {}));
  return out;
}

Result<MessagePage> RoomService::messages(std::string_view slug, const Visitor& visitor,
                                          std::optional<std::int64_t> before, int limit) {
  if (limit < 1 || limit > 100) return invalid("limit", "limit must be between 1 and 100.");
  auto v = view(slug, visitor);
  if (!v) return v.error();
  auto page = store_.messages().page(v->room.id, before, limit + 1);
  if (!page) return page.error();
  MessagePage out;
  out.messages = std::move(page).value();
  if (out.messages.size() > static_cast<std::size_t>(limit)) {
    out.has_more = true;
    out.messages.erase(out.messages.begin());
  }
  return out;
}

Result<std::pair<RoomView, std::vector<storage::MessageRecord>>> RoomService::transcript(
    std::string_view slug, const Visitor& visitor) {
  constexpr int kPage = 500;
  auto v = view(slug, visitor);
  if (!v) return v.error();
  std::vector<std::vector<storage::MessageRecord>> pages;  // newest page first
  std::optional<std::int64_t> before;
  std::size_t total = 0;
  for (;;) {
    auto page = store_.messages().page(v->room.id, before, kPage);
    if (!page) return page.error();
    if (page->empty()) break;
    before = page->front().seq;
    total += page->size();
    const bool last = page->size() < static_cast<std::size_t>(kPage);
    pages.push_back(std::move(page).value());
    if (last) break;
  }
  std::vector<storage::MessageRecord> all;
  all.reserve(total);
  for (auto it = pages.rbegin(); it != pages.rend(); ++it) {
    std::move(it->begin(), it->end(), std::back_inserter(all));
  }
  return std::pair{std::move(v).value(), std::move(all)};
}

Result<RoomService::Archive> RoomService::archive(std::string_view slug, const Visitor& visitor) {
  auto v = view(slug, visitor);
  if (!v) return v.error();
  auto grants = store_.rooms().listGrants(v->room.id);
  if (!grants) return grants.error();
  auto visits = store_.visits().list(v->room.id);
  if (!visits) return visits.error();
  auto timeline = store_.playback().all(v->room.id);
  if (!timeline) return timeline.error();
  const auto ended_at = v->room.status == "ended" ? v->room.ended_at : std::nullopt;
  auto people = archivePeople(*grants, *visits, ended_at);
  return Archive{std::move(v).value(), std::move(people), std::move(timeline).value()};
}

Result<RoomView> RoomService::update(std::string_view slug, const accounts::User& user,
                                     const RoomPatch& patch) {
  auto room = loadOwned(slug, user);
  if (!room) return room.error();
  if (room->status == "ended") {
    return Error::make(ErrorKind::kConflict, "room_ended", "This room has ended.");
  }
  if (patch.title) {
    if (auto v = common::validateText(*patch.title, "title", "Title", {1, 120, false, true}); !v) {
      return v.error();
    }
    room->title = *patch.title;
  }
  if (patch.description) {
    if (auto v = common::validateText(*patch.description, "description", "Description",
                                      {0, 2000, true});
        !v) {
      return v.error();
    }
    room->description = *patch.description;
  }
  if ((patch.starts_at || patch.duration_minutes) && room->status != "scheduled") {
    return Error::make(ErrorKind::kConflict, "room_started",
                       "The room has already started; its time can no longer change.");
  }
  if (patch.starts_at) {
    const auto now = clock_.now();
    if (auto v = validateStart(*patch.starts_at, now); !v) return v.error();
    if (*patch.starts_at <= now) {
      return invalid("starts_at", "The start time is in the past. Pick a time in the future.");
    }
    room->starts_at = patch.starts_at;
  }
  if (patch.duration_minutes) {
    if (auto v = validateDuration(*patch.duration_minutes); !v) return v.error();
    room->duration_minutes = *patch.duration_minutes;
  }
  if (auto u = store_.rooms().update(*room); !u) return u.error();
  return viewOf(std::move(room).value(), Visitor{user, {}}, true, user.display_name);
}

Result<RoomView> RoomService::end(std::string_view slug, const accounts::User& user) {
  auto room = loadOwned(slug, user);
  if (!room) return room.error();
  if (room->status != "ended") {
    const std::string before = room->status;
    room->ended_reason = room->status == "scheduled" ? "cancelled" : "owner_ended";
    room->status = "ended";
    room->ended_at = clock_.now();
    if (auto u = save(*room, before); !u) return u.error();
  }
  return viewOf(std::move(room).value(), Visitor{user, {}}, true, user.display_name);
}

Result<std::vector<std::string>> RoomService::remove(std::string_view slug,
                                                    const accounts::User& user) {
  auto room = loadOwned(slug, user);
  if (!room) return room.error();
  if (room->status != "ended") {
    const std::string before = room->status;
    room->status = "ended";
    room->ended_reason = "deleted";
    room->ended_at = clock_.now();
    if (auto u = save(*room, before); !u) return u.error();
  }
  return store_.rooms().purge(room->id);
}

Result<std::pair<int, std::vector<std::string>>> RoomService::purgeEndedBefore(
    common::TimePoint cutoff, int limit) {
  auto rooms = store_.rooms().listEndedBefore(cutoff, limit);
  if (!rooms) return rooms.error();
  std::pair<int, std::vector<std::string>> out{0, {}};
  for (const auto& r : *rooms) {
    auto films = store_.rooms().purge(r.id);
    if (!films) {
      if (films.error().kind == ErrorKind::kNotFound) continue;  // another node was first
      return films.error();
    }
    ++out.first;
    out.second.insert(out.second.end(), films->begin(), films->end());
  }
  return out;
}

Result<void> RoomService::touch(std::string_view slug) {
  auto room = load(slug);
  if (!room) return room.error();
  if (room->status != "live") return success();
  room->last_active_at = clock_.now();
  return store_.rooms().update(*room);
}

Result<void> RoomService::refreshOccupied() {
  for (const auto& slug : presence_.occupied()) {
    // load() advances the room's lifecycle with this node's count: people in, so it is active.
    if (auto room = load(slug); !room && room.error().code != "room_not_found") return room.error();
  }
  return success();
}

Result<int> RoomService::sweep(std::chrono::milliseconds min_interval) {
  const auto now = clock_.now();
  const std::int64_t now_ms = common::toUnixMillis(now);
  std::int64_t last = last_sweep_ms_.load();
  if (now_ms - last < min_interval.count()) return 0;
  last_sweep_ms_.store(now_ms);
  auto rooms = store_.rooms().listOpen(100000);
  if (!rooms) return rooms.error();
  int changed = 0;
  for (auto& r : *rooms) {
    const std::string before = r.status;
    if (!advanceLifecycle(r, now, presence_.participants(r.slug),
                          std::chrono::minutes(config_.empty_timeout_min))) {
      continue;
    }
    if (auto u = save(r, before); !u) return u.error();
    ++changed;
  }
  return changed;
}

}  // namespace kino::rooms
