#pragma once
// HTTP Range requests (RFC 9110 §14): one byte range per request; anything fancier is served whole.

#include <cstdint>
#include <optional>
#include <string_view>

namespace kino::http {

struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive
};

enum class RangeOutcome { kFull, kPartial, kUnsatisfiable };

// Reads a Range header ("bytes=0-99", "bytes=100-", "bytes=-500") against a body of `size` bytes.
// kFull when there is no usable single range (absent, another unit, several ranges, malformed).
RangeOutcome parseRange(std::optional<std::string_view> header, std::uint64_t size, ByteRange& out);

}  // namespace kino::http
