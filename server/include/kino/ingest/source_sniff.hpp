#pragma once
// Deciding how Kino reads a downloaded source (untrusted bytes; fuzzed in tests/fuzz/). Pure.

#include <cstddef>
#include <string_view>

namespace kino::ingest {

enum class SourceKind {
  kMediaFile,    // one file, read by ffprobe/ffmpeg through the demuxer whitelist (probe.hpp)
  kHlsPlaylist,  // read by Kino (hls_playlist.hpp), which fetches every segment itself over http(s)
};

// How many bytes of the body sniffSource looks at.
inline constexpr std::size_t kSniffBytes = 16;

// kHlsPlaylist when the server says so (a Content-Type containing "mpegurl", any case), when the
// path of `final_url` ends in ".m3u8" (any case), or when `head` starts with "#EXTM3U"; otherwise
// kMediaFile. Nothing is stripped before "#EXTM3U": a playlist hidden behind an ID3 tag, a byte
// order mark or white space is a file, and the demuxer whitelist refuses it.
SourceKind sniffSource(std::string_view content_type, std::string_view final_url,
                       std::string_view head);

}  // namespace kino::ingest
