#include "kino/realtime/outbound_queue.hpp"

#include <gtest/gtest.h>

namespace kino::realtime {
namespace {

Frame frame(std::size_t n) { return std::make_shared<const std::string>(n, 'x'); }

TEST(OutboundQueueTest, RefusesPastTheFrameLimit) {
  OutboundQueue q(2, 1000);
  EXPECT_TRUE(q.push(frame(1)));
  EXPECT_TRUE(q.push(frame(1)));
  EXPECT_FALSE(q.push(frame(1)));
  q.pop();
  EXPECT_TRUE(q.push(frame(1)));
}

TEST(OutboundQueueTest, RefusesPastTheByteLimitAndCountsBytes) {
  OutboundQueue q(100, 10);
  EXPECT_TRUE(q.push(frame(6)));
  EXPECT_FALSE(q.push(frame(5)));
  EXPECT_EQ(q.bytes(), 6u);
  q.pop();
  EXPECT_EQ(q.bytes(), 0u);
  EXPECT_TRUE(q.empty());
}

}  // namespace
}  // namespace kino::realtime
