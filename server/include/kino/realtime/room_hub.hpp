#pragma once
// Room actors: each live room's RoomCore runs on its own strand; connections and the store talk to
// it only by posting there (no mutex in room code). The hub finds or loads a room's actor, and
// releases it once nobody has been connected for `release_after` (memory follows the live rooms).

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "kino/common/config.hpp"
#include "kino/realtime/media_gateway.hpp"
#include "kino/realtime/outlet.hpp"
#include "kino/realtime/room_core.hpp"
#include "kino/rooms/presence.hpp"
#include "kino/storage/store.hpp"
#include "kino/common/mutex.hpp"

namespace boost::asio {
class io_context;
class thread_pool;
}  // namespace boost::asio

namespace kino::realtime {

struct HubOptions {
  RoomCoreOptions core;           // includes the frame limits
  MediaGateway* media = nullptr;  // the video-call relay; null when video chat is off
  // An actor with nobody connected and nothing left to store is released after this long (the
  // next visitor loads the room from the store again).
  std::chrono::milliseconds release_after{5000};
};

class RoomActor;

class RoomHub {
 public:
  // `on_room_empty(slug)` runs on the worker pool when the last person leaves a room.
  RoomHub(boost::asio::io_context& io, boost::asio::thread_pool& workers, storage::Store& store,
          rooms::PresenceRegistry& presence, const common::Clock& clock, HubOptions options,
          std::function<void(const std::string& slug)> on_room_empty);
  ~RoomHub();

  // The actor of the room, loading it (recent messages, seq floor, playback, whether it ended) when
  // the room has none; the load runs outside the hub's lock. The caller must then call exactly one
  // of connect() or abandon() on the actor: until it does, the actor is not released. Blocks on
  // the store: call on the worker pool.
  Result<std::shared_ptr<RoomActor>> acquire(std::int64_t room_id, const std::string& slug);
  // The room ended: its actor, if it has one, announces room.ended and closes its connections
  // (kCloseRoomEnded). Thread-safe.
  void endRoom(std::int64_t room_id, RoomEnd how);
  // Closes every connection with 1001 "going away" (server shutdown). Thread-safe.
  void closeAll();
  // How many rooms have an actor now. Thread-safe.
  std::size_t actorCount() const;

  struct Shared;  // what every actor of the hub shares (defined in room_hub.cpp)

 private:
  friend class RoomActor;
  // Called on the actor's strand when it has been idle for release_after: forgets it unless an
  // acquire() handed it out meanwhile. Returns whether it was released.
  bool release(std::int64_t room_id, const RoomActor* actor);
  Result<RoomSetup> load(std::int64_t room_id, const std::string& slug);

  std::shared_ptr<Shared> shared_;
  mutable common::Mutex mu_;  // also taken for each actor's pending count changes
  std::map<std::int64_t, std::shared_ptr<RoomActor>> actors_ KINO_GUARDED_BY(mu_);
};

class RoomActor : public std::enable_shared_from_this<RoomActor> {
 public:
  // Thread-safe: each posts to the room's strand.
  // Connects the connection that acquire() was called for.
  void connect(Connect c, std::shared_ptr<Outlet> outlet);
  // The caller of acquire() will not connect after all (its upgrade failed).
  void abandon();
  void disconnect(ConnId conn);
  void receive(ConnId conn, std::string text);
  // A frame the socket could not even read as text (binary, oversized): answered like a bad one.
  void reject(ConnId conn, FrameError error);
  void end(RoomEnd how);
  void closeAll(int code, std::string reason);

  struct Impl;
  explicit RoomActor(std::unique_ptr<Impl> impl);
  ~RoomActor();

 private:
  friend class RoomHub;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kino::realtime
