#include "kino/storage/store_rate_window.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <utility>

#include "kino/common/log.hpp"
#include "kino/common/random.hpp"

namespace kino::storage {

namespace {

constexpr std::size_t kMaxPlainKey = 200;

}  // namespace

StoreRateWindow::StoreRateWindow(RateEventRepository& events, const common::Clock& clock,
                                 std::string name, std::size_t max_events,
                                 std::chrono::seconds window)
    : events_(events), clock_(clock), name_(std::move(name)),
      max_events_(static_cast<std::int64_t>(std::max<std::size_t>(max_events, 1))),
      window_(window) {}

std::string StoreRateWindow::storedKey(std::string_view key) const {
  if (key.size() <= kMaxPlainKey) return name_ + ":" + std::string(key);
  std::uint8_t digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  return name_ + ":#" + common::hexEncode(digest);
}

common::RateWindow::Decision StoreRateWindow::count(const std::string& key, bool record) {
  const auto now = clock_.now();
  auto counted = events_.consume(storedKey(key), max_events_, window_, now, record);
  if (!counted) {
    log::warn("rate_limit_unavailable",
              {{"limit", name_}, {"message", counted.error().message}});
    return {};
  }
  if (counted->count < max_events_) return {};
  const auto frees_at = counted->limiting_event.value_or(now) + window_;
  const auto wait = std::chrono::ceil<std::chrono::seconds>(frees_at - now);
  return {false, std::max(wait, std::chrono::seconds(1))};
}

common::RateWindow::Decision StoreRateWindow::check(const std::string& key) {
  return count(key, false);
}

void StoreRateWindow::record(const std::string& key) { count(key, true); }

common::RateWindow::Decision StoreRateWindow::consume(const std::string& key) {
  return count(key, true);
}

void StoreRateWindow::reset(const std::string& key) {
  if (auto r = events_.reset(storedKey(key)); !r) {
    log::warn("rate_limit_unavailable", {{"limit", name_}, {"message", r.error().message}});
  }
}

common::RateWindowFactory storeRateWindows(Store& store, const common::Clock& clock) {
  return [&store, &clock](std::string_view name, std::size_t max_events,
                          std::chrono::seconds window) -> std::unique_ptr<common::RateWindow> {
    return std::make_unique<StoreRateWindow>(store.rateEvents(), clock, std::string(name),
                                             max_events, window);
  };
}

}  // namespace kino::storage
