// The BlobStore contract every adapter passes; see blob_store_contract.hpp.
#include "unit/storage/blob_store_contract.hpp"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>
#include <vector>

namespace kino::storage {

namespace fs = std::filesystem;

void BlobStoreContract::SetUp() {
  static std::atomic<int> counter{0};
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  prefix_ = "contract-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1)) +
            "-" + std::string(info->name()).substr(0, std::string(info->name()).find('/'));
  store_ = GetParam().open();
  if (!store_) GTEST_SKIP() << GetParam().name << " is not available here";
}

std::string blobStoreMakerName(const ::testing::TestParamInfo<BlobStoreMaker>& info) {
  return info.param.name;
}

namespace {

// `size` pseudo-random bytes, the same for the same seed.
std::string noise(std::size_t size, unsigned seed) {
  std::mt19937 gen(seed);
  std::string out(size, '\0');
  for (auto& c : out) c = static_cast<char>(gen() & 0xff);
  return out;
}

fs::path writeTemp(const std::string& name, const std::string& content) {
  const fs::path p = fs::temp_directory_path() / (name + "-" + std::to_string(::getpid()));
  std::ofstream(p, std::ios::binary) << content;
  return p;
}

TEST_P(BlobStoreContract, PutBytesThenStatAndReadAnyRange) {
  ASSERT_TRUE(store_->putBytes(key("a/v0/index.m3u8"), "#EXTM3U\n0123456789").ok());
  auto info = store_->stat(key("a/v0/index.m3u8"));
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->size, 18u);
  EXPECT_FALSE(info->etag.empty());
  EXPECT_GT(info->modified.time_since_epoch().count(), 0);
  EXPECT_EQ(store_->read(key("a/v0/index.m3u8"), 0, 18).value(), "#EXTM3U\n0123456789");
  EXPECT_EQ(store_->read(key("a/v0/index.m3u8"), 8, 4).value(), "0123");
  EXPECT_EQ(store_->read(key("a/v0/index.m3u8"), 15, 100).value(), "789") << "fewer at the end";
  EXPECT_EQ(store_->read(key("a/v0/index.m3u8"), 18, 10).value(), "") << "nothing past the end";
  EXPECT_EQ(store_->read(key("a/v0/index.m3u8"), 500, 10).value(), "");
  EXPECT_EQ(store_->read(key("a/v0/index.m3u8"), 3, 0).value(), "");
}

TEST_P(BlobStoreContract, PutFilePublishesTheFileStreamedInChunks) {
  const std::string content = noise(3 * 1024 * 1024 + 17, 1);
  const fs::path local = writeTemp("kino-contract-put", content);
  ASSERT_TRUE(store_->putFile(key("a/v0/seg_00000.ts"), local).ok());
  fs::remove(local);  // the blob does not depend on the local file any more
  auto info = store_->stat(key("a/v0/seg_00000.ts"));
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->size, content.size());
  std::string back;
  const std::uint64_t chunk = store_->preferredReadSize();
  ASSERT_GE(chunk, 64u * 1024);
  while (back.size() < content.size()) {
    auto part = store_->read(key("a/v0/seg_00000.ts"), back.size(), chunk);
    ASSERT_TRUE(part.ok()) << part.error().message;
    ASSERT_FALSE(part->empty());
    back += *part;
  }
  EXPECT_TRUE(back == content) << "the blob reads back byte for byte";
}

TEST_P(BlobStoreContract, PutFileOfAMissingFileFailsAndPublishesNothing) {
  auto r = store_->putFile(key("a/poster.jpg"), fs::temp_directory_path() / "kino-no-such-file");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(store_->stat(key("a/poster.jpg")).error().kind, ErrorKind::kNotFound);
}

TEST_P(BlobStoreContract, EmptyBlob) {
  ASSERT_TRUE(store_->putBytes(key("a/empty"), "").ok());
  EXPECT_EQ(store_->stat(key("a/empty")).value().size, 0u);
  EXPECT_EQ(store_->read(key("a/empty"), 0, 100).value(), "");
}

TEST_P(BlobStoreContract, OverwriteReplacesContentAndETag) {
  ASSERT_TRUE(store_->putBytes(key("a/v0/index.m3u8"), "#EXTM3U\n#one\n").ok());
  const auto first = store_->stat(key("a/v0/index.m3u8")).value();
  ASSERT_TRUE(store_->putBytes(key("a/v0/index.m3u8"), "#EXTM3U\n#two\n").ok());
  const auto second = store_->stat(key("a/v0/index.m3u8")).value();
  EXPECT_EQ(store_->read(key("a/v0/index.m3u8"), 0, 100).value(), "#EXTM3U\n#two\n");
  EXPECT_EQ(second.size, first.size);
  EXPECT_NE(second.etag, first.etag) << "same size, other content: another ETag";
}

