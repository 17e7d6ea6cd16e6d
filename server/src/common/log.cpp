#include "kino/common/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/json/serialize.hpp>

#include "kino/common/clock.hpp"

namespace kino::log {
namespace {

std::atomic<Level> g_level{Level::kInfo};

std::shared_ptr<spdlog::logger> logger() {
  static std::shared_ptr<spdlog::logger> instance = [] {
    auto l = spdlog::stderr_logger_mt("kino");
    l->set_pattern("%v");
    l->set_level(spdlog::level::trace);  // filtering happens in write()
    l->flush_on(spdlog::level::trace);
    return l;
  }();
  return instance;
}

const char* levelName(Level level) {
  switch (level) {
    case Level::kTrace: return "trace";
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
    case Level::kOff: return "off";
  }
  return "info";
}

}  // namespace

Level parseLevel(std::string_view name) {
  for (Level l : {Level::kTrace, Level::kDebug, Level::kInfo, Level::kWarn, Level::kError,
                  Level::kOff}) {
    if (name == levelName(l)) return l;
  }
  return Level::kInfo;
}

void initLogging(Level level) {
  g_level = level;
  logger();
}

bool enabled(Level level) { return level != Level::kOff && level >= g_level.load(); }

void write(Level level, std::string_view event, boost::json::object fields) {
  if (!enabled(level)) return;
  boost::json::object line;
  line["ts"] = common::toRfc3339(std::chrono::system_clock::now());
  line["level"] = levelName(level);
  line["event"] = event;
  for (auto& field : fields) line[field.key()] = std::move(field.value());
  logger()->info(boost::json::serialize(line));
}

}  // namespace kino::log

namespace kino::log {

void LogFailure::operator()(const std::exception_ptr& failure) const {
  if (!failure) return;
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    error("coroutine_failed", {{"where", where}, {"what", e.what()}});
  } catch (...) {
    error("coroutine_failed", {{"where", where}, {"what", "unknown exception"}});
  }
}

}  // namespace kino::log
