#include "kino/rooms/retention.hpp"

#include "kino/common/log.hpp"

namespace kino::rooms {

namespace {
constexpr int kBatch = 200;
}  // namespace

Retention::Retention(RoomService& rooms, storage::BlobStore& blobs, const common::Clock& clock,
                     int min_years)
    : rooms_(rooms), blobs_(blobs), clock_(clock), keep_(min_years) {}

Result<int> Retention::purgeExpired() {
  const auto cutoff =
      clock_.now() - std::chrono::duration_cast<common::TimePoint::duration>(keep_);
  int total = 0;
  for (;;) {
    auto purged = rooms_.purgeEndedBefore(cutoff, kBatch);
    if (!purged) return purged.error();
    removeMedia(purged->second);
    total += purged->first;
    if (purged->first < kBatch) break;
  }
  if (total > 0) log::info("rooms_purged", {{"rooms", total}});
  return total;
}

Result<void> Retention::remove(std::string_view slug, const accounts::User& user) {
  auto films = rooms_.remove(slug, user);
  if (!films) return films.error();
  removeMedia(*films);
  log::info("room_deleted", {{"room", std::string(slug)}});
  return success();
}

void Retention::removeMedia(const std::vector<std::string>& films) {
  for (const auto& id : films) {
    if (auto r = blobs_.removePrefix(id); !r) {
      log::warn("film_media_not_removed", {{"asset", id}, {"message", r.error().message}});
    }
  }
}

}  // namespace kino::rooms
