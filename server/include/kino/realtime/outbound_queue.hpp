#pragma once
// The bounded queue of frames waiting to be written to one connection. A client that cannot keep up
// is disconnected, so one slow reader never slows the room, and memory per connection is bounded.
//
// "Cannot keep up" means: the queue passed a soft limit (frames or bytes) while its oldest write
// has made no progress for `stall`, or it passed four times a soft limit at all (the hard bound on
// memory). A prompt reader may take a burst above the soft limit (a resume replay, a busy chat),
// and the frame being written never counts (a large hello, followed by more, is fine). Not thread-safe: owned by one
// connection's strand. Times are passed in, so tests need no clock.

#include <chrono>
#include <cstddef>
#include <deque>

#include "kino/realtime/room_core.hpp"

namespace kino::realtime {

class OutboundQueue {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  OutboundQueue(std::size_t soft_frames, std::size_t soft_bytes,
                std::chrono::milliseconds stall = std::chrono::milliseconds(2000))
      : soft_frames_(soft_frames), soft_bytes_(soft_bytes), stall_(stall) {}

  // Appends the frame, or returns false (appending nothing) when the client is too slow.
  bool push(Frame frame, TimePoint now) {
    if (frames_.empty()) {
      last_progress_ = now;
    } else {
      // The front frame is being written: only what waits behind it counts as backlog.
      const std::size_t frames = frames_.size();
      const std::size_t bytes = bytes_ - frames_.front()->size() + frame->size();
      const bool over_soft = frames > soft_frames_ || bytes > soft_bytes_;
      const bool over_hard = frames > 4 * soft_frames_ || bytes > 4 * soft_bytes_;
      if (over_hard || (over_soft && now - last_progress_ > stall_)) return false;
    }
    bytes_ += frame->size();
    frames_.push_back(std::move(frame));
    return true;
  }
  bool empty() const { return frames_.empty(); }
  const Frame& front() const { return frames_.front(); }
  // The front frame was written.
  void pop(TimePoint now) {
    bytes_ -= frames_.front()->size();
    frames_.pop_front();
    last_progress_ = now;
  }
  std::size_t bytes() const { return bytes_; }
  std::size_t size() const { return frames_.size(); }

 private:
  const std::size_t soft_frames_;
  const std::size_t soft_bytes_;
  const std::chrono::milliseconds stall_;
  std::deque<Frame> frames_;
  std::size_t bytes_ = 0;
  TimePoint last_progress_{};
};

}  // namespace kino::realtime
