#pragma once
// The bounded queue of frames waiting to be written to one connection. A client that cannot keep up
// overflows it and is disconnected, so one slow reader never slows the room or grows memory.
// Not thread-safe: owned by one connection's strand.

#include <cstddef>
#include <deque>

#include "kino/realtime/room_core.hpp"

namespace kino::realtime {

class OutboundQueue {
 public:
  OutboundQueue(std::size_t max_frames, std::size_t max_bytes)
      : max_frames_(max_frames), max_bytes_(max_bytes) {}

  // Appends the frame; false (and nothing appended) when that would pass either limit.
  bool push(Frame frame) {
    if (frames_.size() + 1 > max_frames_ || bytes_ + frame->size() > max_bytes_) return false;
    bytes_ += frame->size();
    frames_.push_back(std::move(frame));
    return true;
  }
  bool empty() const { return frames_.empty(); }
  const Frame& front() const { return frames_.front(); }
  void pop() {
    bytes_ -= frames_.front()->size();
    frames_.pop_front();
  }
  std::size_t bytes() const { return bytes_; }
  std::size_t size() const { return frames_.size(); }

 private:
  const std::size_t max_frames_;
  const std::size_t max_bytes_;
  std::deque<Frame> frames_;
  std::size_t bytes_ = 0;
};

}  // namespace kino::realtime
