#include "kino/ingest/packaging.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace kino::ingest {
namespace {

constexpr Rung kLadder[] = {{1080, 5000}, {720, 2800}, {480, 1400}, {360, 800}};

int evenHeight(int h) { return std::max(2, h - h % 2); }

}  // namespace

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

std::vector<std::string> packagingArgs(const PackagingPlan& plan,
                                       const std::filesystem::path& input,
                                       const std::filesystem::path& out_dir, int segment_s) {
  std::vector<std::string> a = {"-nostdin", "-y", "-v", "error", "-progress", "pipe:1"};
  for (auto& arg : inputArgs(input)) a.push_back(std::move(arg));
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

std::vector<std::string> posterArgs(const ProbeResult& p, const std::filesystem::path& input,
                                    const std::filesystem::path& out_file) {
  const double at = std::min(5.0, p.duration_s / 3);
  char when[32];
  std::snprintf(when, sizeof when, "%.3f", std::max(0.0, at));
  std::vector<std::string> a = {"-nostdin", "-y", "-v", "error", "-ss", when};
  for (auto& arg : inputArgs(input)) a.push_back(std::move(arg));
  a.insert(a.end(), {"-frames:v", "1", "-vf", "scale=-2:360", "-q:v", "4", "-update", "1",
                     out_file.string()});
  return a;
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
