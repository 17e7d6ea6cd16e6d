#include "kino/accounts/password_hasher.hpp"

#include <gtest/gtest.h>

namespace kino::accounts {
namespace {

TEST(PasswordHasherTest, HashesWithArgon2idAtLeastOwaspParameters) {
  PasswordHasher hasher({2, 19 * 1024});
  auto h = hasher.hash("correct horse");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->rfind("$argon2id$", 0), 0u) << *h;
  EXPECT_NE(h->find("m=19456,t=2"), std::string::npos) << *h;
  EXPECT_EQ(h->find("correct horse"), std::string::npos);
}

TEST(PasswordHasherTest, VerifiesOnlyTheRightPassword) {
  PasswordHasher hasher({2, 19 * 1024});
  auto h = hasher.hash("correct horse");
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(hasher.verify(*h, "correct horse"));
  EXPECT_FALSE(hasher.verify(*h, "correct horsE"));
  EXPECT_FALSE(hasher.verify(*h, ""));
  EXPECT_FALSE(hasher.verify("garbage", "correct horse"));
}

TEST(PasswordHasherTest, SaltMakesEveryHashDifferent) {
  PasswordHasher hasher({2, 19 * 1024});
  EXPECT_NE(*hasher.hash("same"), *hasher.hash("same"));
}

TEST(PasswordHasherTest, WeakerParametersNeedRehash) {
  PasswordHasher strong({3, 32 * 1024});
  PasswordHasher owasp({2, 19 * 1024});
  auto h = owasp.hash("pw");
  EXPECT_TRUE(strong.needsRehash(*h));
  EXPECT_FALSE(owasp.needsRehash(*h));
}

}  // namespace
}  // namespace kino::accounts
