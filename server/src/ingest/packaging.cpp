#include "kino/ingest/packaging.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace kino::ingest {
namespace {

double number(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_string()) return std::strtod(std::string(v->as_string()).c_str(), nullptr);
  if (v->is_number()) return v->to_number<double>();
  return 0;
}

std::string text(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

constexpr Rung kLadder[] = {{1080, 5000}, {720, 2800}, {480, 1400}, {360, 800}};

int evenHeight(int h) { return std::max(2, h - h % 2); }

}  // namespace

Result<ProbeResult> parseProbe(std::string_view json) {
  boost::system::error_code ec;
  auto v = boost::json::parse(json, ec);
  if (ec || !v.is_object()) {
    return Error::make(ErrorKind::kMalformed, "probe_failed", "ffprobe gave no readable answer.");
  }
  ProbeResult r;
  const auto& root = v.as_object();
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
        r.width = static_cast<int>(number(o, "width"));
        r.height = static_cast<int>(number(o, "height"));
        if (r.duration_s == 0) r.duration_s = number(o, "duration");
      } else if (type == "audio" && !r.has_audio) {
        r.has_audio = true;
        r.audio_codec = text(o, "codec_name");
      }
    }
  }
  if (const auto* format = root.if_contains("format"); format && format->is_object()) {
    const double d = number(format->as_object(), "duration");
    if (d > 0) r.duration_s = d;
    r.bit_rate = static_cast<std::int64_t>(number(format->as_object(), "bit_rate"));
  }
  if (!r.has_video || r.width <= 0 || r.height <= 0) {
    return Error::make(ErrorKind::kInvalid, "no_video",
                       "No playable video was found in the file. Use a link to a video file "
                       "(mp4, webm, mkv, mov…) or an HLS playlist.");
  }
  return r;
}

PackagingPlan planPackaging(const ProbeResult& p, int max_rungs) {
  PackagingPlan plan;
  plan.audio = p.has_audio;
  const bool video_ok = p.video_codec == "h264" && (p.pix_fmt == "yuv420p" || p.pix_fmt == "yuvj420p");
  const bool audio_ok = !p.has_audio || p.audio_codec == "aac";
  if (video_ok && audio_ok) {
    plan.copy = true;
    const int kbps = p.bit_rate > 0 ? static_cast<int>(p.bit_rate / 1000) : 3000;
    plan.rungs.push_back({p.height, kbps});
    return plan;
  }
  for (const Rung& r : kLadder) {
    if (r.height <= p.height && static_cast<int>(plan.rungs.size()) < max_rungs) plan.rungs.push_back(r);
  }
  if (plan.rungs.empty()) plan.rungs.push_back({evenHeight(p.height), 600});
  return plan;
}

std::vector<std::string> packagingArgs(const PackagingPlan& plan, const std::string& input,
                                       const std::filesystem::path& out_dir, int segment_s) {
  std::vector<std::string> a = {"-nostdin", "-y", "-v", "error", "-progress", "pipe:1",
                                "-protocol_whitelist", "file,pipe", "-i", input};
  const std::string seg = std::to_string(segment_s);
  const auto n = plan.rungs.size();
  if (plan.copy) {
    a.insert(a.end(), {"-map", "0:v:0", "-map", "0:a:0?", "-c", "copy"});
  } else {
    std::string graph = "[0:v]split=" + std::to_string(n);
    for (std::size_t i = 0; i < n; ++i) graph += "[s" + std::to_string(i) + "]";
    for (std::size_t i = 0; i < n; ++i) {
      graph += ";[s" + std::to_string(i) + "]scale=-2:" + std::to_string(plan.rungs[i].height) +
               "[o" + std::to_string(i) + "]";
    }
    a.insert(a.end(), {"-filter_complex", graph});
    for (std::size_t i = 0; i < n; ++i) {
      const auto k = std::to_string(i);
      const int kbps = plan.rungs[i].video_kbps;
      a.insert(a.end(), {"-map", "[o" + k + "]", "-c:v:" + k, "libx264", "-b:v:" + k,
                         std::to_string(kbps) + "k", "-maxrate:v:" + k,
                         std::to_string(kbps * 11 / 10) + "k", "-bufsize:v:" + k,
                         std::to_string(kbps * 2) + "k"});
    }
    if (plan.audio) {
      for (std::size_t i = 0; i < n; ++i) a.insert(a.end(), {"-map", "0:a:0"});
      a.insert(a.end(), {"-c:a", "aac", "-b:a", "128k", "-ac", "2"});
    }
    a.insert(a.end(), {"-preset", "veryfast", "-profile:v", "main", "-pix_fmt", "yuv420p",
                       "-force_key_frames", "expr:gte(t,n_forced*2)", "-sc_threshold", "0"});
  }
  std::string map;
  for (std::size_t i = 0; i < n; ++i) {
    map += (i ? " " : "") + std::string("v:") + std::to_string(i);
    if (plan.audio && !plan.copy) map += ",a:" + std::to_string(i);
    if (plan.audio && plan.copy) map += ",a:0";
  }
  a.insert(a.end(), {"-f", "hls", "-hls_time", seg, "-hls_playlist_type", "event", "-hls_flags",
                     "independent_segments+temp_file", "-var_stream_map", map,
                     "-hls_segment_filename", (out_dir / "v%v" / "seg_%05d.ts").string(),
                     (out_dir / "v%v" / "index.m3u8").string()});
  return a;
}

std::vector<std::string> posterArgs(const ProbeResult& p, const std::string& input,
                                    const std::filesystem::path& out_file) {
  const double at = std::min(5.0, p.duration_s / 3);
  char when[32];
  std::snprintf(when, sizeof when, "%.3f", std::max(0.0, at));
  return {"-nostdin", "-y", "-v", "error", "-protocol_whitelist", "file,pipe", "-ss", when,
          "-i", input, "-frames:v", "1", "-vf", "scale=-2:360", "-q:v", "4", out_file.string()};
}

std::string masterPlaylist(const PackagingPlan& plan, const ProbeResult& p) {
  std::string m = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n";
  for (std::size_t i = 0; i < plan.rungs.size(); ++i) {
    const Rung& r = plan.rungs[i];
    const int height = plan.copy ? p.height : r.height;
    int width = plan.copy ? p.width
                          : static_cast<int>(std::lround(static_cast<double>(p.width) * height /
                                                         std::max(1, p.height)));
    width -= width % 2;
    const int bandwidth = (r.video_kbps + (plan.audio ? 128 : 0)) * 1000 * 11 / 10;
    m += "#EXT-X-STREAM-INF:BANDWIDTH=" + std::to_string(bandwidth) +
         ",RESOLUTION=" + std::to_string(width) + "x" + std::to_string(height) + "\n";
    m += "v" + std::to_string(i) + "/index.m3u8\n";
  }
  return m;
}

std::optional<double> progressSeconds(std::string_view line) {
  constexpr std::string_view kKey = "out_time_us=";
  if (line.rfind(kKey, 0) != 0) return std::nullopt;
  const std::string v(line.substr(kKey.size()));
  char* end = nullptr;
  const double us = std::strtod(v.c_str(), &end);
  if (end == v.c_str() || us < 0) return std::nullopt;
  return us / 1e6;
}

}  // namespace kino::ingest
