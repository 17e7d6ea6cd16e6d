// libFuzzer target: what ffprobe prints about a file anyone can link to, the stderr Kino classifies
// when ffprobe/ffmpeg fail, and the sniffing that decides whether a download is an HLS playlist or
// a file. None may crash on any bytes, and what they accept must be consistent. Input layout for
// the sniffer: "<content type>\n<final url>\n<body...>"; the whole input goes to the other readers.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "kino/ingest/packaging.hpp"
#include "kino/ingest/probe.hpp"
#include "kino/ingest/source_sniff.hpp"
#include "kino/ingest/url_redaction.hpp"

namespace {

std::string_view line(std::string_view& rest) {
  const auto nl = rest.find('\n');
  const auto out = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace kino::ingest;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto p = parseProbe(text)) {
    if (!p->has_video || p->width < 1 || p->height < 1 || p->width > 16384 || p->height > 16384) {
      std::abort();
    }
    if (!allowedFormat(p->format_name)) std::abort();
    if (!std::isfinite(p->duration_s) || p->duration_s < 0 || p->bit_rate < 0) std::abort();
    const auto plan = planPackaging(*p);
    if (plan.rungs.empty()) std::abort();
    for (const auto& r : plan.rungs) {
      // Never taller than the source, except that x264 needs at least 2 lines.
      if (r.height < 1 || r.height > std::max(2, p->height) || r.video_kbps < 0) std::abort();
    }
    if (masterPlaylist(plan, *p).rfind("#EXTM3U\n", 0) != 0) std::abort();
    (void)posterArgs(*p, "/w/joined", "/w/poster.jpg");
  } else if (p.error().code != "probe_failed" && p.error().code != "format_refused" &&
             p.error().code != "no_video") {
    std::abort();
  }

  const auto failure = readFailure(text, "not_a_video", "not a video");
  if (failure.code != "format_refused" && failure.code != "not_a_video") std::abort();

  std::string_view rest = text;
  const auto content_type = line(rest);
  const auto url = line(rest);
  const auto head = rest.substr(0, kSniffBytes);
  const auto kind = sniffSource(content_type, url, head);
  if (head.rfind("#EXTM3U", 0) == 0 && kind != SourceKind::kHlsPlaylist) std::abort();
  if (sniffSource(content_type, url, head) != kind) std::abort();

  const auto redacted = redactUrl(url);
  if (url.find('@') == std::string_view::npos &&
      url.find_first_of("?#") == std::string_view::npos && redacted != url) {
    std::abort();  // nothing to redact: the URL is kept as it was
  }
  return 0;
}
