#include "kino/accounts/account_service.hpp"

#include <gtest/gtest.h>

#include "fakes/fake_clock.hpp"
#include "fakes/seeded_random.hpp"
#include "kino/storage/sqlite_store.hpp"
#include "kino/storage/store_rate_window.hpp"

namespace kino::accounts {
namespace {

using namespace std::chrono_literals;

class AccountServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = storage::openSqliteStore(":memory:");
    ASSERT_TRUE(s.ok());
    store_ = std::move(s).value();
    ASSERT_TRUE(store_->migrate().ok());
    config_.login_account_max_failures = 3;
    config_.login_ip_max_attempts = 10;
    config_.login_window_s = 600;
    config_.session_ttl_hours = 1;
    service_ = std::make_unique<AccountService>(*store_, clock_, random_, config_);
  }
  SignedIn registerAnna() {
    auto r = service_->registerUser({"Anna", "correct horse", "Anna K"}, "10.0.0.1");
    EXPECT_TRUE(r.ok());
    return r.value();
  }

  testing::FakeClock clock_;
  testing::SeededRandom random_;
  common::AccountsConfig config_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<AccountService> service_;
};

TEST_F(AccountServiceTest, RegisterSignsInAndTheTokenAuthenticates) {
  auto s = registerAnna();
  EXPECT_EQ(s.user.username, "Anna");
  EXPECT_EQ(s.user.display_name, "Anna K");
  auto me = service_->authenticate(s.token);
  ASSERT_TRUE(me.ok());
  EXPECT_EQ(me->id, s.user.id);
}

TEST_F(AccountServiceTest, OnlyTheTokenHashIsStored) {
  auto s = registerAnna();
  EXPECT_TRUE(store_->sessions().find(sessionTokenHash(s.token)).ok());
  EXPECT_FALSE(store_->sessions().find(s.token).ok());
}

TEST_F(AccountServiceTest, UsernamesAreUniqueIgnoringCase) {
  registerAnna();
  auto dup = service_->registerUser({"aNNA", "another pass", ""}, "10.0.0.1");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, "username_taken");
  EXPECT_EQ(dup.error().field, "username");
}

TEST_F(AccountServiceTest, LoginIgnoresUsernameCaseAndWrongDetailsLookTheSame) {
  registerAnna();
  EXPECT_TRUE(service_->login("anna", "correct horse", "ip").ok());
  auto wrong_pw = service_->login("anna", "wrong horse", "ip");
  auto wrong_user = service_->login("boris", "correct horse", "ip");
  ASSERT_FALSE(wrong_pw.ok());
  ASSERT_FALSE(wrong_user.ok());
  EXPECT_EQ(wrong_pw.error().code, "invalid_credentials");
  EXPECT_EQ(wrong_pw.error().message, wrong_user.error().message);
}

TEST_F(AccountServiceTest, LogoutRevokesTheSession) {
  auto s = registerAnna();
  ASSERT_TRUE(service_->logout(s.token).ok());
  auto me = service_->authenticate(s.token);
  ASSERT_FALSE(me.ok());
  EXPECT_EQ(me.error().code, "not_authenticated");
}

TEST_F(AccountServiceTest, SessionsExpire) {
  auto s = registerAnna();
  clock_.advance(59min);
  EXPECT_TRUE(service_->authenticate(s.token).ok());
  clock_.advance(2min);
  EXPECT_FALSE(service_->authenticate(s.token).ok());
}

TEST_F(AccountServiceTest, AccountLocksAfterRepeatedFailuresEvenForTheRightPassword) {
  registerAnna();
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(service_->login("anna", "nope-nope", "ip").ok());
  auto locked = service_->login("anna", "correct horse", "ip");
  ASSERT_FALSE(locked.ok());
  EXPECT_EQ(locked.error().kind, ErrorKind::kRateLimited);
  EXPECT_GT(locked.error().retry_after.count(), 0);
  clock_.advance(601s);
  EXPECT_TRUE(service_->login("anna", "correct horse", "ip").ok());
}

TEST_F(AccountServiceTest, IpLimitCountsEveryAttempt) {
  registerAnna();
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(service_->login("anna", "correct horse", "1.2.3.4").ok());
  auto r = service_->login("anna", "correct horse", "1.2.3.4");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "rate_limited");
  EXPECT_TRUE(service_->login("anna", "correct horse", "5.6.7.8").ok());
}

// Two nodes of a cluster (two services over one store, limits counted in the store): failures on
// one node count on the other, so a balancer does not multiply the attempts an attacker gets.
TEST_F(AccountServiceTest, NodesSharingTheStoreShareTheAccountLock) {
  registerAnna();
  AccountService node_a(*store_, clock_, random_, config_,
                        storage::storeRateWindows(*store_, clock_));
  AccountService node_b(*store_, clock_, random_, config_,
                        storage::storeRateWindows(*store_, clock_));
  EXPECT_FALSE(node_a.login("anna", "nope-nope", "ip").ok());
  EXPECT_FALSE(node_b.login("anna", "nope-nope", "ip").ok());
  EXPECT_FALSE(node_a.login("anna", "nope-nope", "ip").ok());
  auto locked = node_b.login("anna", "correct horse", "ip");
  ASSERT_FALSE(locked.ok());
  EXPECT_EQ(locked.error().kind, ErrorKind::kRateLimited);
  clock_.advance(601s);
  EXPECT_TRUE(node_b.login("anna", "correct horse", "ip").ok());
}

TEST_F(AccountServiceTest, InvalidRegistrationNamesTheField) {
  auto r = service_->registerUser({"ok_name", "short", ""}, "ip");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "password");
}

}  // namespace
}  // namespace kino::accounts
