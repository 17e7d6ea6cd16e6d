#pragma once
// The one error policy (docs/ARCHITECTURE.md): expected failures travel as kino::Error inside
// kino::Result<T>; invariants use KINO_ASSERT; exceptions only at edges, caught once per session.

#include <cassert>
#include <chrono>
#include <string>
#include <utility>
#include <variant>

namespace kino {

// What kind of failure it is; the HTTP layer maps each kind to one status code.
enum class ErrorKind {
  kMalformed,        // 400: the input could not be parsed
  kInvalid,          // 422: parsed, but a field breaks a rule (see Error::field)
  kUnauthenticated,  // 401
  kForbidden,        // 403
  kNotFound,         // 404
  kConflict,         // 409
  kTooLarge,         // 413
  kRateLimited,      // 429 (see Error::retry_after)
  kUnavailable,      // 503: a dependency is down or busy
  kInternal,         // 500
};

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string code;     // stable snake_case code shown to clients, e.g. "username_taken"
  std::string message;  // human text, safe to show to the user
  std::string field;    // the offending input field, when there is one
  std::chrono::seconds retry_after{0};  // kRateLimited only

  static Error make(ErrorKind kind, std::string code, std::string message,
                    std::string field = {}) {
    return Error{kind, std::move(code), std::move(message), std::move(field), {}};
  }
  static Error internal(std::string message) {
    return make(ErrorKind::kInternal, "internal_error", std::move(message));
  }
};

// A value or an Error. Accessing value() of a failed Result is a programming error.
// The text for an errno value (thread-safe, unlike strerror).
std::string errnoText(int err);

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { assert(!ok_); return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

inline Result<void> success() { return {}; }

}  // namespace kino

#define KINO_ASSERT(cond) assert(cond)
