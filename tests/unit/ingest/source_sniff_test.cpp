#include "kino/ingest/source_sniff.hpp"

#include <gtest/gtest.h>

namespace kino::ingest {
namespace {

using namespace std::literals;

TEST(SourceSniffTest, HlsByContentTypeUrlOrFirstBytesEverythingElseIsAFile) {
  struct Case {
    const char* content_type;
    const char* url;
    std::string_view head;
    SourceKind want;
  } cases[] = {
      {"application/vnd.apple.mpegurl", "http://h.test/v", "", SourceKind::kHlsPlaylist},
      {"Application/X-MPEGURL; charset=utf-8", "http://h.test/v", "", SourceKind::kHlsPlaylist},
      {"", "http://h.test/a/index.m3u8", "", SourceKind::kHlsPlaylist},
      {"", "http://h.test/a/INDEX.M3U8?token=x#t", "", SourceKind::kHlsPlaylist},
      {"text/plain", "http://h.test/a/list.txt", "#EXTM3U\n#EXT", SourceKind::kHlsPlaylist},
      {"video/mp4", "http://h.test/a/movie.mp4", "\0\0\0 ftypisom"sv, SourceKind::kMediaFile},
      {"", "http://h.test/a/x.m3u8.mp4", "", SourceKind::kMediaFile},
      {"", "http://h.test/a.m3u8/x.mp4", "", SourceKind::kMediaFile},
      {"", "http://h.test/x.mp4?next=a.m3u8", "", SourceKind::kMediaFile},
      // Playlists hidden behind other bytes are files: ffmpeg's demuxer whitelist refuses them.
      {"video/mp2t", "http://h.test/x.ts", "ID3\x04\0\0\0\0\0\0#EXTM3U"sv, SourceKind::kMediaFile},
      {"video/mp2t", "http://h.test/x.ts", "\xEF\xBB\xBF#EXTM3U\n", SourceKind::kMediaFile},
      {"video/mp2t", "http://h.test/x.ts", " \n#EXTM3U\n", SourceKind::kMediaFile},
      {"", "", "#EXTM3", SourceKind::kMediaFile},
      {"", "", "", SourceKind::kMediaFile},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(sniffSource(c.content_type, c.url, c.head), c.want)
        << c.content_type << " " << c.url << " " << c.head;
  }
}

}  // namespace
}  // namespace kino::ingest
