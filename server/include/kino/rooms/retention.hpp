#pragma once
// What the archive stops keeping: rooms that ended more than `retention.min_years` ago, and rooms
// their owners delete — each with its chat and playback history and, when no other room shows it,
// its film's media in the blob store.

#include <string_view>

#include "kino/accounts/account_service.hpp"
#include "kino/common/clock.hpp"
#include "kino/common/result.hpp"
#include "kino/rooms/room_service.hpp"
#include "kino/storage/blob_store.hpp"

namespace kino::rooms {

class Retention {
 public:
  // The references must outlive the object. `min_years` ≥ 1 (the config insists on 3).
  Retention(RoomService& rooms, storage::BlobStore& blobs, const common::Clock& clock,
            int min_years);

  // Deletes every room that ended more than min_years before now (in batches) and the media of
  // films nobody shows any more; returns how many rooms went. Safe on several nodes at once.
  Result<int> purgeExpired();
  // The owner deletes a room now (RoomService::remove), then its film's media if nobody else
  // shows it.
  Result<void> remove(std::string_view slug, const accounts::User& user);

 private:
  // A failure to remove media is logged, not returned: the rows are gone already, and the orphaned
  // files hold no one's data but the film's.
  void removeMedia(const std::vector<std::string>& films);

  RoomService& rooms_;
  storage::BlobStore& blobs_;
  const common::Clock& clock_;
  const std::chrono::years keep_;
};

}  // namespace kino::rooms
