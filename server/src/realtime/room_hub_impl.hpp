#pragma once
// Private to the realtime module's Asio side: what the hub, its room actors (rooms run here) and
// its remote rooms (rooms run on another node, reached over the bus) share.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <map>
#include <optional>
#include <set>

#include "kino/bus/bus.hpp"
#include "kino/realtime/cluster_wire.hpp"
#include "kino/realtime/room_hub.hpp"
#include "kino/realtime/store_reach.hpp"
#include "relay_link.hpp"

namespace kino::realtime {

namespace asio = boost::asio;

class RemoteRoom;
class RelayOutlet;

// Connection ids the owner gives connections relayed from other nodes: far above the ids this
// node's own sockets get, so the two never meet.
inline constexpr ConnId kFirstRelayedConn = ConnId{1} << 62;
inline constexpr int kCloseRoomMoved = 1012;  // "service restart": reconnect at once, anywhere

struct RoomHub::Shared {
  Shared(RoomHub& h, asio::io_context& i, asio::thread_pool& w, storage::Store& st,
         rooms::PresenceRegistry& p, const common::Clock& c, HubOptions o,
         std::function<void(const std::string&)> empty)
      : owner(h),
        io(i),
        workers(w),
        store(st),
        presence(p),
        clock(c),
        options(std::move(o)),
        on_room_empty(std::move(empty)),
        people(c, options.core.limits),
        reach(options.cluster.lease_ttl),
        heartbeat(i) {}

  bool clustered() const { return options.cluster.bus != nullptr; }
  bus::Bus& bus() const { return *options.cluster.bus; }
  const std::string& node() const { return options.cluster.node_id; }
  std::chrono::milliseconds ttl() const { return options.cluster.lease_ttl; }
  // Runs one lease call to the store and records how the store answered (see StoreReach).
  template <class Call>
  auto leaseCall(Call&& call) {
    const auto start = std::chrono::steady_clock::now();
    auto result = call(store.leases());
    reach.record(clock.now(), std::chrono::steady_clock::now() - start,
                 result.ok() || result.error().kind != ErrorKind::kUnavailable);
    return result;
  }

  RoomHub& owner;  // outlives every actor's work: ~RoomHub runs after the io_context stopped
  asio::io_context& io;
  asio::thread_pool& workers;
  storage::Store& store;
  rooms::PresenceRegistry& presence;
  const common::Clock& clock;
  HubOptions options;
  std::function<void(const std::string&)> on_room_empty;
  PersonLimiters people;
  std::atomic<ConnId> next_relayed{kFirstRelayedConn};
  StoreReach reach;  // whether an expired lease means a dead node (not a store outage)

  // Edge side: this node's sockets whose rooms run elsewhere, by connection id; frames the owners
  // send on this node's inbox are handed to them.
  common::Mutex edge_mu;
  struct EdgeConn {
    std::weak_ptr<Outlet> outlet;
    std::weak_ptr<RemoteRoom> relay;
  };
  std::map<ConnId, EdgeConn> edge_outlets KINO_GUARDED_BY(edge_mu);
  std::unique_ptr<bus::Subscription> node_inbox;        // set once in the constructor
  std::unique_ptr<bus::Subscription> presence_reports;  // the other nodes' people counts
  asio::steady_timer heartbeat;  // renews this node's lease and reports its people counts
  // Runs the blocking journal calls: not the worker pool, whose threads may all be waiting for a
  // store that is failing over. Stopped and joined by ~RoomHub.
  asio::thread_pool journal_pool{1};
};

struct RoomActor::Impl {
  Impl(std::shared_ptr<RoomHub::Shared> h, std::string s, RoomSetup setup,
       std::optional<storage::LeaseRecord> held, std::uint64_t journal_at)
      : hub(std::move(h)),
        room_id(setup.room_id),
        slug(std::move(s)),
        strand(asio::make_strand(hub->io)),
        timer(strand),
        wake(strand),
        core(std::move(setup), hub->clock, hub->people, hub->options.core),
        lease(std::move(held)),
        store_wait(strand) {
    if (hub->clustered()) {
      journal = Journal{roomJournal(room_id), journal_at, {}};
      bus_reconnects = hub->options.cluster.bus->reconnects();
    }
  }

  std::int64_t nowMs() const { return common::toUnixMillis(hub->clock.now()); }
  // What the room's writes carry: the lease it runs under (the store refuses them once another
  // node holds the room); unfenced on a single node.
  storage::Fence fence() const {
    return lease ? storage::Fence{lease->name, lease->holder, lease->token} : storage::Fence{};
  }

