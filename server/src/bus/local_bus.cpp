#include "kino/bus/local_bus.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <thread>
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

// One subscriber. `run_mu` is held while its handler runs: a subscription destroyed on another
// thread takes it after setting `cancelled`, so it returns only once the handler is not running,
// and the handler is never called again.
struct Sink {
  std::string pattern;
  Handler handler;
  std::atomic<bool> cancelled{false};
  common::Mutex run_mu;
};

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
        if (matches(sink->pattern, subject)) {
          queue_.push_back({sink, Message{std::string(subject), std::string(data)}});
        }
      }
    }
    cv_.notify_one();
    return success();
  }

  Result<std::unique_ptr<Subscription>> subscribe(std::string_view subject,
                                                  Handler handler) override {
    if (!validSubject(subject, true)) return badSubject(subject);
    auto sink = std::make_shared<Sink>();
    sink->pattern = std::string(subject);
    sink->handler = std::move(handler);
    {
      common::MutexLock lock(mu_);
      std::erase_if(sinks_, [](const std::shared_ptr<Sink>& s) { return s.use_count() == 1; });
      sinks_.push_back(sink);
    }
    return std::unique_ptr<Subscription>(
        std::make_unique<LocalSubscription>(std::move(sink), thread_.get_id()));
  }

  Result<void> publishDurable(std::string_view subject, std::string_view data,
                              std::chrono::milliseconds) override {
    if (!subject.starts_with("durable.")) return badSubject(subject);
    return publish(subject, data);
  }

  Result<std::unique_ptr<Subscription>> subscribeDurable(std::string_view subject,
                                                         std::string_view,
                                                         Handler handler) override {
    if (!subject.starts_with("durable.")) return badSubject(subject);
    return subscribe(subject, std::move(handler));
  }

  bool healthy() const override { return true; }

 private:
  struct Delivery {
    std::shared_ptr<Sink> sink;
    Message message;
  };

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
      common::MutexLock run(next.sink->run_mu);
      if (!next.sink->cancelled) next.sink->handler(std::move(next.message));
    }
  }

  common::Mutex mu_;
  std::condition_variable cv_;
  std::vector<std::shared_ptr<Sink>> sinks_ KINO_GUARDED_BY(mu_);  // pruned when unsubscribed
  std::deque<Delivery> queue_ KINO_GUARDED_BY(mu_);
  bool stopping_ KINO_GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace

std::unique_ptr<Bus> makeLocalBus() { return std::make_unique<LocalBus>(); }

}  // namespace kino::bus
