#include "kino/realtime/outbound_queue.hpp"

#include <gtest/gtest.h>

namespace kino::realtime {
namespace {

using namespace std::chrono_literals;
using TimePoint = OutboundQueue::TimePoint;

Frame frame(std::size_t n) { return std::make_shared<const std::string>(n, 'x'); }
const TimePoint t0{};

TEST(OutboundQueueTest, AnEmptyQueueTakesAnyFrame) {
  OutboundQueue q(2, 10);
  EXPECT_TRUE(q.push(frame(100), t0));  // a hello larger than the byte limit
  EXPECT_EQ(q.bytes(), 100u);
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
  EXPECT_TRUE(q.push(frame(10), t0));
  for (int i = 0; i < 38; ++i) EXPECT_TRUE(q.push(frame(10), t0)) << i;  // 390 bytes
  EXPECT_TRUE(q.push(frame(10), t0));    // 400 bytes = 4 × soft
  EXPECT_FALSE(q.push(frame(10), t0));   // 410 bytes: refused however fresh
  EXPECT_EQ(q.bytes(), 400u);
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
