#pragma once
// What makes a relayed connection's traffic lossless although plain bus messages are not (one may
// be lost while a node reconnects to another NATS server). Each direction of each relayed
// connection numbers its messages 1, 2, 3, …; the sender keeps what it sent until the receiver says
// it has it; the receiver takes them strictly in order. The receiver tells how far it got (`have`)
// on what it sends the other way, and in a `link` message when it sees a gap (a number skipped:
// "send again after `have`"), when its node's bus connection was re-established (which may have
// lost a tail that no later message reveals: "send again after `have`, and tell me your `have`"),
// or when it took many messages without answering (an ack). What the sender no longer keeps cannot
// be sent again: the connection is then closed with 1012 and the client resumes.
//
// Not thread-safe: each holder locks or runs it on one strand.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

#include "kino/realtime/cluster_wire.hpp"

namespace kino::realtime {

// Messages kept per direction of a relayed connection, at most: ample for the seconds a lost
// message takes to be noticed (acks come with every client frame, pings included, and at least
// every kAckEvery messages).
inline constexpr std::size_t kRelayKeep = 512;
// A receiver that took this many messages without sending anything back acks them.
inline constexpr std::uint64_t kAckEvery = 128;

template <class T>
class RelaySender {
 public:
  // Numbers `message` (the next number) and keeps it; returns its number.
  std::uint64_t add(T message) {
    const std::uint64_t n = next_++;
    kept_.emplace_back(n, std::move(message));
    if (kept_.size() > kRelayKeep) kept_.pop_front();
    return n;
  }
  // The receiver has everything up to `have`: forget it.
  void acked(std::uint64_t have) {
    while (!kept_.empty() && kept_.front().first <= have) kept_.pop_front();
  }
  // What came after `have`, oldest first; nullopt when some of it is no longer kept.
  std::optional<std::vector<std::pair<std::uint64_t, T>>> after(std::uint64_t have) const {
    std::vector<std::pair<std::uint64_t, T>> out;
    if (have + 1 >= next_) return out;  // nothing after it was sent
    if (kept_.empty() || kept_.front().first > have + 1) return std::nullopt;
    for (const auto& m : kept_) {
      if (m.first > have) out.push_back(m);
    }
    return out;
  }

 private:
  std::uint64_t next_ = 1;
  std::deque<std::pair<std::uint64_t, T>> kept_;
};

class RelayReceiver {
 public:
  enum class Verdict {
    kTake,       // the next in order: apply it
    kDuplicate,  // had it already: drop it
    kGap,        // one before it is missing: drop it and ask (link: resend after have())
    kGapAsked,   // the same gap, already asked about: drop it
  };
  Verdict take(std::uint64_t n) {
    if (n <= have_) return Verdict::kDuplicate;
    if (n == have_ + 1) {
      have_ = n;
      ++unanswered_;
      return Verdict::kTake;
    }
    if (asked_at_ == have_) return Verdict::kGapAsked;
    asked_at_ = have_;
    return Verdict::kGap;
  }
  std::uint64_t have() const { return have_; }
  // A gap seen and not closed yet: ask again (a resend may have been lost as well).
  bool stuck() const { return asked_at_ && *asked_at_ == have_; }
  // `have()` went out to the sender (on a message or a link): counting starts again.
  void answered() { unanswered_ = 0; }
  bool owesAck() const { return unanswered_ >= kAckEvery; }
  // Asked again (stuck() or a reconnect): the next gap may be reported once more.
  void askedAgain() { asked_at_.reset(); }

 private:
  std::uint64_t have_ = 0;
  std::uint64_t unanswered_ = 0;
  std::optional<std::uint64_t> asked_at_;
};

// One end of a relayed connection (the owner's RelayOutlet and the edge's RemoteRoom each hold one
// per connection): the link rules above in one place; the holder publishes what they say.
template <class T>
class RelayEnd {
 public:
  struct Step {
    bool take = false;  // apply the message now
    bool gap = false;   // a number was skipped (worth a log line)
    bool lost = false;  // the other end asked for what is no longer kept: close the socket (1012)
    std::vector<std::pair<std::uint64_t, T>> resend;  // publish these again, with again()
    std::optional<LinkState> link;                    // publish a kLink carrying this
  };

  // A message from the other end carrying `l`; `is_link`: a kLink, never applied.
  Step onMessage(const LinkState& l, bool is_link) {
    Step s;
    out_.acked(l.have);
    if (is_link) {
      if (l.resend) {
        if (auto again = out_.after(l.have)) {
          s.resend = std::move(*again);
        } else {
          s.lost = true;
        }
      }
      if (l.reply) s.link = ask(/*resend=*/true, /*reply=*/false);
      return s;
    }
    if (l.n == 0) {  // not numbered: a node from before the numbering, or a last word
      s.take = true;
      return s;
    }
    switch (in_.take(l.n)) {
      case RelayReceiver::Verdict::kTake:
        s.take = true;
        if (in_.owesAck()) s.link = ask(false, false);
        break;
      case RelayReceiver::Verdict::kGap:
        s.gap = true;
        s.link = ask(/*resend=*/true, /*reply=*/false);
        break;
      case RelayReceiver::Verdict::kDuplicate:
      case RelayReceiver::Verdict::kGapAsked:
        break;
    }
    return s;
  }
  // Numbers and keeps a message going out; what it carries.
  LinkState send(T message) { return again(out_.add(std::move(message))); }
  // What message `n` carries when it is published (again).
  LinkState again(std::uint64_t n) {
    in_.answered();
    return {n, in_.have(), false, false};
  }
  // On each look: after this node's bus reconnected, ask for the other end's tail and for its
  // `have`; else ask again about a gap that did not close. Nothing to send otherwise.
  std::optional<LinkState> repair(bool reconnected) {
    if (reconnected) {
      in_.askedAgain();
      return ask(/*resend=*/true, /*reply=*/true);
    }
    if (in_.stuck()) return ask(/*resend=*/true, /*reply=*/false);
    return std::nullopt;
  }
  std::uint64_t have() const { return in_.have(); }

 private:
  LinkState ask(bool resend, bool reply) {
    in_.answered();
    return {0, in_.have(), resend, reply};
  }

  RelaySender<T> out_;
  RelayReceiver in_;
};

}  // namespace kino::realtime
