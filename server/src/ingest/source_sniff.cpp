#include "kino/ingest/source_sniff.hpp"

#include <algorithm>
#include <cctype>

namespace kino::ingest {
namespace {

bool containsNoCase(std::string_view text, std::string_view part) {
  return std::search(text.begin(), text.end(), part.begin(), part.end(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         }) != text.end();
}

bool endsWithNoCase(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         containsNoCase(text.substr(text.size() - suffix.size()), suffix);
}

}  // namespace

SourceKind sniffSource(std::string_view content_type, std::string_view final_url,
                       std::string_view head) {
  if (containsNoCase(content_type, "mpegurl")) return SourceKind::kHlsPlaylist;
  const std::string_view path = final_url.substr(0, final_url.find_first_of("?#"));
  if (endsWithNoCase(path, ".m3u8")) return SourceKind::kHlsPlaylist;
  if (head.substr(0, 7) == "#EXTM3U") return SourceKind::kHlsPlaylist;
  return SourceKind::kMediaFile;
}

}  // namespace kino::ingest
