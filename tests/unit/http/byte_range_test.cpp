#include "kino/http/byte_range.hpp"

#include <gtest/gtest.h>

namespace kino::http {
namespace {

TEST(ByteRangeTest, Table) {
  struct Case {
    std::optional<std::string_view> header;
    RangeOutcome outcome;
    std::uint64_t first, last;
  } cases[] = {
      {std::nullopt, RangeOutcome::kFull, 0, 0},
      {"bytes=0-99", RangeOutcome::kPartial, 0, 99},
      {"bytes=900-", RangeOutcome::kPartial, 900, 999},
      {"bytes=-10", RangeOutcome::kPartial, 990, 999},
      {"bytes=-5000", RangeOutcome::kPartial, 0, 999},
      {"bytes=990-5000", RangeOutcome::kPartial, 990, 999},
      {"bytes=1000-", RangeOutcome::kUnsatisfiable, 0, 0},
      {"bytes=-0", RangeOutcome::kUnsatisfiable, 0, 0},
      {"bytes=5-1", RangeOutcome::kFull, 0, 0},
      {"bytes=0-1,5-6", RangeOutcome::kFull, 0, 0},
      {"items=0-1", RangeOutcome::kFull, 0, 0},
      {"bytes=x-1", RangeOutcome::kFull, 0, 0},
  };
  for (const auto& c : cases) {
    ByteRange r;
    EXPECT_EQ(parseRange(c.header, 1000, r), c.outcome) << c.header.value_or("none");
    if (c.outcome == RangeOutcome::kPartial) {
      EXPECT_EQ(r.first, c.first) << *c.header;
      EXPECT_EQ(r.last, c.last) << *c.header;
    }
  }
}

}  // namespace
}  // namespace kino::http
