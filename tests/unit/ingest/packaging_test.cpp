#include "kino/ingest/packaging.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace kino::ingest {
namespace {

constexpr const char* kH264Aac = R"({"streams":[
  {"codec_type":"video","codec_name":"h264","pix_fmt":"yuv420p","width":1280,"height":720},
  {"codec_type":"audio","codec_name":"aac"}],
  "format":{"format_name":"mov,mp4,m4a,3gp,3g2,mj2","duration":"60.04","bit_rate":"3100000"}})";

TEST(PackagingTest, ParsesFfprobeOutput) {
  auto p = parseProbe(kH264Aac);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->video_codec, "h264");
  EXPECT_EQ(p->height, 720);
  EXPECT_TRUE(p->has_audio);
  EXPECT_NEAR(p->duration_s, 60.04, 1e-9);
  EXPECT_EQ(p->bit_rate, 3100000);
}

TEST(PackagingTest, AudioOnlyOrCoverArtIsNotAVideo) {
  auto audio = parseProbe(R"({"streams":[{"codec_type":"audio","codec_name":"mp3"},
      {"codec_type":"video","codec_name":"mjpeg","width":500,"height":500,
       "disposition":{"attached_pic":1}}],"format":{"format_name":"mov,mp4,m4a,3gp,3g2,mj2",
       "duration":"180"}})");
  ASSERT_FALSE(audio.ok());
  EXPECT_EQ(audio.error().code, "no_video");
  EXPECT_EQ(parseProbe("not json").error().code, "probe_failed");
}

TEST(PackagingTest, BrowserSafeCodecsAreCopiedOthersTranscodedNoTallerThanTheSource) {
  auto copy = planPackaging(*parseProbe(kH264Aac));
  EXPECT_TRUE(copy.copy);
  ASSERT_EQ(copy.rungs.size(), 1u);

  ProbeResult vp9{true, "vp9",  "yuv420p", 1920, 1080,
                  true, "opus", 30,        0,    "mov,mp4,m4a,3gp,3g2,mj2"};
  auto ladder = planPackaging(vp9, 3);
  EXPECT_FALSE(ladder.copy);
  std::vector<int> heights;
  for (auto& r : ladder.rungs) heights.push_back(r.height);
  EXPECT_EQ(heights, (std::vector<int>{1080, 720, 480}));

  ProbeResult small{true, "vp9", "yuv420p", 426, 240, false, "", 10, 0, "mov,mp4,m4a,3gp,3g2,mj2"};
  auto tiny = planPackaging(small);
  ASSERT_EQ(tiny.rungs.size(), 1u);
  EXPECT_EQ(tiny.rungs[0].height, 240);

  ProbeResult ten_bit{
      true, "h264", "yuv420p10le", 1280, 720, true, "aac", 10, 0, "mov,mp4,m4a,3gp,3g2,mj2"};
  EXPECT_FALSE(planPackaging(ten_bit).copy);
  ProbeResult mp3{true, "h264", "yuv420p", 1280, 720, true, "mp3", 10, 0, "mpegts"};
  EXPECT_FALSE(planPackaging(mp3).copy);
}

TEST(PackagingTest, FfmpegArgumentsDescribeTheLadder) {
  ProbeResult vp9{true, "vp9",  "yuv420p", 1280, 720,
                  true, "opus", 30,        0,    "mov,mp4,m4a,3gp,3g2,mj2"};
  auto plan = planPackaging(vp9, 2);
  auto args = packagingArgs(plan, "/in.webm", "/out", 6);
  auto has = [&](const std::string& s) { return std::find(args.begin(), args.end(), s) != args.end(); };
  EXPECT_TRUE(has("libx264"));
  EXPECT_TRUE(has("veryfast"));
  EXPECT_TRUE(has("v:0,a:0 v:1,a:1"));
  EXPECT_TRUE(has("/out/v%v/index.m3u8"));
  EXPECT_TRUE(has("event"));
  auto copy = packagingArgs(planPackaging(*parseProbe(kH264Aac)), "/in.mp4", "/out", 6);
  EXPECT_TRUE(std::find(copy.begin(), copy.end(), "copy") != copy.end());
  EXPECT_TRUE(std::find(copy.begin(), copy.end(), "libx264") == copy.end());
}

TEST(PackagingTest, MasterPlaylistListsEachRendition) {
  ProbeResult vp9{true, "vp9",  "yuv420p", 1920, 1080,
                  true, "opus", 30,        0,    "mov,mp4,m4a,3gp,3g2,mj2"};
  auto m = masterPlaylist(planPackaging(vp9, 2), vp9);
  EXPECT_EQ(m.rfind("#EXTM3U\n", 0), 0u);
  EXPECT_NE(m.find("RESOLUTION=1920x1080\nv0/index.m3u8\n"), std::string::npos);
  EXPECT_NE(m.find("RESOLUTION=1280x720\nv1/index.m3u8\n"), std::string::npos);
}

TEST(PackagingTest, ReadsFfmpegProgressLines) {
  EXPECT_DOUBLE_EQ(*progressSeconds("out_time_us=2500000"), 2.5);
  EXPECT_FALSE(progressSeconds("out_time=00:00:02.50"));
  EXPECT_FALSE(progressSeconds("out_time_us=N/A"));
}

}  // namespace
}  // namespace kino::ingest
