#pragma once
// How Kino packages a probed source (probe.hpp) as HLS: stream copy when the browser can play the
// codecs as they are (H.264 8-bit 4:2:0 + AAC), otherwise an x264 `veryfast` + AAC ladder no taller
// than the source. Pure: builds command lines and playlists, runs nothing.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kino/common/result.hpp"
#include "kino/ingest/probe.hpp"

namespace kino::ingest {

struct Rung {
  int height = 0;
  int video_kbps = 0;
};

struct PackagingPlan {
  bool copy = false;         // stream copy (one rendition at the source size)
  std::vector<Rung> rungs;   // transcode: tallest first; copy: one rung describing the source
  bool audio = false;
};

// At most `max_rungs` rungs from 1080/720/480/360 not taller than the source (a source shorter than
// 360 lines gets one rung at its own height).
PackagingPlan planPackaging(const ProbeResult& probe, int max_rungs = 3);

// The ffmpeg arguments (without the program name) that package the file `input` (read as
// inputArgs says) into `out_dir`/v<i>/index.m3u8 + seg_%05d.ts with ~`segment_s` segments, progress
// on stdout (-progress pipe:1). Playlists are of type EVENT while they grow and end with
// EXT-X-ENDLIST.
std::vector<std::string> packagingArgs(const PackagingPlan& plan,
                                       const std::filesystem::path& input,
                                       const std::filesystem::path& out_dir, int segment_s);
// Arguments for a poster frame (JPEG, 360 lines) of the file `input` taken at min(5 s, a third of
// the video).
std::vector<std::string> posterArgs(const ProbeResult& probe, const std::filesystem::path& input,
                                    const std::filesystem::path& out_file);
// The master playlist listing the renditions v0..vN-1.
std::string masterPlaylist(const PackagingPlan& plan, const ProbeResult& probe);
// Seconds of output done from one `-progress` line ("out_time_us=12345"), or nullopt.
std::optional<double> progressSeconds(std::string_view line);

}  // namespace kino::ingest
