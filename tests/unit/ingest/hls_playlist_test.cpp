#include "kino/ingest/hls_playlist.hpp"

#include <gtest/gtest.h>

namespace kino::ingest {
namespace {

TEST(HlsPlaylistTest, ReadsAMasterPlaylistAndPicksTheBestVariant) {
  auto p = parseHlsPlaylist(
      "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,CODECS=\"avc1.4d401e,mp4a.40.2\"\n"
      "low/index.m3u8\n#EXT-X-STREAM-INF:RESOLUTION=1280x720,BANDWIDTH=2800000\nhigh/index.m3u8\n");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_TRUE(p->is_master);
  ASSERT_EQ(p->variants.size(), 2u);
  EXPECT_EQ(bestVariant(*p)->uri, "high/index.m3u8");
  EXPECT_EQ(bestVariant(*p)->height, 720);
}

TEST(HlsPlaylistTest, ReadsAMediaPlaylistWithInitSegment) {
  auto p = parseHlsPlaylist(
      "#EXTM3U\r\n#EXT-X-VERSION:7\r\n#EXT-X-TARGETDURATION:6\r\n#EXT-X-MAP:URI=\"init.mp4\"\r\n"
      "#EXTINF:6.0,\r\nseg0.m4s\r\n#EXTINF:4.5,\r\nseg1.m4s\r\n#EXT-X-ENDLIST\r\n");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_FALSE(p->is_master);
  ASSERT_EQ(p->segments.size(), 2u);
  EXPECT_DOUBLE_EQ(p->segments[1].duration_s, 4.5);
  EXPECT_EQ(p->init_uri, "init.mp4");
  EXPECT_TRUE(p->ended);
}

TEST(HlsPlaylistTest, RefusesWhatCannotBeDownloaded) {
  struct Case { const char* text; const char* why; } cases[] = {
      {"", "not a playlist"},
      {"<html>", "not a playlist"},
      {"#EXTM3U\n#EXTINF:6,\na.ts\n", "live"},
      {"#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI=\"k\"\n#EXTINF:6,\na.ts\n#EXT-X-ENDLIST\n", "encrypted"},
      {"#EXTM3U\n#EXT-X-ENDLIST\n", "no segments"},
      {"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n", "no streams"},
  };
  for (const auto& c : cases) EXPECT_FALSE(parseHlsPlaylist(c.text).ok()) << c.why;
  EXPECT_TRUE(parseHlsPlaylist("#EXTM3U\n#EXT-X-KEY:METHOD=NONE\n#EXTINF:6,\na.ts\n#EXT-X-ENDLIST\n").ok());
}

TEST(HlsPlaylistTest, ResolvesRelativeLinksButOnlyToHttp) {
  EXPECT_EQ(resolveUri("http://h.test/a/b/master.m3u8", "low/i.m3u8").value(),
            "http://h.test/a/b/low/i.m3u8");
  EXPECT_EQ(resolveUri("http://h.test/a/b/m.m3u8", "../s.ts").value(), "http://h.test/a/s.ts");
  EXPECT_EQ(resolveUri("http://h.test/a/m.m3u8", "https://cdn.test/x.ts").value(),
            "https://cdn.test/x.ts");
  EXPECT_FALSE(resolveUri("http://h.test/m.m3u8", "file:///etc/passwd").ok());
  EXPECT_FALSE(resolveUri("http://h.test/m.m3u8", "gopher://x/").ok());
}

}  // namespace
}  // namespace kino::ingest
