#include "kino/common/concurrency_cap.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace kino::common {
namespace {

TEST(ConcurrencyCapTest, RefusesPastTheCapPerKeyAndFreesOnRelease) {
  ConcurrencyCap cap(2);
  auto a = cap.tryAcquire("10.0.0.1");
  auto b = cap.tryAcquire("10.0.0.1");
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(cap.tryAcquire("10.0.0.1")) << "a third at once is refused";
  EXPECT_TRUE(cap.tryAcquire("10.0.0.2")) << "another key has its own count";
  EXPECT_EQ(cap.inUse("10.0.0.1"), 2u);
  a.reset();
  EXPECT_EQ(cap.inUse("10.0.0.1"), 1u);
  EXPECT_TRUE(cap.tryAcquire("10.0.0.1")) << "a released place is free again";
}

TEST(ConcurrencyCapTest, AMovedSlotIsReleasedOnceAndASlotMayOutliveItsCap) {
  std::optional<ConcurrencyCap::Slot> kept;
  {
    ConcurrencyCap cap(1);
    auto first = cap.tryAcquire("k");
    ASSERT_TRUE(first);
    ConcurrencyCap::Slot moved = std::move(*first);
    first.reset();  // the moved-from slot releases nothing
    EXPECT_EQ(cap.inUse("k"), 1u);
    EXPECT_FALSE(cap.tryAcquire("k"));
    kept.emplace(std::move(moved));
  }
  kept.reset();  // the cap is gone; releasing must not touch freed memory (ASan checks)
}

TEST(ConcurrencyCapTest, KeysWithNothingInUseAreForgotten) {
  ConcurrencyCap cap(1);
  for (int i = 0; i < 1000; ++i) {
    auto s = cap.tryAcquire("addr-" + std::to_string(i));
    ASSERT_TRUE(s);
  }
  EXPECT_EQ(cap.keyCount(), 0u);
  std::vector<ConcurrencyCap::Slot> held;
  for (int i = 0; i < 3; ++i) {
    if (auto s = cap.tryAcquire("addr-" + std::to_string(i))) held.push_back(std::move(*s));
  }
  EXPECT_FALSE(cap.tryAcquire("addr-1"));
  EXPECT_EQ(cap.keyCount(), 3u);
}

}  // namespace
}  // namespace kino::common
