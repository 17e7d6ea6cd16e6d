#include "kino/realtime/connection_registry.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace kino::realtime {
namespace {

struct RecordingOutlet : Outlet {
  void deliver(Frame) override {}
  void close(int c, std::string r) override {
    code = c;
    reason = std::move(r);
  }
  int code = 0;
  std::string reason;
};

TEST(ConnectionRegistryTest, OnePersonGetsAtMostTheirCapOfSocketsAndAClearRefusal) {
  ConnectionRegistry registry({.per_person = 3, .per_address = 100, .per_room = 100});
  std::vector<ConnectionRegistry::Place> held;
  for (int i = 0; i < 3; ++i) {
    auto p = registry.reserve({"user:1", "10.0.0.1", i, ""});
    ASSERT_TRUE(p.ok());
    held.push_back(std::move(p).value());
  }
  auto refused = registry.reserve({"user:1", "10.0.0.2", 9, ""});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::kRateLimited);
  EXPECT_EQ(refused.error().code, "too_many_connections");
  EXPECT_GT(refused.error().retry_after.count(), 0);
  EXPECT_TRUE(registry.reserve({"user:2", "10.0.0.1", 9, ""}).ok());  // someone else is fine
  held.pop_back();  // one socket closes: its place is free again
  EXPECT_TRUE(registry.reserve({"user:1", "10.0.0.1", 9, ""}).ok());
}

TEST(ConnectionRegistryTest, AddressAndRoomCapsCountEveryoneBehindThem) {
  ConnectionRegistry registry({.per_person = 100, .per_address = 2, .per_room = 3});
  auto a = registry.reserve({"guest:a", "10.0.0.1", 1, ""});
  auto b = registry.reserve({"guest:b", "10.0.0.1", 1, ""});
  auto c = registry.reserve({"guest:c", "10.0.0.1", 1, ""});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(c.error().code, "too_many_connections");
  auto d = registry.reserve({"guest:d", "10.0.0.2", 1, ""});
  ASSERT_TRUE(d.ok());
  auto e = registry.reserve({"guest:e", "10.0.0.3", 1, ""});
  EXPECT_EQ(e.error().code, "room_full");
  EXPECT_EQ(registry.size(), 3u);
}

TEST(ConnectionRegistryTest, RevokingASessionClosesExactlyItsSockets) {
  ConnectionRegistry registry({});
  auto mine = std::make_shared<RecordingOutlet>();
  auto other_tab = std::make_shared<RecordingOutlet>();
  auto someone = std::make_shared<RecordingOutlet>();
  auto p1 = registry.reserve({"user:1", "10.0.0.1", 1, "sess-a"}).value();
  auto p2 = registry.reserve({"user:1", "10.0.0.1", 2, "sess-a"}).value();
  auto p3 = registry.reserve({"user:1", "10.0.0.1", 1, "sess-b"}).value();  // another browser
  p1.attach(mine);
  p2.attach(other_tab);
  p3.attach(someone);
  EXPECT_EQ(registry.closeSession("sess-a", kCloseSignedOut, "signed_out"), 2);
  EXPECT_EQ(mine->code, kCloseSignedOut);
  EXPECT_EQ(mine->reason, "signed_out");
  EXPECT_EQ(other_tab->code, kCloseSignedOut);
  EXPECT_EQ(someone->code, 0);
  EXPECT_EQ(registry.closeSession("", kCloseSignedOut, "x"), 0);  // guests have no session
}

}  // namespace
}  // namespace kino::realtime
