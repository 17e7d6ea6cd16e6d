#pragma once
// Room actors: each live room's RoomCore runs on its own strand; connections and the store talk to
// it only by posting there (no mutex in room code). The hub finds or loads a room's actor, and
// releases it once nobody has been connected for `release_after` (memory follows the live rooms).
//
// Several nodes (ClusterOptions::bus set): a room runs on exactly one node at a time, the holder of
// its lease "room:<id>" (renewed every second, `lease_ttl`). A node asked for a room another node
// runs hands out a relay (RemoteRoom) that forwards the connection over the bus; the owner answers
// through it (docs/ARCHITECTURE.md, "Cluster"). When an owner dies its lease expires, edges close
// the relayed sockets with 1012, browsers reconnect with resume_from, and the first node asked
// takes the lease and rebuilds the room from the store.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "kino/bus/bus.hpp"
#include "kino/common/config.hpp"
#include "kino/realtime/media_gateway.hpp"
#include "kino/realtime/outlet.hpp"
#include "kino/realtime/room_core.hpp"
#include "kino/realtime/room_link.hpp"
#include "kino/rooms/presence.hpp"
#include "kino/storage/store.hpp"
#include "kino/common/mutex.hpp"

namespace boost::asio {
class io_context;
class thread_pool;
}  // namespace boost::asio

namespace kino::realtime {

struct ClusterOptions {
  bus::Bus* bus = nullptr;         // null: a single node; every room runs here, no leases
  std::string node_id = "local";   // this node's name on the bus and in leases
  std::chrono::milliseconds lease_ttl{3000};  // a dead owner's rooms move on after this
  // Chat the store has not taken within `journal_after` (a database failover) is acknowledged
  // once it is in the room's journal on the bus ("durable.journal.room.<id>", replicated), and
  // written to the store when it answers again; the next owner replays the journal when it loads
  // the room (docs/design/0007-chat-journal.md). `journal_wait` bounds one journal call.
  std::chrono::milliseconds journal_after{500};
  std::chrono::milliseconds journal_wait{2000};
};

struct HubOptions {
  RoomCoreOptions core;           // includes the frame limits
  MediaGateway* media = nullptr;  // the video-call relay; null when video chat is off
  // An actor with nobody connected and nothing left to store is released after this long (the
  // next visitor loads the room from the store again).
  std::chrono::milliseconds release_after{5000};
  ClusterOptions cluster;
};

class RoomActor;
class RemoteRoom;

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
  Result<std::shared_ptr<RoomLink>> acquire(std::int64_t room_id, const std::string& slug);
  // The room ended: its actor, here or on the node that runs it, announces room.ended and closes
  // its connections (kCloseRoomEnded). Thread-safe.
  void endRoom(std::int64_t room_id, RoomEnd how);
  // Server shutdown: closes every connection (1001 "going away" on a single node; 1012 in a
  // cluster, so browsers reconnect to another node at once) and gives up this node's leases.
  // Thread-safe.
  void closeAll();
  // How many rooms have an actor (run here) now. Thread-safe.
  std::size_t actorCount() const;
  // How many rooms this node relays to another node now. Thread-safe.
  std::size_t relayCount() const;

  struct Shared;  // what every actor of the hub shares (defined in room_hub.cpp)

 private:
  friend class RoomActor;
  friend class RemoteRoom;
  // Called on the actor's strand when it has been idle for release_after (or lost its lease):
  // forgets it unless an acquire() handed it out meanwhile (`force`: regardless). Returns whether
  // it was released.
  bool release(std::int64_t room_id, const RoomActor* actor, bool force = false);
  // Forgets a relay once it has no connections left.
  void forgetRelay(std::int64_t room_id, const RemoteRoom* relay);
  // Builds the room from the store; in a cluster it first claims the room's chat journal and
  // stores what an earlier owner acknowledged from it (`journal_at`: where the claim stands).
  Result<RoomSetup> load(std::int64_t room_id, const std::string& slug, const storage::Fence& fence,
                         std::uint64_t& journal_at);
  // Claims the room's journal and stores its messages; returns the claim's position.
  Result<std::uint64_t> replayJournal(std::int64_t room_id, const storage::Fence& fence);
  // Edge side: a relay to the room's owner (reusing this node's relay for the room).
  std::shared_ptr<RoomLink> relayTo(std::int64_t room_id, const storage::LeaseRecord& lease);
  void startHeartbeat();

  std::shared_ptr<Shared> shared_;
  mutable common::Mutex mu_;  // also taken for each actor's pending count changes
  std::map<std::int64_t, std::shared_ptr<RoomActor>> actors_ KINO_GUARDED_BY(mu_);
  std::map<std::int64_t, std::shared_ptr<RemoteRoom>> relays_ KINO_GUARDED_BY(mu_);
};

// A room run on this node. Thread-safe: each call posts to the room's strand.
class RoomActor final : public RoomLink, public std::enable_shared_from_this<RoomActor> {
 public:
  void connect(Connect c, std::shared_ptr<Outlet> outlet) override;
  void abandon() override;
  void disconnect(ConnId conn) override;
  void receive(ConnId conn, std::string text) override;
  void reject(ConnId conn, FrameError error) override;
  void end(RoomEnd how);
  void closeAll(int code, std::string reason);

  struct Impl;
  explicit RoomActor(std::unique_ptr<Impl> impl);
  ~RoomActor() override;

 private:
  friend class RoomHub;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kino::realtime
