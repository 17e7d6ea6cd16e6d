#pragma once
// Plain rows the storage ports read and write. Times are UTC.

#include <cstdint>
#include <string>

#include "kino/common/clock.hpp"

namespace kino::storage {

struct NewUser {
  std::string username;      // as typed; uniqueness is case-insensitive
  std::string display_name;
  std::string password_hash;  // argon2id encoded string
  common::TimePoint created_at;
};

struct UserRecord {
  std::int64_t id = 0;
  std::string username;
  std::string display_name;
  std::string password_hash;
  common::TimePoint created_at;
};

struct SessionRecord {
  std::string token_hash;  // hex SHA-256 of the cookie token; the token itself is never stored
  std::int64_t user_id = 0;
  common::TimePoint created_at;
  common::TimePoint expires_at;
};

}  // namespace kino::storage
