#include "kino/http/message.hpp"

#include <gtest/gtest.h>

namespace kino::http {
namespace {

TEST(LoggablePathTest, HidesTheTokenOfSignedMediaPathsOnly) {
  EXPECT_EQ(loggablePath("/media/s/abc.DEF_123/asset9/v0/seg_00001.ts"),
            "/media/s/REDACTED/asset9/v0/seg_00001.ts");
  EXPECT_EQ(loggablePath("/media/s/abc.DEF_123"), "/media/s/REDACTED");
  EXPECT_EQ(loggablePath("/media/asset9/master.m3u8"), "/media/asset9/master.m3u8");
  EXPECT_EQ(loggablePath("/api/v1/rooms/abc/ws"), "/api/v1/rooms/abc/ws");
}

}  // namespace
}  // namespace kino::http
