#include "kino/ingest/hls_playlist.hpp"

#include <gtest/gtest.h>

#include <string>

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

TEST(HlsPlaylistTest, RefusesWhatCannotBeDownloadedNamingTheReason) {
  const std::string too_many = [] {
    std::string t = "#EXTM3U\n";
    for (std::size_t i = 0; i <= kMaxPlaylistSegments; ++i) t += "#EXTINF:1,\ns.ts\n";
    return t + "#EXT-X-ENDLIST\n";
  }();
  struct Case {
    std::string text;
    const char* code;
    const char* message_part;
  } cases[] = {
      {"", "not_a_playlist", "not an HLS playlist"},
      {"<html>", "not_a_playlist", "not an HLS playlist"},
      {"\xEF\xBB\xBF#EXTM3U\n#EXTINF:6,\na.ts\n#EXT-X-ENDLIST\n", "not_a_playlist", "not an HLS"},
      {"ID3\x04#EXTM3U\n#EXTINF:6,\na.ts\n#EXT-X-ENDLIST\n", "not_a_playlist", "not an HLS"},
      {"#EXTM3U\n#EXTINF:6,\na.ts\n", "live_stream", "live stream"},
      {"#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI=\"k\"\n#EXTINF:6,\na.ts\n#EXT-X-ENDLIST\n",
       "encrypted_stream", "Encrypted"},
      {"#EXTM3U\n#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"k\"\n#EXTINF:6,\na.ts\n#EXT-X-ENDLIST\n",
       "encrypted_stream", "Encrypted"},
      {"#EXTM3U\n#EXT-X-ENDLIST\n", "no_segments", "no segments"},
      {"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n", "no_streams", "no streams"},
      {"#EXTM3U\n#EXT-X-MAP:BYTERANGE=\"10@0\"\n#EXTINF:6,\na.m4s\n#EXT-X-ENDLIST\n", "bad_map",
       "EXT-X-MAP"},
      {"#EXTM3U\n#EXT-X-MAP:URI=\"\"\n#EXTINF:6,\na.m4s\n#EXT-X-ENDLIST\n", "bad_map", "EXT-X-MAP"},
      {too_many, "too_many_segments", "too many segments"},
      {std::string(8 * 1024 * 1024 + 1, '#'), "playlist_too_large", "too large"},
  };
  for (const auto& c : cases) {
    const auto label = c.text.substr(0, 40);
    auto p = parseHlsPlaylist(c.text);
    ASSERT_FALSE(p.ok()) << label;
    EXPECT_EQ(p.error().kind, ErrorKind::kMalformed) << label;
    EXPECT_EQ(p.error().code, c.code) << label;
    EXPECT_NE(p.error().message.find(c.message_part), std::string::npos)
        << label << ": " << p.error().message;
  }
  EXPECT_TRUE(parseHlsPlaylist("#EXTM3U\n#EXT-X-KEY:METHOD=NONE\n#EXTINF:6,\na.ts\n#EXT-X-ENDLIST\n").ok());
}

TEST(HlsPlaylistTest, ResolvesRelativeLinksButOnlyToHttp) {
  EXPECT_EQ(resolveUri("http://h.test/a/b/master.m3u8", "low/i.m3u8").value(),
            "http://h.test/a/b/low/i.m3u8");
  EXPECT_EQ(resolveUri("http://h.test/a/b/m.m3u8", "../s.ts").value(), "http://h.test/a/s.ts");
  EXPECT_EQ(resolveUri("http://h.test/a/m.m3u8", "https://cdn.test/x.ts").value(),
            "https://cdn.test/x.ts");
  struct Case {
    const char* base;
    const char* reference;
    const char* code;
  } refused[] = {
      {"http://h.test/m.m3u8", "file:///etc/passwd", "unsupported_link"},
      {"http://h.test/m.m3u8", "gopher://x/", "unsupported_link"},
      {"http://h.test/m.m3u8", "data:video/mp2t;base64,R0A=", "unsupported_link"},
      {"file:///srv/m.m3u8", "a.ts", "unsupported_link"},
      {"http://h.test/m.m3u8", "http://[::1/x.ts", "bad_link"},
      {"not a url", "a.ts", "bad_link"},
  };
  for (const auto& c : refused) {
    auto r = resolveUri(c.base, c.reference);
    ASSERT_FALSE(r.ok()) << c.reference;
    EXPECT_EQ(r.error().code, c.code) << c.base << " + " << c.reference;
  }
}

}  // namespace
}  // namespace kino::ingest
