#pragma once
// The owner's end of a connection another node holds (the edge): frames for it go to the edge's
// inbox on the bus, numbered, and what the edge relays from the socket is taken in order
// (relay_link.hpp). Thread-safe: the room's strand and the media relay both deliver frames.

#include <string>
#include <vector>

#include "kino/bus/bus.hpp"
#include "kino/common/mutex.hpp"
#include "kino/realtime/cluster_wire.hpp"
#include "kino/realtime/outlet.hpp"
#include "relay_link.hpp"

namespace kino::realtime {

class RelayOutlet final : public Outlet {
 public:
  RelayOutlet(bus::Bus& bus, const std::string& edge, ConnId edge_conn);

  void deliver(Frame frame) override;
  void close(int code, std::string reason) override;

  // A message the edge relayed (frame, reject or link): whether to apply it now (the next in
  // order). Answers a link, asks again after a gap, acks a long run. False for what was lost to
  // this end for good (`lost()` is then true: drop the connection; its client resumes).
  bool fromEdge(const ToOwner& m);
  // On the room's tick: after this node's bus reconnected, asks the edge for its tail and offers
  // ours; else asks again about a gap that did not close.
  void repair(bool reconnected);
  bool lost() const;
  // Tells the edge to close the socket with 1012 (not numbered: it applies at once, gap or not);
  // again each time the edge asks for what was lost (the close itself may be lost).
  void abandon();

 private:
  struct Sent {
    ToEdge::Kind kind = ToEdge::Kind::kFrame;
    Frame frame;
    int code = 1000;
    std::string reason;
  };
  void send(const Sent& s);
  ToEdge message(const Sent& s, const LinkState& link) const;
  void publish(const ToEdge& m) KINO_REQUIRES(mu_);

  bus::Bus& bus_;
  const std::string subject_;
  const ConnId edge_conn_;
  mutable common::Mutex mu_;
  RelayEnd<Sent> end_ KINO_GUARDED_BY(mu_);
  bool lost_ KINO_GUARDED_BY(mu_) = false;
};

}  // namespace kino::realtime
