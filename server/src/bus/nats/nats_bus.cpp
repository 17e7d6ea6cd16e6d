#include "kino/bus/nats_bus.hpp"

#include <atomic>
#include <climits>
#include <random>

#include "nats_connection.hpp"
#include "nats_durable.hpp"
#include "nats_journal.hpp"
#include "nats_stream.hpp"
#include "nats_subscription.hpp"

namespace kino::bus {
namespace {

Error badSubject(std::string_view subject) {
  return Error::make(ErrorKind::kInvalid, "bad_subject",
                     "not a bus subject: '" + std::string(subject) + "'");
}

bool durableSubject(std::string_view subject, bool allow_wildcard) {
  return subject.starts_with("durable.") && validSubject(subject, allow_wildcard);
}

// A consumer name is one subject token (it becomes part of a JetStream consumer name).
bool validConsumer(std::string_view consumer) {
  return !consumer.empty() && consumer.size() <= 64 &&
         consumer.find('.') == std::string_view::npos && validSubject(consumer);
}

// 16 hex digits that differ between runs: message ids stay unique across restarts of a node.
std::string runToken() {
  std::random_device device;
  std::uniform_int_distribution<std::uint64_t> any;
  const std::uint64_t value =
      any(device) ^
      static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token(16, '0');
  for (int i = 0; i < 16; ++i) token[static_cast<std::size_t>(i)] = kHex[(value >> (4 * i)) & 15];
  return token;
}

class NatsBus final : public Bus {
 public:
  explicit NatsBus(std::shared_ptr<nats::Connection> connection)
      : connection_(std::move(connection)),
        id_prefix_(connection_->options().node_name + "-" + runToken() + "-") {}
  ~NatsBus() override { connection_->close(); }
  NatsBus(const NatsBus&) = delete;
  NatsBus& operator=(const NatsBus&) = delete;

  Result<void> publish(std::string_view subject, std::string_view data) override {
    if (!validSubject(subject)) return badSubject(subject);
    if (data.size() > static_cast<std::size_t>(INT_MAX)) {
      return Error::make(ErrorKind::kTooLarge, "bus_message_too_large", "bus message too large");
    }
    const std::string s(subject);
    const natsStatus st = natsConnection_Publish(connection_->nc(), s.c_str(), data.data(),
                                                 static_cast<int>(data.size()));
    if (st == NATS_OK) return success();
    if (st == NATS_MAX_PAYLOAD) {
      return Error::make(ErrorKind::kTooLarge, "bus_message_too_large",
                         "bus message of " + std::to_string(data.size()) +
                             " bytes is larger than the NATS servers accept");
    }
    return Error::make(ErrorKind::kUnavailable, "bus_unavailable",
                       "cannot publish on " + s + ": " + nats::describe(st));
  }

  Result<std::unique_ptr<Subscription>> subscribe(std::string_view subject,
                                                  Handler handler) override {
    if (!validSubject(subject, true)) return badSubject(subject);
    return nats::subscribeCore(connection_, std::string(subject), std::move(handler));
  }

  Result<void> publishDurable(std::string_view subject, std::string_view data,
                              std::chrono::milliseconds wait) override {
    if (!durableSubject(subject, false)) return badSubject(subject);
    auto stored = nats::publishToStream(*connection_, std::string(subject), data, wait, nextId());
    if (!stored) return stored.error();
    return success();
  }

  Result<std::unique_ptr<Subscription>> subscribeDurable(std::string_view subject,
                                                         std::string_view consumer,
                                                         Handler handler) override {
    if (!durableSubject(subject, true)) return badSubject(subject);
    if (!validConsumer(consumer)) {
      return Error::make(ErrorKind::kInvalid, "bad_consumer",
                         "not a consumer name: '" + std::string(consumer) + "'");
    }
    return nats::subscribeToStream(connection_, std::string(subject), std::string(consumer),
                                   std::move(handler));
  }

  Result<JournalClaim> claimJournal(std::string_view subject,
                                    std::chrono::milliseconds wait) override {
    if (!journalSubject(subject)) return badSubject(subject);
    return nats::claimJournal(*connection_, std::string(subject), wait, nextId());
  }

  Result<std::uint64_t> appendJournal(std::string_view subject, std::uint64_t after,
                                      std::string_view data,
                                      std::chrono::milliseconds wait) override {
    if (!journalSubject(subject)) return badSubject(subject);
    if (data.empty()) {
      return Error::make(ErrorKind::kInvalid, "bad_journal_entry", "a journal entry is not empty");
    }
    return nats::appendJournal(*connection_, std::string(subject), after, data, wait, nextId());
  }

  Result<void> trimJournal(std::string_view subject, std::uint64_t position,
                           std::chrono::milliseconds wait) override {
    if (!journalSubject(subject)) return badSubject(subject);
    return nats::trimJournal(*connection_, std::string(subject), position, wait);
  }

  bool healthy() const override { return connection_->connected(); }
  std::uint64_t reconnects() const override { return connection_->reconnects(); }

 private:
  static bool journalSubject(std::string_view subject) {
    return subject.starts_with("durable.journal.") && validSubject(subject);
  }
  std::string nextId() { return id_prefix_ + std::to_string(++published_); }

  std::shared_ptr<nats::Connection> connection_;
  const std::string id_prefix_;  // of durable message ids: "<node>-<run>-"
  std::atomic<std::uint64_t> published_{0};
};

}  // namespace

Result<std::unique_ptr<Bus>> openNatsBus(const NatsBusOptions& options) {
  if (options.urls.empty()) {
    return Error::make(ErrorKind::kInvalid, "invalid_config", "bus.nats_urls: no URL given");
  }
  if (!validConsumer(options.node_name)) {
    return Error::make(ErrorKind::kInvalid, "invalid_config",
                       "the bus needs a node name of letters, digits, - and _");
  }
  const auto deadline = std::chrono::steady_clock::now() + options.connect_timeout;
  auto connection = nats::Connection::open(options);
  if (!connection) return connection.error();
  if (auto r = nats::ensureStream(**connection, deadline); !r) {
    (*connection)->close();
    return r.error();
  }
  return std::unique_ptr<Bus>(std::make_unique<NatsBus>(std::move(connection).value()));
}

}  // namespace kino::bus
