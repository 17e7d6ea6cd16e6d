// The numbering of a relayed connection's messages (relay_link.hpp): what a sender can send again
// and what a receiver takes, drops or asks about.
#include "realtime/relay_link.hpp"

#include <gtest/gtest.h>

#include <string>

namespace kino::realtime {
namespace {

using Verdict = RelayReceiver::Verdict;

TEST(RelayLinkTest, TheSenderSendsAgainWhatCameAfterWhatTheReceiverHas) {
  RelaySender<std::string> out;
  EXPECT_EQ(out.add("a"), 1u);
  EXPECT_EQ(out.add("b"), 2u);
  EXPECT_EQ(out.add("c"), 3u);
  auto again = out.after(1);
  ASSERT_TRUE(again);
  ASSERT_EQ(again->size(), 2u);
  EXPECT_EQ((*again)[0], (std::pair<std::uint64_t, std::string>{2, "b"}));
  EXPECT_EQ((*again)[1], (std::pair<std::uint64_t, std::string>{3, "c"}));
  EXPECT_TRUE(out.after(3)->empty()) << "the receiver has everything";
  out.acked(2);
  EXPECT_FALSE(out.after(1)) << "2 was acknowledged and forgotten: it cannot be sent again";
  EXPECT_EQ(out.after(2)->size(), 1u);
}

TEST(RelayLinkTest, TheSenderKeepsABoundedTailAndSaysWhenALossCannotBeRepaired) {
  RelaySender<int> out;
  for (std::size_t i = 0; i < kRelayKeep + 10; ++i) out.add(static_cast<int>(i));
  EXPECT_FALSE(out.after(0)) << "the oldest were dropped";
  EXPECT_FALSE(out.after(9));
  auto tail = out.after(10);
  ASSERT_TRUE(tail);
  EXPECT_EQ(tail->size(), kRelayKeep);
}

TEST(RelayLinkTest, TheReceiverTakesInOrderDropsDuplicatesAndAsksOncePerGap) {
  RelayReceiver in;
  EXPECT_EQ(in.take(1), Verdict::kTake);
  EXPECT_EQ(in.take(1), Verdict::kDuplicate);
  EXPECT_EQ(in.take(3), Verdict::kGap) << "2 was lost";
  EXPECT_TRUE(in.stuck());
  EXPECT_EQ(in.take(4), Verdict::kGapAsked) << "asked already";
  EXPECT_EQ(in.have(), 1u);
  EXPECT_EQ(in.take(2), Verdict::kTake) << "sent again";
  EXPECT_EQ(in.take(3), Verdict::kTake);
  EXPECT_FALSE(in.stuck());
  EXPECT_EQ(in.take(6), Verdict::kGap) << "a new gap is asked about again";
  in.askedAgain();
  EXPECT_EQ(in.take(6), Verdict::kGap) << "after a reconnect the same gap is asked about again";
}

TEST(RelayLinkTest, TheReceiverOwesAnAckAfterALongRunWithoutAnswering) {
  RelayReceiver in;
  for (std::uint64_t n = 1; n < kAckEvery; ++n) in.take(n);
  EXPECT_FALSE(in.owesAck());
  in.take(kAckEvery);
  EXPECT_TRUE(in.owesAck());
  in.answered();
  EXPECT_FALSE(in.owesAck());
}

TEST(RelayLinkTest, AnEndAsksAboutAGapSendsAgainWhatIsAskedForAndSaysWhenItCannot) {
  RelayEnd<std::string> a;  // sends "x", "y", "z"
  RelayEnd<std::string> b;
  const LinkState x = a.send("x");
  a.send("y");  // lost on the way
  const LinkState z = a.send("z");
  EXPECT_TRUE(b.onMessage(x, false).take);
  auto gap = b.onMessage(z, false);
  EXPECT_FALSE(gap.take);
  ASSERT_TRUE(gap.link);
  EXPECT_TRUE(gap.link->resend);
  EXPECT_EQ(gap.link->have, 1u);
  auto answer = a.onMessage(*gap.link, /*is_link=*/true);
  ASSERT_EQ(answer.resend.size(), 2u);
  EXPECT_EQ(answer.resend[0].second, "y");
  EXPECT_TRUE(b.onMessage(a.again(answer.resend[0].first), false).take);
  EXPECT_TRUE(b.onMessage(a.again(answer.resend[1].first), false).take);
  EXPECT_EQ(b.have(), 3u);

  auto reconnect = b.repair(/*reconnected=*/true);
  ASSERT_TRUE(reconnect);
  EXPECT_TRUE(reconnect->reply);
  auto reply = a.onMessage(*reconnect, true);
  EXPECT_TRUE(reply.resend.empty()) << "b had everything: all of it acknowledged";
  ASSERT_TRUE(reply.link) << "and a says how far it got in turn";
  EXPECT_TRUE(b.onMessage({0, 0, true, false}, true).resend.empty()) << "b sent nothing";
  a.send("w");
  EXPECT_TRUE(a.onMessage({0, 0, true, false}, true).lost)
      << "asked from the start, but x, y, z were acknowledged and forgotten";
  EXPECT_EQ(a.onMessage({0, 3, true, false}, true).resend.size(), 1u) << "w is still kept";
}

}  // namespace
}  // namespace kino::realtime
