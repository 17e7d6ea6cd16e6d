#pragma once
// Structured logging: every line is one JSON object {"ts","level","event",...fields} on stderr.
// Thread-safe. Call initLogging() once at start; before that, lines go to stderr at info level.

#include <exception>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

namespace kino::log {

enum class Level { kTrace, kDebug, kInfo, kWarn, kError, kOff };

// Parses "trace".."off"; unknown names give kInfo.
Level parseLevel(std::string_view name);
void initLogging(Level level);
bool enabled(Level level);

void write(Level level, std::string_view event, boost::json::object fields = {});
inline void debug(std::string_view e, boost::json::object f = {}) { write(Level::kDebug, e, std::move(f)); }
inline void info(std::string_view e, boost::json::object f = {}) { write(Level::kInfo, e, std::move(f)); }
inline void warn(std::string_view e, boost::json::object f = {}) { write(Level::kWarn, e, std::move(f)); }
inline void error(std::string_view e, boost::json::object f = {}) { write(Level::kError, e, std::move(f)); }

}  // namespace kino::log

namespace kino::log {

// The completion handler for coroutines started with co_spawn: an exception that escapes one is
// logged once as {"event":"coroutine_failed","where":<where>,"what":...} instead of vanishing (as it
// does with asio::detached). `where` must outlive the coroutine (a string literal). Cancellation
// and ordinary completion log nothing.
struct LogFailure {
  const char* where;
  void operator()(const std::exception_ptr& failure) const;
  // For coroutines that return a value: the value is dropped.
  template <class T>
  void operator()(const std::exception_ptr& failure, T&&) const {
    (*this)(failure);
  }
};

}  // namespace kino::log
