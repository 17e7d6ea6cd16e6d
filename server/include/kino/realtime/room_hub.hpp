#pragma once
// Room actors: each live room's RoomCore runs on its own strand; connections and the store talk to
// it only by posting there (no mutex in room code). The hub finds or loads a room's actor.

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

namespace boost::asio {
class io_context;
class thread_pool;
}  // namespace boost::asio

namespace kino::realtime {

struct HubOptions {
  std::size_t chat_max_per_10s = 10;
  RoomCoreOptions core;
  MediaGateway* media = nullptr;  // the video-call relay; null when video chat is off
};

class RoomActor;

class RoomHub {
 public:
  // `on_room_empty(slug)` runs on the worker pool when the last person leaves a room.
  RoomHub(boost::asio::io_context& io, boost::asio::thread_pool& workers, storage::Store& store,
          rooms::PresenceRegistry& presence, const common::Clock& clock, HubOptions options,
          std::function<void(const std::string& slug)> on_room_empty);
  ~RoomHub();

  // The actor of the room, loading its recent messages on first use. Blocks on the store: call on
  // the worker pool.
  Result<std::shared_ptr<RoomActor>> acquire(std::int64_t room_id, const std::string& slug);
  // Closes every connection with 1001 "going away" (server shutdown). Thread-safe.
  void closeAll();

  struct Shared;  // what every actor of the hub shares (defined in room_hub.cpp)

 private:
  std::shared_ptr<Shared> shared_;
  std::mutex mu_;  // guards actors_
  std::map<std::int64_t, std::shared_ptr<RoomActor>> actors_;
};

class RoomActor : public std::enable_shared_from_this<RoomActor> {
 public:
  // Thread-safe: each posts to the room's strand.
  void connect(Connect c, std::shared_ptr<Outlet> outlet);
  void disconnect(ConnId conn);
  void receive(ConnId conn, std::string text);
  void closeAll(int code, std::string reason);

  struct Impl;
  explicit RoomActor(std::unique_ptr<Impl> impl);
  ~RoomActor();

 private:
  friend class RoomHub;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kino::realtime
