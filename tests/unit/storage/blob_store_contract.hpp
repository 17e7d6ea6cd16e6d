#pragma once
// The BlobStore contract (kino/storage/blob_store.hpp) as a value-parameterised GoogleTest suite:
// every adapter instantiates it with a factory (disk_blob_store_test.cpp, and the S3 adapter
// against a real Swift in tests/integration/s3/s3_blob_store_test.cpp).

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "kino/storage/blob_store.hpp"

namespace kino::storage {

struct BlobStoreMaker {
  std::string name;  // the test-name suffix, e.g. "Disk"
  // A store for one test, or nullptr when this adapter cannot run here (the test is skipped). Tests
  // write only under their own key prefix, so stores may share data.
  std::function<std::unique_ptr<BlobStore>()> open;
};

// Test names show the maker's name, not its bytes.
inline void PrintTo(const BlobStoreMaker& maker, std::ostream* os) { *os << maker.name; }

class BlobStoreContract : public ::testing::TestWithParam<BlobStoreMaker> {
 protected:
  void SetUp() override;
  // `rest` under this test's own prefix ("<unique>/<rest>").
  std::string key(const std::string& rest) const { return prefix_ + "/" + rest; }

  std::unique_ptr<BlobStore> store_;
  std::string prefix_;
};

// For INSTANTIATE_TEST_SUITE_P(..., BlobStoreContract, ..., blobStoreMakerName).
std::string blobStoreMakerName(const ::testing::TestParamInfo<BlobStoreMaker>& info);

}  // namespace kino::storage
