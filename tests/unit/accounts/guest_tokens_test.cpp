#include "kino/accounts/guest_tokens.hpp"

#include <gtest/gtest.h>

#include <set>

#include "fakes/fake_clock.hpp"
#include "fakes/seeded_random.hpp"

namespace kino::accounts {
namespace {

using namespace std::chrono_literals;

class GuestTokensTest : public ::testing::Test {
 protected:
  GuestTokensTest() : signer_(key(7)), other_(key(8)), tokens_(signer_, random_, clock_) {}
  static std::array<std::uint8_t, 32> key(std::uint8_t fill) {
    std::array<std::uint8_t, 32> k{};
    k.fill(fill);
    return k;
  }
  testing::FakeClock clock_;
  testing::SeededRandom random_;
  common::UrlSigner signer_;
  common::UrlSigner other_;
  GuestTokens tokens_;
};

TEST_F(GuestTokensTest, MintedTokensAreValidAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    const std::string t = tokens_.mint();
    EXPECT_TRUE(tokens_.valid(t)) << t;
    EXPECT_LE(t.size(), 128u);
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 50u);
}

TEST_F(GuestTokensTest, ValuesAClientMadeUpOrAlteredAreNotGuests) {
  const std::string t = tokens_.mint();
  for (std::string forged : {std::string("a"), std::string(""), std::string("abc.def.ghi"),
                             t.substr(0, t.size() - 1) + (t.back() == 'A' ? "B" : "A"),
                             "x" + t.substr(1), t + "x", std::string(200, 'a')}) {
    EXPECT_FALSE(tokens_.valid(forged)) << forged;
  }
  GuestTokens elsewhere(other_, random_, clock_);  // another deployment's key
  EXPECT_FALSE(elsewhere.valid(t));
}

TEST_F(GuestTokensTest, TokensExpireAfterTheirLifetime) {
  const std::string t = tokens_.mint();
  clock_.advance(GuestTokens::kLifetime - 1h);
  EXPECT_TRUE(tokens_.valid(t));
  clock_.advance(2h);
  EXPECT_FALSE(tokens_.valid(t));
}

}  // namespace
}  // namespace kino::accounts
