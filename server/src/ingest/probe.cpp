#include "kino/ingest/probe.hpp"

#include <boost/json/parse.hpp>

#include <cmath>
#include <cstdlib>

namespace kino::ingest {
namespace {

constexpr int kMaxDimension = 16384;  // wider or taller is not a video Kino packages

double number(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_string()) return std::strtod(std::string(v->as_string()).c_str(), nullptr);
  if (v->is_number()) return v->to_number<double>();
  return 0;
}

// A count (pixels, bits/s) as an integer: 0 unless finite and in 0..limit.
template <class Int>
Int count(double value, Int limit) {
  if (!std::isfinite(value) || value < 0 || value > static_cast<double>(limit)) return 0;
  return static_cast<Int>(value);
}

// Seconds: 0 unless finite and positive.
double seconds(double value) { return std::isfinite(value) && value > 0 ? value : 0; }

std::string text(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// Calls `f` with each non-empty item of a comma-separated list until it returns true.
template <class F>
bool anyItem(std::string_view list, F f) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    const auto item = list.substr(0, comma);
    if (!item.empty() && f(item)) return true;
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
  }
  return false;
}

Error formatRefused() {
  return Error::make(
      ErrorKind::kInvalid, "format_refused",
      "This file is a playlist or a format Kino does not open. Use a link to a video "
      "file (mp4, webm, mkv, mov…) or to an HLS playlist (.m3u8).");
}

}  // namespace

bool allowedFormat(std::string_view format_name) {
  return anyItem(format_name, [](std::string_view name) {
    return anyItem(kAllowedDemuxers, [&](std::string_view allowed) { return allowed == name; });
  });
}

std::vector<std::string> inputArgs(const std::filesystem::path& file) {
  const auto absolute = std::filesystem::absolute(file).lexically_normal();
  return {"-protocol_whitelist",         "file", "-format_whitelist",
          std::string(kAllowedDemuxers), "-i",   "file:" + absolute.string()};
}

std::vector<std::string> probeArgs(const std::filesystem::path& file) {
  std::vector<std::string> a = {"-v", "error"};
  for (auto& arg : inputArgs(file)) a.push_back(std::move(arg));
  a.insert(a.end(), {"-print_format", "json", "-show_format", "-show_streams"});
  return a;
}

Result<ProbeResult> parseProbe(std::string_view json) {
  boost::system::error_code ec;
  auto v = boost::json::parse(json, ec);
  if (ec || !v.is_object()) {
    return Error::make(ErrorKind::kMalformed, "probe_failed", "ffprobe gave no readable answer.");
  }
  ProbeResult r;
  const auto& root = v.as_object();
  const auto* format = root.if_contains("format");
  if (format && format->is_object()) r.format_name = text(format->as_object(), "format_name");
  if (!allowedFormat(r.format_name)) return formatRefused();
  if (const auto* streams = root.if_contains("streams"); streams && streams->is_array()) {
    for (const auto& s : streams->as_array()) {
      if (!s.is_object()) continue;
      const auto& o = s.as_object();
      const std::string type = text(o, "codec_type");
      if (type == "video" && !r.has_video) {
        // Cover art in audio files is a "video" stream with attached_pic; it is not a video.
        if (const auto* d = o.if_contains("disposition"); d && d->is_object()) {
          if (number(d->as_object(), "attached_pic") != 0) continue;
        }
        r.has_video = true;
        r.video_codec = text(o, "codec_name");
        r.pix_fmt = text(o, "pix_fmt");
        r.width = count(number(o, "width"), kMaxDimension);
        r.height = count(number(o, "height"), kMaxDimension);
        if (r.duration_s == 0) r.duration_s = seconds(number(o, "duration"));
      } else if (type == "audio" && !r.has_audio) {
        r.has_audio = true;
        r.audio_codec = text(o, "codec_name");
      }
    }
  }
  const double d = seconds(number(format->as_object(), "duration"));
  if (d > 0) r.duration_s = d;
  r.bit_rate = count(number(format->as_object(), "bit_rate"), std::int64_t{1} << 40);
  if (!r.has_video || r.width <= 0 || r.height <= 0) {
    return Error::make(ErrorKind::kInvalid, "no_video",
                       "No playable video was found in the file. Use a link to a video file "
                       "(mp4, webm, mkv, mov…) or an HLS playlist.");
  }
  return r;
}

Error readFailure(std::string_view tool_stderr, std::string otherwise_code,
                  std::string otherwise_message) {
  if (tool_stderr.find("not on whitelist") != std::string_view::npos) return formatRefused();
  return Error::make(ErrorKind::kInvalid, std::move(otherwise_code), std::move(otherwise_message));
}

}  // namespace kino::ingest
