// libFuzzer target: HLS playlists come from any server a room creator links to. The parser must
// survive any bytes, and what it accepts must be consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "kino/ingest/hls_playlist.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto p = kino::ingest::parseHlsPlaylist(text);
  if (!p) return 0;
  if (p->is_master) {
    if (p->variants.empty() || !kino::ingest::bestVariant(*p)) std::abort();
    (void)kino::ingest::resolveUri("http://h.test/a/master.m3u8", kino::ingest::bestVariant(*p)->uri);
  } else {
    if (p->segments.empty() || !p->ended) std::abort();
    if (p->segments.size() > kino::ingest::kMaxPlaylistSegments) std::abort();
    for (const auto& s : p->segments) (void)kino::ingest::resolveUri("https://h.test/v/i.m3u8", s.uri);
  }
  return 0;
}
