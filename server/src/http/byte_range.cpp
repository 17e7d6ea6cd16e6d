#include "kino/http/byte_range.hpp"

#include <charconv>

namespace kino::http {
namespace {

bool number(std::string_view s, std::uint64_t& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

RangeOutcome parseRange(std::optional<std::string_view> header, std::uint64_t size, ByteRange& out) {
  if (!header) return RangeOutcome::kFull;
  std::string_view h = *header;
  if (h.rfind("bytes=", 0) != 0) return RangeOutcome::kFull;
  h.remove_prefix(6);
  if (h.find(',') != std::string_view::npos) return RangeOutcome::kFull;
  const auto dash = h.find('-');
  if (dash == std::string_view::npos) return RangeOutcome::kFull;
  const auto a = h.substr(0, dash), b = h.substr(dash + 1);
  std::uint64_t first = 0, last = 0;
  if (a.empty()) {  // suffix: the last N bytes
    if (!number(b, last)) return RangeOutcome::kFull;
    if (last == 0 || size == 0) return RangeOutcome::kUnsatisfiable;
    out = {size > last ? size - last : 0, size - 1};
    return RangeOutcome::kPartial;
  }
  if (!number(a, first)) return RangeOutcome::kFull;
  if (b.empty()) {
    last = size == 0 ? 0 : size - 1;
  } else if (!number(b, last) || last < first) {
    return RangeOutcome::kFull;
  }
  if (first >= size) return RangeOutcome::kUnsatisfiable;
  out = {first, std::min(last, size - 1)};
  return RangeOutcome::kPartial;
}

}  // namespace kino::http
