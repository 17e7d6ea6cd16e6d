#pragma once
// How ffprobe and ffmpeg read a downloaded source, and what ffprobe found. Pure: builds command
// lines and reads their output (untrusted: the file is anyone's; fuzzed in tests/fuzz/).
//
// The source is one local file with a name Kino chose. ffmpeg must read that file and nothing
// else: a playlist or script inside it (HLS, DASH, concat, image2 patterns, data: URLs) would make
// ffmpeg open further paths on this machine. So every ffmpeg/ffprobe input is opened with
//   -protocol_whitelist file -format_whitelist <kAllowedDemuxers> -i file:<absolute path>
// The demuxer whitelist is the defence: only demuxers of single-file containers, none of which
// opens other files (mov's external data references stay off, as is ffmpeg's default). The `file:`
// prefix keeps the name from being read as another protocol, and the name is never a pattern
// because image2 is not on the list. HLS sources are fetched by Kino itself and joined into one
// file before ffmpeg sees them (IngestService).

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "kino/common/result.hpp"

namespace kino::ingest {

// ffmpeg demuxer names ffmpeg may use on a source (its -format_whitelist).
inline constexpr std::string_view kAllowedDemuxers =
    "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,flv,mpegts,ogg,asf,mpeg";

// The input options and the input for ffmpeg/ffprobe reading `file` (made absolute).
std::vector<std::string> inputArgs(const std::filesystem::path& file);

// The ffprobe arguments (without the program name) that describe `file` as JSON on stdout.
std::vector<std::string> probeArgs(const std::filesystem::path& file);

struct ProbeResult {
  bool has_video = false;
  std::string video_codec;  // ffprobe codec_name, e.g. "h264", "vp9"
  std::string pix_fmt;
  int width = 0;
  int height = 0;
  bool has_audio = false;
  std::string audio_codec;
  double duration_s = 0;
  std::int64_t bit_rate = 0;  // whole file, bits/s; 0 when unknown
  std::string format_name;    // ffprobe's format_name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
};

// Parses `ffprobe -print_format json -show_format -show_streams`. Errors (kInvalid/kMalformed,
// with a message for people): "probe_failed" when the JSON is not ffprobe's, "format_refused" when
// the format is not one of kAllowedDemuxers (also when ffprobe names none), "no_video" when there
// is no video stream with a size of 1..16384 pixels each way ("not a video"). Durations that are
// not finite and positive read as 0.
Result<ProbeResult> parseProbe(std::string_view ffprobe_json);

// The error for an ffprobe or ffmpeg run that failed on a source, from its stderr: kInvalid
// "format_refused" when ffmpeg refused a demuxer or protocol by whitelist ("... not on whitelist"),
// else kInvalid `otherwise_code` with `otherwise_message`.
Error readFailure(std::string_view tool_stderr, std::string otherwise_code,
                  std::string otherwise_message);

// True when one of the comma-separated names in `format_name` is in kAllowedDemuxers.
bool allowedFormat(std::string_view format_name);

}  // namespace kino::ingest