// Readers racing a writer that keeps replacing the blob see one whole version, never a mix.
TEST_P(BlobStoreContract, OverwriteIsAtomicForReaders) {
  constexpr std::size_t kSize = 200 * 1024;
  const std::string a(kSize, 'a');
  const std::string b(kSize, 'b');
  const fs::path local_b = writeTemp("kino-contract-b", b);
  ASSERT_TRUE(store_->putBytes(key("a/live.m3u8"), a).ok());
  std::atomic<bool> done{false};
  std::atomic<int> mixed{0};
  std::atomic<int> reads{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 2; ++i) {
    readers.emplace_back([&] {
      while (!done.load()) {
        auto got = store_->read(key("a/live.m3u8"), 0, kSize);
        if (!got) {
          failed.fetch_add(1);
          continue;
        }
        reads.fetch_add(1);
        if (*got != a && *got != b) mixed.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < 20; ++i) {
    const bool ok = i % 2 == 0 ? store_->putFile(key("a/live.m3u8"), local_b).ok()
                               : store_->putBytes(key("a/live.m3u8"), a).ok();
    ASSERT_TRUE(ok);
  }
  while (reads.load() < 4) std::this_thread::yield();
  done = true;
  for (auto& t : readers) t.join();
  fs::remove(local_b);
  EXPECT_EQ(mixed.load(), 0) << "a read saw a mix of two versions";
  EXPECT_EQ(failed.load(), 0) << "a read failed while the blob was replaced";
}

TEST_P(BlobStoreContract, RemovePrefixRemovesThatFolderOnly) {
  for (const char* k : {"x/master.m3u8", "x/v0/seg_00000.ts", "x/v1/seg_00000.ts", "x2/keep.ts",
                        "x-y/keep.ts", "xx/keep.ts"}) {
    ASSERT_TRUE(store_->putBytes(key(k), k).ok()) << k;
  }
  ASSERT_TRUE(store_->removePrefix(key("x")).ok());
  for (const char* gone : {"x/master.m3u8", "x/v0/seg_00000.ts", "x/v1/seg_00000.ts"}) {
    EXPECT_EQ(store_->stat(key(gone)).error().kind, ErrorKind::kNotFound) << gone;
  }
  for (const char* kept : {"x2/keep.ts", "x-y/keep.ts", "xx/keep.ts"}) {
    EXPECT_TRUE(store_->stat(key(kept)).ok()) << kept;
  }
  EXPECT_TRUE(store_->removePrefix(key("nothing-here")).ok()) << "removing nothing succeeds";
  EXPECT_TRUE(store_->removePrefix(key("x")).ok()) << "removing twice succeeds";
}

TEST_P(BlobStoreContract, MissingBlobsAreNotFound) {
  EXPECT_EQ(store_->stat(key("a/missing.ts")).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(store_->read(key("a/missing.ts"), 0, 10).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(store_->read(key("a/missing.ts"), 0, 0).error().kind, ErrorKind::kNotFound);
}

TEST_P(BlobStoreContract, BadKeysAreRefusedAndWriteNothing) {
  const fs::path local = writeTemp("kino-contract-bad", "x");
  for (const std::string bad : {"", "/abs", "a/", "a//b", "../escape", "a/../b", ".hidden", "a/.b",
                                "a\\b", "a b", "a/%2e%2e", "a?b", "a#b"}) {
    EXPECT_EQ(store_->putBytes(bad, "x").error().kind, ErrorKind::kInvalid) << bad;
    EXPECT_EQ(store_->putFile(bad, local).error().kind, ErrorKind::kInvalid) << bad;
    EXPECT_EQ(store_->stat(bad).error().kind, ErrorKind::kInvalid) << bad;
    EXPECT_EQ(store_->read(bad, 0, 1).error().kind, ErrorKind::kInvalid) << bad;
    EXPECT_EQ(store_->removePrefix(bad).error().kind, ErrorKind::kInvalid) << bad;
  }
  fs::remove(local);
}

TEST_P(BlobStoreContract, ManyThreadsPutAndReadTheirOwnBlobs) {
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 8; ++i) {
        const std::string k = key("t" + std::to_string(t) + "/b" + std::to_string(i));
        const std::string content = noise(1000 + static_cast<std::size_t>(i), t * 100 + i);
        if (!store_->putBytes(k, content).ok()) wrong.fetch_add(1);
        auto got = store_->read(k, 0, content.size());
        if (!got || *got != content) wrong.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace kino::storage
