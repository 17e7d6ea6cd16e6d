#include "kino/storage/disk_blob_store.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace kino::storage {
namespace {

namespace fs = std::filesystem;

TEST(BlobKeyTest, OnlyPlainSegments) {
  for (const char* ok : {"a", "abc/v0/seg_00001.ts", "x-y.z"}) EXPECT_TRUE(validBlobKey(ok)) << ok;
  for (const char* bad : {"", "/a", "a/", "a//b", "../a", "a/../b", ".hidden", "a/.b", "a\\b",
                          "a b", "a/%2e%2e"}) {
    EXPECT_FALSE(validBlobKey(bad)) << bad;
  }
}

TEST(DiskBlobStoreTest, PutStatReadAndRemove) {
  const fs::path root = fs::temp_directory_path() / ("kino-blobs-" + std::to_string(::getpid()));
  auto store = std::move(openDiskBlobStore(root)).value();
  ASSERT_TRUE(store->putBytes("asset/v0/index.m3u8", "#EXTM3U\n").ok());
  const fs::path local = root / "local.bin";
  std::ofstream(local) << "0123456789";
  ASSERT_TRUE(store->putFile("asset/v0/seg.ts", local).ok());
  auto info = store->stat("asset/v0/seg.ts");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->size, 10u);
  EXPECT_FALSE(info->etag.empty());
  EXPECT_EQ(store->read("asset/v0/seg.ts", 3, 4).value(), "3456");
  EXPECT_EQ(store->read("asset/v0/seg.ts", 8, 100).value(), "89");
  EXPECT_EQ(store->stat("asset/missing.ts").error().kind, ErrorKind::kNotFound);
  EXPECT_FALSE(store->putBytes("../escape", "x").ok());
  ASSERT_TRUE(store->removePrefix("asset").ok());
  EXPECT_FALSE(store->stat("asset/v0/seg.ts").ok());
  fs::remove_all(root);
}

}  // namespace
}  // namespace kino::storage
