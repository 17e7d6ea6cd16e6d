#pragma once
// Deterministic "randomness" for tests (xorshift; not secure).

#include <cstdint>

#include "kino/common/random.hpp"

namespace kino::testing {

class SeededRandom final : public common::Random {
 public:
  explicit SeededRandom(std::uint64_t seed = 42) : state_(seed ? seed : 1) {}
  void fill(std::span<std::uint8_t> out) override {
    for (auto& b : out) {
      state_ ^= state_ << 13;
      state_ ^= state_ >> 7;
      state_ ^= state_ << 17;
      b = static_cast<std::uint8_t>(state_);
    }
  }

 private:
  std::uint64_t state_;
};

}  // namespace kino::testing
