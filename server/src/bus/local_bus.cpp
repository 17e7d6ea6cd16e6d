#include "kino/bus/local_bus.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "kino/common/mutex.hpp"

namespace kino::bus {
namespace {

// Whether `pattern` ("a.b" or "a.>") covers `subject`.
bool matches(std::string_view pattern, std::string_view subject) {
  if (pattern.ends_with(".>")) {
    const auto prefix = pattern.substr(0, pattern.size() - 1);  // "a."
    return subject.size() > prefix.size() && subject.starts_with(prefix);
  }
  return pattern == subject;
}

Error badSubject(std::string_view subject) {
  return Error::make(ErrorKind::kInvalid, "bad_subject",
                     "not a bus subject: '" + std::string(subject) + "'");
}

// The cursor of a durable subscriber: (consumer, subject pattern).
using CursorKey = std::pair<std::string, std::string>;

// One subscriber. `run_mu` is held while its handler runs: a subscription destroyed on another
// thread takes it after setting `cancelled`, so it returns only once the handler is not running,
// and the handler is never called again.
struct Sink {
  std::string pattern;
  Handler handler;
  std::optional<CursorKey> cursor;  // durable subscribers only
  std::atomic<bool> cancelled{false};
  common::Mutex run_mu;
};

// Durable messages kept for subscribers that come back: at most this many, at most this long.
constexpr std::size_t kMaxKept = 10000;
constexpr std::chrono::hours kKeptFor{1};

class LocalBus;

class LocalSubscription final : public Subscription {
 public:
  LocalSubscription(std::shared_ptr<Sink> sink, std::thread::id dispatcher)
      : sink_(std::move(sink)), dispatcher_(dispatcher) {}
  ~LocalSubscription() override {
    sink_->cancelled = true;
    // Destroyed by a handler, on the delivery thread: no other handler is running, and waiting for
    // run_mu (held by this very delivery) would deadlock.
    if (std::this_thread::get_id() == dispatcher_) return;
    common::MutexLock wait_for_handler(sink_->run_mu);
  }

