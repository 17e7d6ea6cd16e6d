#pragma once
// Counts work in progress per key (e.g. media responses being sent to one client address) and
// refuses more than `max_per_key` at a time. A granted Slot holds its place until it is destroyed.
// Thread-safe; a Slot may be released on any thread and may outlive its ConcurrencyCap.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include "kino/common/mutex.hpp"

namespace kino::common {

class ConcurrencyCap {
  struct State;

 public:
  // One place taken under a key; move-only, released on destruction.
  class Slot {
   public:
    Slot(Slot&& other) noexcept = default;
    Slot& operator=(Slot&& other) noexcept;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot();

   private:
    friend class ConcurrencyCap;
    Slot(std::shared_ptr<State> state, std::string key);
    void release();
    std::shared_ptr<State> state_;
    std::string key_;
  };

  // `max_per_key` >= 1.
  explicit ConcurrencyCap(std::size_t max_per_key);

  // A slot under `key`, or nullopt when `max_per_key` are already taken.
  std::optional<Slot> tryAcquire(const std::string& key);
  // How many slots under `key` are taken now.
  std::size_t inUse(const std::string& key) const;
  std::size_t maxPerKey() const { return max_per_key_; }
  // Keys with a slot taken; a key is forgotten when its last slot is released, so memory follows
  // the slots in use, not every key ever seen.
  std::size_t keyCount() const;

 private:
  struct State {
    Mutex mu;
    // Keys with at least one slot taken.
    std::unordered_map<std::string, std::size_t> counts KINO_GUARDED_BY(mu);
  };
  const std::size_t max_per_key_;
  std::shared_ptr<State> state_;
};

}  // namespace kino::common
