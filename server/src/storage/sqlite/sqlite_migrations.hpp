#pragma once
// Schema migrations for SQLite, applied in order; PRAGMA user_version holds how many ran.
// Never edit a released migration: append a new one.

#include <span>
#include <string_view>

namespace kino::storage::sqlite {

std::span<const std::string_view> migrations();

}  // namespace kino::storage::sqlite