  void scheduleTick(const std::shared_ptr<RoomActor>& self);
  void wakeAt(std::int64_t at_ms, const std::shared_ptr<RoomActor>& self);
  void apply(Effects fx, const std::shared_ptr<RoomActor>& self);
  void applyMedia(Effects& fx);
  // Records who arrived and who left (storage::VisitRepository) on the worker pool, in the order
  // the core reported them: queued here, written by one worker job at a time (writeVisits); a
  // failed write is logged, the room goes on. On `strand`.
  void recordVisits(const Effects& fx, const std::shared_ptr<RoomActor>& self);
  void writeVisits(const std::shared_ptr<RoomActor>& self);
  void maybeRelease(const std::shared_ptr<RoomActor>& self);

  // Chat durability (room_actor_chat.cpp). The batch RoomCore handed over goes to the store; in a
  // cluster, when the store has not answered within journal_after (or refused for being
  // unavailable, or is still busy with an earlier batch), it goes to the room's journal instead,
  // and whichever is durable first answers the core. Journaled messages are written to the store
  // with the next batch or on the next tick; once stored, the journal is trimmed.
  void persistChat(std::vector<storage::NewMessage> batch, const std::shared_ptr<RoomActor>& self);
  void appendToStore(std::vector<storage::NewMessage> messages, std::uint64_t batch_id,
                     const std::shared_ptr<RoomActor>& self);
  void storeAnswered(std::uint64_t batch_id, const std::vector<storage::NewMessage>& messages,
                     const Result<std::vector<storage::MessageRecord>>& result,
                     const std::shared_ptr<RoomActor>& self);
  void journalChat(const std::shared_ptr<RoomActor>& self);
  void appendToJournal(const std::shared_ptr<RoomActor>& self);
  void storeJournaling(const std::shared_ptr<RoomActor>& self);
  void journaled(std::uint64_t batch_id, const Result<std::uint64_t>& result,
                 const std::shared_ptr<RoomActor>& self);
  void flushJournal(const std::shared_ptr<RoomActor>& self);
  void trimJournal(const std::shared_ptr<RoomActor>& self);
  bool chatIdle() const {
    return !chat_batch && !store_busy && (!journal || journal->unstored.empty());
  }

  // Cluster (owner side). All on `strand`.
  // Takes a relayed message for this room.
  void relayed(ToOwner m, const std::shared_ptr<RoomActor>& self);
  // Passes a relayed frame, reject or link through the connection's numbering: whether to apply
  // it now. A connection that lost messages for good is closed (its client resumes).
  bool takeRelayed(ConnId conn, const ToOwner& m);
  // Each tick: repairs what a reconnect of this node's bus may have lost, and open gaps.
  void repairRelays();
  // Renews the room's lease and checks that the nodes relaying connections are alive; a lease
  // lost to another node ends this actor (its connections are told to reconnect).
  void checkLease(const std::shared_ptr<RoomActor>& self);
  void leaseChecked(bool kept, const std::set<std::string>& dead_edges,
                    const std::shared_ptr<RoomActor>& self);
  // Stops running the room here: closes every connection with `code`, forgets the actor.
  void stop(int code, const std::string& reason, const std::shared_ptr<RoomActor>& self);
  void forget();

  std::shared_ptr<RoomHub::Shared> hub;
  std::int64_t room_id;
  std::string slug;
  asio::strand<asio::io_context::executor_type> strand;
  asio::steady_timer timer;
  asio::steady_timer wake;
  std::optional<std::int64_t> wake_at_ms;
  RoomCore core;
  std::map<ConnId, std::shared_ptr<Outlet>> outlets;
  // acquire() calls not yet followed by connect() or abandon(); raised under the hub's lock.
  std::atomic<int> pending{0};
  std::optional<std::int64_t> idle_since_ms;
  bool released = false;  // on the strand
  // Visit writes not handed to the worker pool yet ({opens, the move}), and whether a batch is
  // being written. On the strand.
  struct VisitWrite {
    bool opens = false;
    Effects::MemberMove move;
  };
  std::vector<VisitWrite> visit_queue;
  bool writing_visits = false;

