#pragma once
// Several Janus nodes behind one MediaGateway (docs/ARCHITECTURE.md, "Media (video chat)"): each
// Kino room's call lives on one node, placed on its first media.join on the healthy node with the
// fewest calls. When a node dies, its relay sends media.closed to everyone on it; their next
// media.join re-homes the room to a healthy node (the clients renegotiate). The embedded default is
// a pool of one node. Thread-safe.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kino/common/random.hpp"
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
  JanusPool(boost::asio::io_context& io, common::Random& random, std::vector<JanusNode> nodes,
            const RelaySettings& settings);
  ~JanusPool() override;

  void start();
  void stop();
  // How many nodes answer their health probe.
  std::size_t healthyNodes() const;
  std::size_t size() const { return nodes_.size(); }
  // The node (index) a room's call is on, if placed. For tests and diagnostics.
  std::optional<std::size_t> nodeOf(std::int64_t room_id) const;

  void signal(realtime::MediaPeer peer, realtime::MediaSignal frame) override;
  void leave(realtime::ConnId conn) override;

 private:
  struct Node {
    JanusNode spec;
    std::unique_ptr<JanusClient> client;
    std::unique_ptr<JanusRelay> relay;
  };
  // Picks the node for a room.
  std::size_t place(std::int64_t room_id) KINO_REQUIRES(mu_);

  std::vector<Node> nodes_;
  mutable common::Mutex mu_;
  std::map<std::int64_t, std::size_t> room_node_ KINO_GUARDED_BY(mu_);
  std::map<std::int64_t, std::size_t> room_conns_ KINO_GUARDED_BY(mu_);
  std::map<realtime::ConnId, std::pair<std::int64_t, std::size_t>> conn_node_ KINO_GUARDED_BY(mu_);  // conn → {room, node}
};

// "host:port[,host:port…]" → nodes (sharing `api_secret` and `admin_key`); kInvalid on a bad entry.
Result<std::vector<JanusNode>> parseJanusNodes(std::string_view list, const std::string& api_secret,
                                               const std::string& admin_key);

}  // namespace kino::media
