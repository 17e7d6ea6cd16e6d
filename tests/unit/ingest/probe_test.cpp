#include "kino/ingest/probe.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

namespace kino::ingest {
namespace {

std::string probeJson(const std::string& format_name, const std::string& video_extra = "") {
  return R"({"streams":[{"codec_type":"video","codec_name":"h264","pix_fmt":"yuv420p",)"
         R"("width":640,"height":360)" +
         video_extra + R"(}],"format":{"format_name":")" + format_name + R"(","duration":"6.0"}})";
}

TEST(ProbeTest, OnlySingleFileContainersAreAccepted) {
  for (const char* ok :
       {"mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "mpegts", "avi", "flv", "ogg", "asf", "mpeg"}) {
    auto p = parseProbe(probeJson(ok));
    ASSERT_TRUE(p.ok()) << ok << ": " << p.error().message;
    EXPECT_EQ(p->format_name, ok);
  }
  for (const char* refused : {"hls", "dash", "concat", "image2", "png_pipe", "webm_dash_manifest",
                              "imf", "mp3", "data", "", "mp4x", "xmpegts", ",", "hls,applehttp"}) {
    auto p = parseProbe(probeJson(refused));
    ASSERT_FALSE(p.ok()) << refused;
    EXPECT_EQ(p.error().code, "format_refused") << refused;
    EXPECT_EQ(p.error().kind, ErrorKind::kInvalid);
  }
  auto missing = parseProbe(R"({"streams":[{"codec_type":"video","width":1,"height":1}]})");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "format_refused") << "no format named is not a format allowed";
}

TEST(ProbeTest, ImplausibleNumbersAreNotTrusted) {
  auto huge = parseProbe(probeJson("mpegts", R"(,"width":1e300)"));
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().code, "no_video");
  auto negative = parseProbe(R"({"streams":[{"codec_type":"video","width":-640,"height":360}],)"
                             R"("format":{"format_name":"mpegts"}})");
  EXPECT_EQ(negative.error().code, "no_video");
  auto nan = parseProbe(R"({"streams":[{"codec_type":"video","width":64,"height":48,)"
                        R"("duration":"nan"}],"format":{"format_name":"mpegts","duration":"inf",)"
                        R"("bit_rate":"-5"}})");
  ASSERT_TRUE(nan.ok()) << nan.error().message;
  EXPECT_EQ(nan->duration_s, 0);
  EXPECT_EQ(nan->bit_rate, 0);
}

TEST(ProbeTest, FfmpegReadsOnlyTheFileItWasGivenByItsLiteralName) {
  // A path Kino chose for the download (absolute, under its work folder).
  const std::string source = (std::filesystem::temp_directory_path() / "kino-work" / "abc" / "source").string();
  const auto args = probeArgs(source);
  auto at = [&](const std::string& s) { return std::find(args.begin(), args.end(), s); };
  ASSERT_NE(at("-protocol_whitelist"), args.end());
  EXPECT_EQ(*(at("-protocol_whitelist") + 1), "file");
  ASSERT_NE(at("-format_whitelist"), args.end());
  EXPECT_EQ(*(at("-format_whitelist") + 1), kAllowedDemuxers);
  ASSERT_NE(at("-i"), args.end());
  EXPECT_EQ(*(at("-i") + 1), "file:" + source);
  EXPECT_LT(at("-format_whitelist"), at("-i")) << "input options come before -i";
  EXPECT_EQ(inputArgs("/w/./x/../data:,y").back(), "file:/w/data:,y");
  EXPECT_EQ(inputArgs("relative").back().rfind("file:/", 0), 0u) << "made absolute";
  for (const char* nested : {"hls", "dash", "concat", "ffconcat", "image2", "tee", "subfile",
                             "data", "imf", "webm_dash_manifest"}) {
    EXPECT_FALSE(allowedFormat(nested)) << nested;
  }
}

TEST(ProbeTest, WhitelistRefusalsAreToldApartFromOtherFailures) {
  auto refused = readFailure(
      "[hls @ 0x55c7f1d8a240] Format not on whitelist 'mov,mp4'\nfile:/w/source: Invalid "
      "argument\n",
      "not_a_video", "not a video");
  EXPECT_EQ(refused.code, "format_refused");
  EXPECT_NE(refused.message.find("does not open"), std::string::npos);
  EXPECT_EQ(readFailure("[hls @ 0x1] Protocol 'data' not on whitelist 'file'!", "x", "y").code,
            "format_refused");
  auto other = readFailure("file:/w/source: Invalid data found when processing input\n",
                           "not_a_video", "This file is not a video Kino can read.");
  EXPECT_EQ(other.code, "not_a_video");
  EXPECT_EQ(other.message, "This file is not a video Kino can read.");
  EXPECT_EQ(other.kind, ErrorKind::kInvalid);
}

}  // namespace
}  // namespace kino::ingest