  // Cluster: the lease this node runs the room under, the subscription to its inbox, and the
  // connections relayed from other nodes ({edge node, edge conn} → local conn, and back).
  std::optional<storage::LeaseRecord> lease;
  std::unique_ptr<bus::Subscription> inbox;
  std::map<std::pair<std::string, ConnId>, ConnId> relayed_conns;
  std::map<ConnId, std::string> relayed_from;
  std::map<ConnId, std::shared_ptr<RelayOutlet>> relay_outlets;  // the same outlets, typed
  std::uint64_t bus_reconnects = 0;  // the bus's count at the last repairRelays()
  bool checking_lease = false;

  // Chat on its way to durability (all on `strand`).
  struct Journal {
    std::string subject;
    std::uint64_t position = 0;  // this owner's claim or last append: the next append goes after
    std::vector<storage::NewMessage> unstored;  // acknowledged from the journal, not stored yet
    // An append is running. One at a time: each expects the position the one before left. It may
    // outlive its batch (the store answered first); a batch that needs the journal meanwhile waits.
    bool appending = false;
  };
  std::optional<Journal> journal;  // cluster only
  struct ChatBatch {
    std::uint64_t id = 0;
    std::vector<storage::NewMessage> messages;  // kept only when it may go to the journal
    std::size_t size = 0;                       // how many messages the core handed over
    bool journaling = false;  // it waits for the journal (its append is running or queued)
  };
  std::optional<ChatBatch> chat_batch;  // the batch RoomCore waits to hear about
  std::uint64_t next_batch_id = 1;      // 0 means "no batch": a flush of journaled messages
  bool store_busy = false;              // a chat append to the store is running
  asio::steady_timer store_wait;        // journal_after, for the batch in the store
};

// A room another node runs, seen from this node (the edge): relays this node's connections to the
// owner's inbox and watches the owner's lease; when the owner is gone (the lease expired or moved)
// it closes the connections with 1012 so browsers reconnect and resume, wherever the room goes.
class RemoteRoom final : public RoomLink, public std::enable_shared_from_this<RemoteRoom> {
 public:
  RemoteRoom(std::shared_ptr<RoomHub::Shared> hub, std::int64_t room_id,
             storage::LeaseRecord owner);
  ~RemoteRoom() override;

  void connect(Connect c, std::shared_ptr<Outlet> outlet) override;
  void abandon() override;
  void disconnect(ConnId conn) override;
  void receive(ConnId conn, std::string text) override;
  void reject(ConnId conn, FrameError error) override;

  // Starts watching the owner (call once, after construction).
  void start();
  // Closes every connection relayed through here and stops (shutdown, owner gone).
  void closeAll(int code, const std::string& reason);
  // A message from the owner for connection `conn` (on the bus's delivery thread, in arrival
  // order): whether to apply it to the socket now (the next in order). Marks the connection as
  // answered, answers a link, asks again after a gap; closes (1012) a socket whose lost frames
  // the owner no longer has.
  bool fromOwner(const ToEdge& m);
  bool matches(const storage::LeaseRecord& owner) const;
  bool unused() const;  // no connections and no acquire() waiting

  std::atomic<int> pending{0};  // acquire() calls not yet followed by connect() or abandon()

 private:
  struct Relayed {
    Connect connect;  // kept to send again while the owner has not answered
    std::shared_ptr<Outlet> outlet;
    std::chrono::steady_clock::time_point sent;
    bool heard = false;
    RelayEnd<ToOwner> link;  // our frames and rejects out, the owner's frames and closes in
  };
  void publish(const ToOwner& m);
  // Numbers a frame or reject of `conn` and publishes it (nothing once the connection is gone).
  void send(ConnId conn, ToOwner m);
  void publishLink(ConnId conn, const LinkState& link);
  // Checks the owner's lease again after `wait` (at most kWatchEvery; sooner when the lease runs
  // out sooner, so a dead owner is noticed just after its lease expires, and every 200 ms while a
  // connect has no answer yet, which is then sent again).
  void watch(std::chrono::milliseconds wait);
  void checked(bool owner_alive, std::chrono::milliseconds next_wait);

  std::shared_ptr<RoomHub::Shared> hub_;
  const std::int64_t room_id_;
  const storage::LeaseRecord owner_;
  const std::string subject_;
  mutable common::Mutex mu_;
  std::map<ConnId, Relayed> conns_ KINO_GUARDED_BY(mu_);
  bool gone_ KINO_GUARDED_BY(mu_) = false;
  std::uint64_t reconnects_seen_ KINO_GUARDED_BY(mu_);    // the bus's count at the last check
  asio::strand<asio::io_context::executor_type> strand_;  // the timer is used only there
  asio::steady_timer timer_;
};

}  // namespace kino::realtime
