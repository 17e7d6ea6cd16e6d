#pragma once
// Several Janus nodes behind one MediaGateway (docs/ARCHITECTURE.md, "Media (video chat)"): each
// Kino room's call lives on one node, placed on its first media.join on the healthy node with the
// fewest calls. When a node dies, its relay sends media.closed to everyone on it; their next
// media.join re-homes the room to a healthy node (the clients renegotiate). The embedded default is
// a pool of one node. Thread-safe.
//
// Kino nodes in front of the same Janus nodes share a PlacementBook (call_placement.hpp): the pool
// then asks it where each connection's call goes (chooseNode) on a thread of its own, since the
// book blocks and signal() must not; the connection's frames wait, in order, until it answers. A
// book that cannot be reached fails the join ("media_unavailable"; the person may try again).

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "kino/common/random.hpp"
#include "kino/media/call_placement.hpp"
#include "kino/media/janus_client.hpp"
#include "kino/media/janus_relay.hpp"
#include "kino/realtime/media_gateway.hpp"
#include "kino/common/mutex.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace kino::media {

struct JanusNode {
  std::string host;
  std::uint16_t port = 8188;
  std::string api_secret;
  std::string videoroom_admin_key;
};

class JanusPool final : public realtime::MediaGateway {
 public:
  // `book`: the placements shared with other Kino nodes (empty: this pool places alone).
  JanusPool(boost::asio::io_context& io, common::Random& random, std::vector<JanusNode> nodes,
            const RelaySettings& settings, PlacementBook book = {});
  ~JanusPool() override;

  void start();
  void stop();
  // How many nodes answer their health probe.
  std::size_t healthyNodes() const;
  std::size_t size() const { return nodes_.size(); }
  // The node (index) a room's call is on, if placed. For tests and diagnostics.
  std::optional<std::size_t> nodeOf(std::int64_t room_id) const;
  // "host:port" of node `index`, as the book names it.
  std::string nodeName(std::size_t index) const;

  void signal(realtime::MediaPeer peer, realtime::MediaSignal frame) override;
  void leave(realtime::ConnId conn) override;

 private:
  struct Node {
    JanusNode spec;
    std::unique_ptr<JanusClient> client;
    std::unique_ptr<JanusRelay> relay;
  };
  using Pending = std::deque<std::pair<realtime::MediaPeer, realtime::MediaSignal>>;

  // Picks the node for a room (no book).
  std::size_t place(std::int64_t room_id) KINO_REQUIRES(mu_);
  // With a book: queues `frame` until the connection's call is placed, or routes it. Returns the
  // node to hand it to, or nullopt when it waits.
  std::optional<std::size_t> routeShared(realtime::MediaPeer& peer, realtime::MediaSignal& frame)
      KINO_REQUIRES(mu_);
  // On the placement thread: asks the book where `conn`'s call goes, then hands its waiting frames
  // to that node (or tells it video chat is unavailable).
  void placeShared(realtime::ConnId conn, std::int64_t room_id) KINO_EXCLUDES(mu_);
  std::vector<NodeView> viewOf() const KINO_REQUIRES(mu_);
  // On the placement thread: forgets the room's placement in the book when nobody here is in or
  // joining its call any more.
  void forgetIfIdle(std::int64_t room_id, const std::string& node) KINO_EXCLUDES(mu_);
  // Runs `job` on the placement thread, after the jobs posted before it.
  void post(std::function<void()> job) KINO_EXCLUDES(work_mu_);
  void placementLoop() KINO_EXCLUDES(work_mu_);

  PlacementBook book_;
  std::vector<Node> nodes_;
  mutable common::Mutex mu_;
  std::map<std::int64_t, std::size_t> room_node_ KINO_GUARDED_BY(mu_);
  std::map<std::int64_t, std::size_t> room_conns_ KINO_GUARDED_BY(mu_);
  std::map<realtime::ConnId, std::pair<std::int64_t, std::size_t>> conn_node_ KINO_GUARDED_BY(mu_);  // conn → {room, node}
  std::map<realtime::ConnId, Pending> waiting_ KINO_GUARDED_BY(mu_);  // being placed (book)

  common::Mutex work_mu_;
  std::condition_variable work_cv_;
  std::deque<std::function<void()>> work_ KINO_GUARDED_BY(work_mu_);
  bool work_stop_ KINO_GUARDED_BY(work_mu_) = false;
  std::thread worker_;  // the placement thread; only with a book
};

// "host:port[,host:port…]" → nodes (sharing `api_secret` and `admin_key`); kInvalid on a bad entry.
Result<std::vector<JanusNode>> parseJanusNodes(std::string_view list, const std::string& api_secret,
                                               const std::string& admin_key);

}  // namespace kino::media
