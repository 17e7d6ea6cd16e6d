#pragma once
// "Randomness" that repeats scripted bytes: each fill() call fills the whole buffer with the next
// scripted byte (cycling), so randomString(…, length 1) yields one scripted letter per call.

#include <cstdint>
#include <vector>

#include "kino/common/random.hpp"

namespace kino::testing {

class ScriptedRandom final : public common::Random {
 public:
  explicit ScriptedRandom(std::vector<std::uint8_t> script) : script_(std::move(script)) {}
  void fill(std::span<std::uint8_t> out) override {
    const std::uint8_t b = script_[next_++ % script_.size()];
    for (auto& x : out) x = b;
  }
  std::size_t calls() const { return next_; }

 private:
  std::vector<std::uint8_t> script_;
  std::size_t next_ = 0;
};

}  // namespace kino::testing
