#include "kino/ingest/hls_playlist.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <charconv>
#include <cstdlib>

namespace kino::ingest {
namespace {

Error malformed(std::string code, std::string message) {
  return Error::make(ErrorKind::kMalformed, std::move(code), std::move(message));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// The value of attribute `name` in an attribute list (NAME=VALUE,NAME="VALUE",...).
std::optional<std::string> attribute(std::string_view list, std::string_view name) {
  std::size_t i = 0;
  while (i < list.size()) {
    const auto eq = list.find('=', i);
    if (eq == std::string_view::npos) return std::nullopt;
    const auto key = trim(list.substr(i, eq - i));
    std::size_t end;
    std::string value;
    if (eq + 1 < list.size() && list[eq + 1] == '"') {
      const auto close = list.find('"', eq + 2);
      if (close == std::string_view::npos) return std::nullopt;
      value = std::string(list.substr(eq + 2, close - eq - 2));
      end = list.find(',', close);
    } else {
      end = list.find(',', eq);
      value = std::string(trim(list.substr(eq + 1, end == std::string_view::npos
                                                        ? std::string_view::npos
                                                        : end - eq - 1)));
    }
    if (key == name) return value;
    if (end == std::string_view::npos) return std::nullopt;
    i = end + 1;
  }
  return std::nullopt;
}

}  // namespace

Result<HlsPlaylist> parseHlsPlaylist(std::string_view text) {
  if (text.size() > 8 * 1024 * 1024)
    return malformed("playlist_too_large", "The playlist is too large.");
  HlsPlaylist p;
  bool header = false;
  std::optional<HlsVariant> pending_variant;
  double pending_duration = 0;  // from the last #EXTINF
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const auto line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (line.empty()) continue;
    if (!header) {
      if (line.rfind("#EXTM3U", 0) != 0)
        return malformed("not_a_playlist", "This is not an HLS playlist.");
      header = true;
      continue;
    }
    if (line.rfind("#EXT-X-STREAM-INF:", 0) == 0) {
      HlsVariant v;
      const auto attrs = line.substr(18);
      if (auto bw = attribute(attrs, "BANDWIDTH")) v.bandwidth = std::atoll(bw->c_str());
      if (auto res = attribute(attrs, "RESOLUTION")) {
        if (auto x = res->find('x'); x != std::string::npos) v.height = std::atoi(res->c_str() + x + 1);
      }
      pending_variant = v;
      p.is_master = true;
    } else if (line.rfind("#EXTINF:", 0) == 0) {
      pending_duration = std::strtod(std::string(line.substr(8)).c_str(), nullptr);
    } else if (line.rfind("#EXT-X-KEY:", 0) == 0) {
      auto method = attribute(line.substr(11), "METHOD");
      if (method && *method != "NONE")
        return malformed("encrypted_stream", "Encrypted HLS streams are not supported.");
    } else if (line.rfind("#EXT-X-MAP:", 0) == 0) {
      auto uri = attribute(line.substr(11), "URI");
      if (!uri || uri->empty()) return malformed("bad_map", "EXT-X-MAP without a URI.");
      p.init_uri = *uri;
    } else if (line == "#EXT-X-ENDLIST") {
      p.ended = true;
    } else if (line.front() == '#') {
      continue;  // other tags do not matter for a download
    } else if (pending_variant) {
      pending_variant->uri = std::string(line);
      p.variants.push_back(std::move(*pending_variant));
      pending_variant.reset();
    } else {
      if (p.segments.size() >= kMaxPlaylistSegments)
        return malformed("too_many_segments", "The playlist has too many segments.");
      p.segments.push_back({std::string(line), pending_duration});
      pending_duration = 0;
    }
  }
  if (!header) return malformed("not_a_playlist", "This is not an HLS playlist.");
  if (p.is_master && p.variants.empty())
    return malformed("no_streams", "The master playlist lists no streams.");
  if (!p.is_master && p.segments.empty())
    return malformed("no_segments", "The playlist has no segments.");
  if (!p.is_master && !p.ended) {
    return malformed(
        "live_stream",
        "This is a live stream; only finished videos (with an end) can be downloaded.");
  }
  return p;
}

const HlsVariant* bestVariant(const HlsPlaylist& master) {
  const HlsVariant* best = nullptr;
  for (const auto& v : master.variants) {
    if (!best || v.bandwidth > best->bandwidth) best = &v;
  }
  return best;
}

Result<std::string> resolveUri(std::string_view base, std::string_view reference) {
  auto b = boost::urls::parse_absolute_uri(base);
  auto r = boost::urls::parse_uri_reference(reference);
  if (!b || !r) return malformed("bad_link", "A link in the playlist is not a valid URL.");
  boost::urls::url out;
  if (auto res = boost::urls::resolve(*b, *r, out); !res) {
    return malformed("bad_link", "A link in the playlist cannot be resolved.");
  }
  if (out.scheme_id() != boost::urls::scheme::http && out.scheme_id() != boost::urls::scheme::https) {
    return malformed("unsupported_link", "Playlists may only link to http(s) addresses.");
  }
  return std::string(out.buffer());
}

}  // namespace kino::ingest
