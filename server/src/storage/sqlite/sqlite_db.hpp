#pragma once
// Thin RAII wrappers over the SQLite C API, private to the SQLite adapter.

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kino/common/result.hpp"

namespace kino::storage::sqlite {

// Maps an SQLite result code to a kino::Error (busy/locked → kUnavailable, constraint → kConflict).
Error toError(sqlite3* db, int rc, std::string_view what);

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);  // check ok() before use
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return stmt_ != nullptr; }
  int prepareCode() const { return prepare_rc_; }

  Statement& bind(int index, std::int64_t v);
  Statement& bind(int index, std::string_view v);
  Statement& bindNull(int index);
  Statement& bindReal(int index, double v);

  // Steps once: SQLITE_ROW, SQLITE_DONE or an error code.
  int step();
  std::int64_t int64(int col) const;
  double real(int col) const;
  std::string text(int col) const;
  bool isNull(int col) const;

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int prepare_rc_ = SQLITE_OK;
};

// Steps `s` to the end, reading each row with `read`; the error names `what`.
template <class T, class Read>
Result<std::vector<T>> collect(sqlite3* db, Statement& s, Read read, std::string_view what) {
  std::vector<T> out;
  for (;;) {
    const int rc = s.step();
    if (rc == SQLITE_DONE) return out;
    if (rc != SQLITE_ROW) return toError(db, rc, what);
    out.push_back(read(s));
  }
}

// Runs one or more statements without results.
Result<void> exec(sqlite3* db, std::string_view sql);

}  // namespace kino::storage::sqlite
