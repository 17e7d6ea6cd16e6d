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

// Parses a playlist. Errors are kMalformed with a message for people and one of these codes:
// "not_a_playlist" (the first non-empty line is not #EXTM3U), "playlist_too_large" (over 8 MiB),
// "too_many_segments" (over kMaxPlaylistSegments), "encrypted_stream" (EXT-X-KEY other than NONE),
// "bad_map" (EXT-X-MAP without URI), "no_streams" (a master without variants), "no_segments",
// "live_stream" (a media playlist without EXT-X-ENDLIST).
Result<HlsPlaylist> parseHlsPlaylist(std::string_view text);
// The variant to download from a master playlist: the highest bandwidth.
const HlsVariant* bestVariant(const HlsPlaylist& master);
// Resolves `reference` against the playlist's URL; only http(s) results are accepted. kMalformed
// "bad_link" when either is not a URL, "unsupported_link" when the result is not http(s).
Result<std::string> resolveUri(std::string_view base, std::string_view reference);

}  // namespace kino::ingest
