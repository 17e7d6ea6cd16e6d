#pragma once
// Argon2id password hashing through libsodium. Thread-safe; each call takes tens of milliseconds and
// `mem_kib` of memory: call it from the worker pool.

#include <cstdint>
#include <string>
#include <string_view>

#include "kino/common/result.hpp"

namespace kino::accounts {

struct Argon2Params {
  std::uint64_t ops = 2;              // t (iterations)
  std::uint64_t mem_kib = 19 * 1024;  // m (memory)
};

class PasswordHasher {
 public:
  explicit PasswordHasher(Argon2Params params);

  // The encoded hash ("$argon2id$v=19$m=...,t=...,p=1$salt$hash") with a fresh random salt.
  Result<std::string> hash(std::string_view password) const;
  // True when `password` matches `encoded`. Never throws; malformed hashes do not match.
  bool verify(std::string_view encoded, std::string_view password) const;
  // True when `encoded` used weaker parameters than this hasher's (re-hash at next login).
  bool needsRehash(std::string_view encoded) const;
  // Burns the time of one verification; used when the user does not exist so timing reveals nothing.
  void verifyDummy(std::string_view password) const;

 private:
  Argon2Params params_;
  std::string dummy_hash_;
};

}  // namespace kino::accounts
