// The contract every Store adapter must pass. Add an adapter by adding a factory to kAdapters.
#include <gtest/gtest.h>

#include <filesystem>

#include "kino/storage/sqlite_store.hpp"

namespace kino::storage {
namespace {

using common::fromUnixMillis;
namespace fs = std::filesystem;

struct Adapter {
  const char* name;
  std::function<std::unique_ptr<Store>(const fs::path& dir)> open;
};

void PrintTo(const Adapter& a, std::ostream* os) { *os << a.name; }

const Adapter kAdapters[] = {
    {"sqlite_file",
     [](const fs::path& dir) { return std::move(openSqliteStore(dir / "kino.db")).value(); }},
    {"sqlite_memory", [](const fs::path&) { return std::move(openSqliteStore(":memory:")).value(); }},
};

class StoreContractTest : public ::testing::TestWithParam<Adapter> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kino-store-" + std::to_string(::getpid()) + "-" +
                                        GetParam().name);
    fs::create_directories(dir_);
    store_ = GetParam().open(dir_);
    ASSERT_TRUE(store_->migrate().ok());
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  UserRecord makeUser(const std::string& name) {
    auto u = store_->users().create({name, name + " display", "hash", fromUnixMillis(1000)});
    EXPECT_TRUE(u.ok());
    return u.value();
  }
  fs::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreContractTest, MigrateIsIdempotent) {
  auto again = store_->migrate();
  ASSERT_TRUE(again.ok());
  EXPECT_GE(*again, 1);
  EXPECT_TRUE(store_->ping().ok());
}

TEST_P(StoreContractTest, UsersRoundTripAndAreFoundIgnoringCase) {
  auto u = makeUser("Anna");
  EXPECT_GT(u.id, 0);
  auto by_name = store_->users().findByUsername("ANNA");
  ASSERT_TRUE(by_name.ok());
  EXPECT_EQ(by_name->id, u.id);
  EXPECT_EQ(by_name->username, "Anna");
  EXPECT_EQ(by_name->display_name, "Anna display");
  EXPECT_EQ(by_name->created_at, fromUnixMillis(1000));
  auto by_id = store_->users().findById(u.id);
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(by_id->username, "Anna");
  EXPECT_EQ(store_->users().findById(9999).error().kind, ErrorKind::kNotFound);
}

TEST_P(StoreContractTest, DuplicateUsernameInAnyCaseConflicts) {
  makeUser("Anna");
  auto dup = store_->users().create({"aNNa", "x", "h", fromUnixMillis(0)});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(dup.error().code, "username_taken");
}

TEST_P(StoreContractTest, SessionsCanBeFoundRevokedAndExpired) {
  auto u = makeUser("Anna");
  ASSERT_TRUE(store_->sessions().create({"h1", u.id, fromUnixMillis(0), fromUnixMillis(100)}).ok());
  ASSERT_TRUE(store_->sessions().create({"h2", u.id, fromUnixMillis(0), fromUnixMillis(500)}).ok());
  auto s = store_->sessions().find("h1");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->user_id, u.id);
  EXPECT_EQ(s->expires_at, fromUnixMillis(100));
  auto removed = store_->sessions().deleteExpired(fromUnixMillis(200));
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 1);
  EXPECT_EQ(store_->sessions().find("h1").error().kind, ErrorKind::kNotFound);
  ASSERT_TRUE(store_->sessions().revoke("h2").ok());
  EXPECT_FALSE(store_->sessions().find("h2").ok());
  EXPECT_TRUE(store_->sessions().revoke("never-existed").ok());
}

INSTANTIATE_TEST_SUITE_P(Adapters, StoreContractTest, ::testing::ValuesIn(kAdapters),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace kino::storage
