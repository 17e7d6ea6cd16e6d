// ffprobe and ffmpeg, run as Kino runs them (probe.hpp, packaging.hpp), on sources that try to make
// ffmpeg read other files of this machine. Real ffmpeg; fixtures are made in a scratch folder. A
// canary video (an H.264 stream carrying a marker text) sits beside them; every hostile source
// points at it, and without Kino's whitelists ffmpeg does read it (the first test shows that).

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "kino/ingest/packaging.hpp"
#include "kino/ingest/probe.hpp"
#include "kino/ingest/process.hpp"

namespace kino::ingest {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void spit(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

ProcessOutcome run(const std::string& program, const std::vector<std::string>& args) {
  auto out = runProcess(program, args, nullptr, nullptr, /*keep_stdout=*/true);
  EXPECT_TRUE(out.ok()) << program << ": " << (out ? "" : out.error().message);
  return out ? *out : ProcessOutcome{};
}

// What Kino's probe step makes of `file`: the probe, or the error the job fails with.
Result<ProbeResult> kinoProbe(const fs::path& file) {
  auto out = run("ffprobe", probeArgs(file));
  if (out.exit_code != 0) return readFailure(out.stderr_tail, "not_a_video", "not a video");
  return parseProbe(out.stdout_text);
}

class HostileSourcesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("kino-hostile-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    canary_text_ = "KINO_CANARY_" + std::to_string(::getpid());
    canary_ = dir_ / "canary.ts";
    const std::string lavfi = "testsrc2=size=160x120:rate=10:duration=2";
    auto made = run("ffmpeg", {"-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", lavfi, "-c:v",
                               "libx264", "-preset", "ultrafast", "-bsf:v",
                               "h264_metadata=sei_user_data=086f3693-b7b3-4f2c-9653-21492feee5b8+" +
                                   canary_text_,
                               "-f", "mpegts", canary_.string()});
    ASSERT_EQ(made.exit_code, 0) << made.stderr_tail;
    ASSERT_NE(slurp(canary_).find(canary_text_), std::string::npos);
    clip_ = dir_ / "clip.mp4";
    made = run("ffmpeg",
               {"-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", lavfi, "-c:v", "libx264",
                "-preset", "ultrafast", "-g", "5", "-pix_fmt", "yuv420p", clip_.string()});
    ASSERT_EQ(made.exit_code, 0) << made.stderr_tail;
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  struct Hostile {
    std::string name;
    std::string bytes;
    std::vector<std::string> codes;  // the failures ffmpeg's own detection may lead to
  };

  // The hostile sources, as a downloaded file would hold them.
  static std::vector<Hostile> hostileSources() {
    const std::string c = canary_.string();
    const std::string playlist =
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n" + c + "\n#EXT-X-ENDLIST\n";
    const std::string id3("ID3\x04\0\0\0\0\0\0", 10);
    const std::string canary_bytes = slurp(canary_);
    std::string base64;
    {
      const auto encoded = run("base64", {"-w0", c});
      base64 = encoded.stdout_text;
    }
    return {
        {"hls_plain", playlist, {"format_refused"}},
        {"hls_id3", id3 + playlist, {"format_refused"}},
        {"hls_bom", "\xEF\xBB\xBF" + playlist, {"format_refused", "not_a_video"}},
        {"hls_whitespace", " \n\t" + playlist, {"format_refused", "not_a_video"}},
        {"hls_file_url",
         id3 + "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nfile://" + c + "\n#EXT-X-ENDLIST\n",
         {"format_refused"}},
        {"hls_data_uri",
         id3 + "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\ndata:video/mp2t;base64," + base64 +
             "\n#EXT-X-ENDLIST\n",
         {"format_refused"}},
        {"ffconcat", "ffconcat version 1.0\nfile " + c + "\nfile canary.ts\n", {"format_refused"}},
        {"dash.mpd",
         "<?xml version=\"1.0\"?>\n<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\" "
         "mediaPresentationDuration=\"PT2S\" minBufferTime=\"PT2S\" "
         "profiles=\"urn:mpeg:dash:profile:isoff-on-demand:2011\"><Period><AdaptationSet "
         "mimeType=\"video/mp2t\"><Representation id=\"0\" bandwidth=\"100000\" "
         "codecs=\"avc1.42c00a\" width=\"160\" height=\"120\"><BaseURL>file://" +
             c + "</BaseURL></Representation></AdaptationSet></Period></MPD>\n",
         {"format_refused"}},
        // An image sequence pattern: frame%d.png next to frame1.png, frame2.png.
        {"frame%d.png", slurp(frameFile()), {"format_refused"}},
    };
  }

  static fs::path frameFile() {
    const fs::path frame = dir_ / "frame1.png";
    if (!fs::exists(frame)) {
      auto made = run("ffmpeg",
                      {"-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                       "testsrc2=size=64x48:rate=1:duration=1", "-frames:v", "1", frame.string()});
      EXPECT_EQ(made.exit_code, 0) << made.stderr_tail;
      fs::copy_file(frame, dir_ / "frame2.png", fs::copy_options::overwrite_existing);
    }
    return frame;
  }

  static fs::path write(const Hostile& h) {
    const fs::path p = dir_ / "in" / h.name;
    fs::create_directories(p.parent_path());
    spit(p, h.bytes);
    return p;
  }

  static bool containsCanary(const fs::path& folder) {
    for (const auto& e : fs::recursive_directory_iterator(folder)) {
      if (e.is_regular_file() && slurp(e.path()).find(canary_text_) != std::string::npos)
        return true;
    }
    return false;
  }

  static inline fs::path dir_;
  static inline fs::path canary_;
  static inline fs::path clip_;
  static inline std::string canary_text_;
};

TEST_F(HostileSourcesTest, WithoutKinosWhitelistsFfmpegReadsTheCanary) {
  // The attack as reported: the old arguments (file and pipe protocols, any demuxer).
  for (const char* name : {"hls_plain", "hls_id3", "hls_file_url", "dash.mpd"}) {
    for (const auto& h : hostileSources()) {
      if (h.name != name) continue;
      auto out = run("ffprobe", {"-v", "error", "-protocol_whitelist", "file,pipe", "-show_streams",
                                 "-print_format", "json", write(h).string()});
      EXPECT_EQ(out.exit_code, 0) << name << ": " << out.stderr_tail;
      EXPECT_NE(out.stdout_text.find("\"h264\""), std::string::npos)
          << name << ": the fixture really makes ffmpeg open the canary: " << out.stdout_text;
    }
  }
}

TEST_F(HostileSourcesTest, ProbingRefusesEveryHostileSourceWithAClearError) {
  for (const auto& h : hostileSources()) {
    const auto p = kinoProbe(write(h));
    ASSERT_FALSE(p.ok()) << h.name << " was accepted as " << p->format_name;
    EXPECT_EQ(p.error().kind, ErrorKind::kInvalid) << h.name;
    EXPECT_NE(std::find(h.codes.begin(), h.codes.end(), p.error().code), h.codes.end())
        << h.name << ": " << p.error().code;
    EXPECT_EQ(p.error().message.find(canary_text_), std::string::npos);
    EXPECT_FALSE(p.error().message.empty());
  }
}

TEST_F(HostileSourcesTest, PackagingRefusesEveryHostileSourceAndWritesNothingOfTheCanary) {
  ProbeResult looks_fine{true, "h264", "yuv420p", 160, 120, false, "", 2, 0, "mpegts"};
  const auto plan = planPackaging(looks_fine);
  for (const auto& h : hostileSources()) {
    const fs::path out_dir = dir_ / "out" / h.name;
    fs::create_directories(out_dir / "v0");
    auto out = run("ffmpeg", packagingArgs(plan, write(h), out_dir, 1));
    EXPECT_NE(out.exit_code, 0) << h.name;
    const auto error = readFailure(out.stderr_tail, "packaging_failed", "failed");
    const bool may_be_unreadable =
        std::find(h.codes.begin(), h.codes.end(), "not_a_video") != h.codes.end();
    EXPECT_TRUE(error.code == "format_refused" ||
                (may_be_unreadable && error.code == "packaging_failed"))
        << h.name << ": " << error.code << ": " << out.stderr_tail;
    EXPECT_FALSE(fs::exists(out_dir / "v0" / "seg_00000.ts")) << h.name;
    EXPECT_FALSE(containsCanary(out_dir)) << h.name;
    const fs::path poster = out_dir / "poster.jpg";
    auto shot = run("ffmpeg", posterArgs(looks_fine, write(h), poster));
    EXPECT_NE(shot.exit_code, 0) << h.name;
    EXPECT_FALSE(fs::exists(poster)) << h.name;
  }
}

TEST_F(HostileSourcesTest, NamesThatLookLikePatternsOrProtocolsAreReadAsPlainFiles) {
  for (const char* name : {"clip%d.mp4", "data:,hello", "concat:a.ts|b.ts",
                           "subfile,,start,0,end,9,,:x", "pipe:0", "-i"}) {
    const fs::path p = dir_ / "names" / name;
    fs::create_directories(p.parent_path());
    fs::copy_file(clip_, p, fs::copy_options::overwrite_existing);
    auto probe = kinoProbe(p);
    ASSERT_TRUE(probe.ok()) << name << ": " << probe.error().message;
    EXPECT_EQ(probe->format_name, "mov,mp4,m4a,3gp,3g2,mj2") << name;
    EXPECT_EQ(probe->height, 120) << name;
  }
}

TEST_F(HostileSourcesTest, KinosOwnSourcesStillProbeAndPackage) {
  // A file, and an HLS source's MPEG-TS segments joined the way IngestService joins them.
  const fs::path segments = dir_ / "segments";
  fs::create_directories(segments);
  auto made = run("ffmpeg", {"-nostdin", "-v", "error", "-y", "-i", clip_.string(), "-c", "copy",
                             "-f", "hls", "-hls_time", "0.5", "-hls_segment_filename",
                             (segments / "s%03d.ts").string(), (segments / "index.m3u8").string()});
  ASSERT_EQ(made.exit_code, 0) << made.stderr_tail;
  std::string joined;
  int count = 0;
  for (int i = 0; fs::exists(segments / ("s00" + std::to_string(i) + ".ts")); ++i, ++count) {
    joined += slurp(segments / ("s00" + std::to_string(i) + ".ts"));
  }
  ASSERT_GE(count, 2);
  spit(dir_ / "joined", joined);
  for (const fs::path& input : {clip_, dir_ / "joined"}) {
    auto probe = kinoProbe(input);
    ASSERT_TRUE(probe.ok()) << input << ": " << probe.error().message;
    EXPECT_NEAR(probe->duration_s, 2, 0.3) << input;
    const fs::path out_dir = dir_ / "good" / input.filename();
    fs::create_directories(out_dir / "v0");
    auto out = run("ffmpeg", packagingArgs(planPackaging(*probe), input, out_dir, 1));
    ASSERT_EQ(out.exit_code, 0) << input << ": " << out.stderr_tail;
    EXPECT_TRUE(fs::exists(out_dir / "v0" / "seg_00000.ts")) << input;
    auto shot = run("ffmpeg", posterArgs(*probe, input, out_dir / "poster.jpg"));
    EXPECT_EQ(shot.exit_code, 0) << shot.stderr_tail;
    EXPECT_TRUE(fs::exists(out_dir / "poster.jpg"));
  }
}

}  // namespace
}  // namespace kino::ingest
