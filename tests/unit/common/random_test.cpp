#include "kino/common/random.hpp"

#include <gtest/gtest.h>

#include <set>

#include "fakes/seeded_random.hpp"

namespace kino::common {
namespace {

TEST(Base64UrlTest, MatchesRfc4648Vectors) {
  auto enc = [](std::string_view s) {
    return base64UrlEncode(std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
  };
  EXPECT_EQ(enc(""), "");
  EXPECT_EQ(enc("f"), "Zg");
  EXPECT_EQ(enc("fo"), "Zm8");
  EXPECT_EQ(enc("foo"), "Zm9v");
  EXPECT_EQ(enc("foob"), "Zm9vYg");
  EXPECT_EQ(enc("\xfb\xff"), "-_8");
}

TEST(RandomTokenTest, SecureTokensAreLongAndDistinct) {
  SecureRandom random;
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto t = randomToken(random, 32);
    EXPECT_EQ(t.size(), 43u);
    EXPECT_TRUE(seen.insert(t).second);
  }
}

TEST(RandomStringTest, UsesOnlyTheAlphabetAndCoversIt) {
  testing::SeededRandom random(7);
  const std::string alphabet = "abc";
  auto s = randomString(random, alphabet, 3000);
  ASSERT_EQ(s.size(), 3000u);
  std::map<char, int> counts;
  for (char c : s) counts[c]++;
  ASSERT_EQ(counts.size(), 3u);
  for (auto& [c, n] : counts) EXPECT_GT(n, 800) << c;  // roughly uniform
}

}  // namespace
}  // namespace kino::common
