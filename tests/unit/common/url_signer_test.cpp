#include "kino/common/url_signer.hpp"

#include <gtest/gtest.h>

#include "fakes/fake_clock.hpp"

namespace kino::common {
namespace {

using namespace std::chrono_literals;

TEST(UrlSignerTest, TokensAreBoundToSubjectKeyAndTime) {
  testing::FakeClock clock;
  UrlSigner signer(std::array<std::uint8_t, 32>{1, 2, 3});
  UrlSigner other(std::array<std::uint8_t, 32>{9});
  const auto t = signer.token("asset1", clock.now() + 1h);
  EXPECT_TRUE(signer.valid("asset1", t, clock.now()));
  EXPECT_FALSE(signer.valid("asset2", t, clock.now()));
  EXPECT_FALSE(other.valid("asset1", t, clock.now()));
  EXPECT_FALSE(signer.valid("asset1", t, clock.now() + 2h));
  std::string tampered = t;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(signer.valid("asset1", tampered, clock.now()));
  // A later expiry with the old signature is refused.
  const auto dot = t.find('.');
  const std::string longer = std::to_string(std::stoll(t.substr(0, dot)) + 86400) + t.substr(dot);
  EXPECT_FALSE(signer.valid("asset1", longer, clock.now()));
  EXPECT_FALSE(signer.valid("asset1", "garbage", clock.now()));
}

}  // namespace
}  // namespace kino::common
