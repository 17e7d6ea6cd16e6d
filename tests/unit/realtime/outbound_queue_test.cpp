#include "kino/realtime/outbound_queue.hpp"

#include <gtest/gtest.h>

namespace kino::realtime {
namespace {

using namespace std::chrono_literals;
using TimePoint = OutboundQueue::TimePoint;

Frame frame(std::size_t n) { return std::make_shared<const std::string>(n, 'x'); }
const TimePoint t0{};

TEST(OutboundQueueTest, TheFrameBeingWrittenNeverCounts) {
  OutboundQueue q(2, 10);
  EXPECT_TRUE(q.push(frame(100), t0));  // a hello larger than the byte limit
  EXPECT_TRUE(q.push(frame(5), t0));    // and the newcomer's own join right behind it
  EXPECT_EQ(q.bytes(), 105u);
}

TEST(OutboundQueueTest, APromptReaderMayBurstPastTheSoftLimit) {
  OutboundQueue q(2, 1000, 2000ms);
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(q.push(frame(10), t0 + 100ms)) << i;
  q.pop(t0 + 200ms);  // the writer makes progress
  EXPECT_TRUE(q.push(frame(10), t0 + 300ms));
}

TEST(OutboundQueueTest, AStalledReaderPastTheSoftLimitIsRefused) {
  OutboundQueue q(2, 1000, 2000ms);
  EXPECT_TRUE(q.push(frame(10), t0));
  EXPECT_TRUE(q.push(frame(10), t0 + 1s));
  EXPECT_TRUE(q.push(frame(10), t0 + 1500ms));   // over soft, but the write is young
  EXPECT_FALSE(q.push(frame(10), t0 + 2500ms));  // over soft and nothing written for 2.5 s
  EXPECT_EQ(q.size(), 3u);
}

TEST(OutboundQueueTest, FourTimesTheSoftLimitIsTheHardBound) {
  OutboundQueue q(1000, 100, 2000ms);
  EXPECT_TRUE(q.push(frame(10), t0));    // being written
  for (int i = 0; i < 40; ++i) EXPECT_TRUE(q.push(frame(10), t0)) << i;  // 400 waiting = 4 × soft
  EXPECT_FALSE(q.push(frame(10), t0));   // 410 waiting: refused however fresh
  EXPECT_EQ(q.bytes(), 410u);
}

TEST(OutboundQueueTest, PopTracksBytes) {
  OutboundQueue q(10, 100);
  q.push(frame(6), t0);
  q.push(frame(4), t0);
  q.pop(t0);
  EXPECT_EQ(q.bytes(), 4u);
  q.pop(t0);
  EXPECT_TRUE(q.empty());
}

}  // namespace
}  // namespace kino::realtime