 private:
  std::shared_ptr<Sink> sink_;
  std::thread::id dispatcher_;
};

class LocalBus final : public Bus {
 public:
  LocalBus() : thread_([this] { deliverLoop(); }) {}
  ~LocalBus() override {
    {
      common::MutexLock lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  Result<void> publish(std::string_view subject, std::string_view data) override {
    if (!validSubject(subject)) return badSubject(subject);
    {
      common::MutexLock lock(mu_);
      for (const auto& sink : sinks_) {
        if (!sink->cursor && matches(sink->pattern, subject)) {
          queue_.push_back({sink, Message{std::string(subject), std::string(data)}, 0});
        }
      }
    }
    cv_.notify_one();
    return success();
  }

  Result<std::unique_ptr<Subscription>> subscribe(std::string_view subject,
                                                  Handler handler) override {
    if (!validSubject(subject, true)) return badSubject(subject);
    return addSink(std::string(subject), std::move(handler), std::nullopt);
  }

  Result<void> publishDurable(std::string_view subject, std::string_view data,
                              std::chrono::milliseconds) override {
    if (!subject.starts_with("durable.") || !validSubject(subject)) return badSubject(subject);
    {
      common::MutexLock lock(mu_);
      const auto now = std::chrono::steady_clock::now();
      while (!kept_.empty() && (kept_.size() >= kMaxKept || kept_.front().at + kKeptFor < now)) {
        kept_.pop_front();
      }
      const std::uint64_t seq = next_seq_++;
      Message message{std::string(subject), std::string(data)};
      for (const auto& sink : sinks_) {
        if (matches(sink->pattern, subject)) {
          queue_.push_back({sink, message, sink->cursor ? seq : 0});
        }
      }
      kept_.push_back({seq, std::move(message), now});
    }
    cv_.notify_one();
    return success();
  }

  Result<std::unique_ptr<Subscription>> subscribeDurable(std::string_view subject,
                                                         std::string_view consumer,
                                                         Handler handler) override {
    if (!subject.starts_with("durable.") || !validSubject(subject, true)) {
      return badSubject(subject);
    }
    if (consumer.empty() || consumer.find('.') != std::string_view::npos ||
        !validSubject(consumer)) {
      return Error::make(ErrorKind::kInvalid, "bad_consumer",
                         "not a consumer name: '" + std::string(consumer) + "'");
    }
    return addSink(std::string(subject), std::move(handler),
                   CursorKey{std::string(consumer), std::string(subject)});
  }

  Result<JournalClaim> claimJournal(std::string_view subject, std::chrono::milliseconds) override {
    if (!journalSubject(subject)) return badSubject(subject);
    common::MutexLock lock(mu_);
    auto& journal = journals_[std::string(subject)];
    JournalClaim claim;
    for (const auto& e : journal) {
      if (!e.data.empty()) claim.entries.push_back(e);
    }
    claim.position = next_seq_++;
    journal.push_back({claim.position, {}});  // the claim's marker
    return claim;
  }

  Result<std::uint64_t> appendJournal(std::string_view subject, std::uint64_t after,
                                      std::string_view data, std::chrono::milliseconds) override {
    if (!journalSubject(subject)) return badSubject(subject);
    if (data.empty()) {
      return Error::make(ErrorKind::kInvalid, "bad_journal_entry", "a journal entry is not empty");
    }
    common::MutexLock lock(mu_);
    auto& journal = journals_[std::string(subject)];
    const std::uint64_t last = journal.empty() ? 0 : journal.back().position;
    if (last != after) return fenced(subject);
    journal.push_back({next_seq_++, std::string(data)});
    return journal.back().position;
  }

  Result<void> trimJournal(std::string_view subject, std::uint64_t position,
                           std::chrono::milliseconds) override {
    if (!journalSubject(subject)) return badSubject(subject);
    common::MutexLock lock(mu_);
    std::erase_if(journals_[std::string(subject)],
                  [position](const JournalEntry& e) { return e.position < position; });
    return success();
  }

  bool healthy() const override { return true; }
  std::uint64_t reconnects() const override { return 0; }

 private:
  static bool journalSubject(std::string_view subject) {
    return subject.starts_with("durable.journal.") && validSubject(subject);
  }
  static Error fenced(std::string_view subject) {
    return Error::make(ErrorKind::kConflict, "journal_fenced",
                       "the journal " + std::string(subject) + " was claimed by another owner");
  }

  struct Delivery {
    std::shared_ptr<Sink> sink;
    Message message;
    std::uint64_t seq = 0;  // of a durable message for a durable subscriber, else 0
  };
  struct Kept {
    std::uint64_t seq;
    Message message;
    std::chrono::steady_clock::time_point at;
  };

  // Registers a subscriber. A durable one first gets what its cursor has not seen yet (a new
  // cursor starts after the last message published).
  Result<std::unique_ptr<Subscription>> addSink(std::string pattern, Handler handler,
                                                std::optional<CursorKey> cursor) {
    auto sink = std::make_shared<Sink>();
    sink->pattern = std::move(pattern);
    sink->handler = std::move(handler);
    sink->cursor = std::move(cursor);
    {
      common::MutexLock lock(mu_);
      std::erase_if(sinks_, [](const std::shared_ptr<Sink>& s) { return s.use_count() == 1; });
      if (sink->cursor) {
        const auto at = cursors_.try_emplace(*sink->cursor, next_seq_).first;
        for (const auto& k : kept_) {
          if (k.seq >= at->second && matches(sink->pattern, k.message.subject)) {
            queue_.push_back({sink, k.message, k.seq});
          }
        }
      }
      sinks_.push_back(sink);
    }
    cv_.notify_one();
    return std::unique_ptr<Subscription>(
        std::make_unique<LocalSubscription>(std::move(sink), thread_.get_id()));
  }

  void deliverLoop() {
    for (;;) {
      Delivery next;
      {
        common::MutexLock lock(mu_);
        while (!stopping_ && queue_.empty()) lock.wait(cv_);
        if (stopping_) return;
        next = std::move(queue_.front());
        queue_.pop_front();
      }
      bool handled = false;
      {
        common::MutexLock run(next.sink->run_mu);
        if (!next.sink->cancelled) {
          next.sink->handler(std::move(next.message));
          handled = true;
        }
      }
      if (handled && next.seq != 0) {
        common::MutexLock lock(mu_);
        auto& cursor = cursors_[*next.sink->cursor];
        cursor = std::max(cursor, next.seq + 1);
      }
    }
  }

  common::Mutex mu_;
  std::condition_variable cv_;
  std::vector<std::shared_ptr<Sink>> sinks_ KINO_GUARDED_BY(mu_);  // pruned when unsubscribed
  std::deque<Delivery> queue_ KINO_GUARDED_BY(mu_);
  std::deque<Kept> kept_ KINO_GUARDED_BY(mu_);       // durable messages, oldest first
  std::uint64_t next_seq_ KINO_GUARDED_BY(mu_) = 1;  // of the next durable message
  std::map<CursorKey, std::uint64_t> cursors_ KINO_GUARDED_BY(mu_);  // next seq each one wants
  // Journals by subject; positions come from next_seq_ (markers have empty data).
  std::map<std::string, std::vector<JournalEntry>> journals_ KINO_GUARDED_BY(mu_);
  bool stopping_ KINO_GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace

std::unique_ptr<Bus> makeLocalBus() { return std::make_unique<LocalBus>(); }

}  // namespace kino::bus
