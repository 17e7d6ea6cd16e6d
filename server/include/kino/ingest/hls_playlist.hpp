#pragma once
// Reading HLS playlists that people link to (untrusted input; fuzzed in tests/fuzz/). Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kino/common/result.hpp"

namespace kino::ingest {

struct HlsVariant {
  std::string uri;
  std::int64_t bandwidth = 0;
  int height = 0;
};

struct HlsSegment {
  std::string uri;
  double duration_s = 0;
};

struct HlsPlaylist {
  bool is_master = false;
  std::vector<HlsVariant> variants;  // master playlists
  std::vector<HlsSegment> segments;  // media playlists
  std::optional<std::string> init_uri;  // EXT-X-MAP (fMP4 segments)
  bool ended = false;                   // EXT-X-ENDLIST
};

inline constexpr std::size_t kMaxPlaylistSegments = 20000;

// Parses a playlist. kMalformed when it is not one (no #EXTM3U), when it is encrypted
// (EXT-X-KEY other than NONE), live without end, or too large.
Result<HlsPlaylist> parseHlsPlaylist(std::string_view text);
// The variant to download from a master playlist: the highest bandwidth.
const HlsVariant* bestVariant(const HlsPlaylist& master);
// Resolves `reference` against the playlist's URL; only http(s) results are accepted.
Result<std::string> resolveUri(std::string_view base, std::string_view reference);

}  // namespace kino::ingest
