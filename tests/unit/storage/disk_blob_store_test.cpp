#include "kino/storage/disk_blob_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "unit/storage/blob_store_contract.hpp"

namespace kino::storage {
namespace {

namespace fs = std::filesystem;

TEST(BlobKeyTest, OnlyPlainSegments) {
  for (const char* ok : {"a", "abc/v0/seg_00001.ts", "x-y.z"}) EXPECT_TRUE(validBlobKey(ok)) << ok;
  for (const char* bad :
       {"", "/a", "a/", "a//b", "../a", "a/../b", ".hidden", "a/.b", "a\\b", "a b", "a/%2e%2e"}) {
    EXPECT_FALSE(validBlobKey(bad)) << bad;
  }
}

const fs::path& diskRoot() {
  static const fs::path root =
      fs::temp_directory_path() / ("kino-blobs-" + std::to_string(::getpid()));
  return root;
}

// Removes the disk store's root once the tests of this binary are done.
class DiskRootCleanup : public ::testing::Environment {
 public:
  void TearDown() override { fs::remove_all(diskRoot()); }
};
const auto* const kCleanup = ::testing::AddGlobalTestEnvironment(new DiskRootCleanup);

INSTANTIATE_TEST_SUITE_P(Disk, BlobStoreContract,
                         ::testing::Values(BlobStoreMaker{
                             "Disk",
                             [] { return std::move(openDiskBlobStore(diskRoot())).value(); }}),
                         blobStoreMakerName);

TEST(DiskBlobStoreTest, KeysAreFilesUnderTheRoot) {
  auto store = std::move(openDiskBlobStore(diskRoot())).value();
  ASSERT_TRUE(store->putBytes("disk-layout/v0/index.m3u8", "#EXTM3U\n").ok());
  EXPECT_TRUE(fs::is_regular_file(diskRoot() / "disk-layout" / "v0" / "index.m3u8"));
  EXPECT_FALSE(store->putBytes("../escape", "x").ok());
  EXPECT_FALSE(fs::exists(diskRoot().parent_path() / "escape"));
}

}  // namespace
}  // namespace kino::storage
