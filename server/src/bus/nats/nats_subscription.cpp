#include "nats_subscription.hpp"

#include <atomic>
#include <exception>

#include "kino/common/log.hpp"
#include "kino/common/mutex.hpp"

namespace kino::bus::nats {
namespace {

// One subscriber. libnats calls onMessage with a pointer to a heap shared_ptr<Sink> (the closure),
// which onComplete frees once the subscription is closed and no callback runs any more. `run_mu`
// is held while the handler runs: a subscription destroyed on another thread takes it after
// setting `cancelled`, so it returns only once the handler is not running and will not run again.
struct Sink {
  Handler handler;
  std::string subject;
  std::atomic<bool> cancelled{false};
  common::Mutex run_mu;
};

thread_local const Sink* t_running = nullptr;  // the sink whose handler this thread runs

void onMessage(natsConnection* /*nc*/, natsSubscription* /*sub*/, natsMsg* msg, void* closure) {
  Sink& sink = **static_cast<std::shared_ptr<Sink>*>(closure);
  const int length = natsMsg_GetDataLength(msg);
  Message message{natsMsg_GetSubject(msg),
                  length > 0 ? std::string(natsMsg_GetData(msg), static_cast<std::size_t>(length))
                             : std::string()};
  natsMsg_Destroy(msg);
  common::MutexLock run(sink.run_mu);
  if (sink.cancelled) return;
  t_running = &sink;
  try {
    sink.handler(std::move(message));
  } catch (const std::exception& e) {
    log::error("bus_handler_failed", {{"subject", sink.subject}, {"what", e.what()}});
  }
  t_running = nullptr;
}

void onComplete(void* closure) { delete static_cast<std::shared_ptr<Sink>*>(closure); }

class CoreSubscription final : public Subscription {
 public:
  CoreSubscription(std::shared_ptr<Connection> connection, std::shared_ptr<Sink> sink,
                   natsSubscription* sub)
      : connection_(std::move(connection)), sink_(std::move(sink)), sub_(sub) {}
  ~CoreSubscription() override {
    sink_->cancelled = true;
    natsSubscription_Unsubscribe(sub_);
    // From its own handler the handler is running on this very thread: nothing to wait for.
    if (t_running != sink_.get()) {
      common::MutexLock wait_for_handler(sink_->run_mu);
    }
    natsSubscription_Destroy(sub_);
  }
  CoreSubscription(const CoreSubscription&) = delete;
  CoreSubscription& operator=(const CoreSubscription&) = delete;

 private:
  std::shared_ptr<Connection> connection_;  // outlives sub_
  std::shared_ptr<Sink> sink_;
  natsSubscription* sub_;
};

}  // namespace

Result<std::unique_ptr<Subscription>> subscribeCore(std::shared_ptr<Connection> connection,
                                                    const std::string& subject, Handler handler) {
  auto sink = std::make_shared<Sink>();
  sink->handler = std::move(handler);
  sink->subject = subject;
  auto* closure = new std::shared_ptr<Sink>(sink);
  natsSubscription* sub = nullptr;
  natsStatus s =
      natsConnection_Subscribe(&sub, connection->nc(), subject.c_str(), onMessage, closure);
  if (s != NATS_OK) {
    delete closure;
    return Error::make(ErrorKind::kUnavailable, "bus_unavailable",
                       "cannot subscribe to " + subject + ": " + describe(s));
  }
  s = natsSubscription_SetOnCompleteCB(sub, onComplete, closure);
  if (s != NATS_OK) {
    // Closed already (the connection is closing): its delivery may still hold the closure, so the
    // closure is left to leak rather than freed under it.
    sink->cancelled = true;
    natsSubscription_Destroy(sub);
    return Error::make(ErrorKind::kUnavailable, "bus_unavailable",
                       "cannot subscribe to " + subject + ": " + describe(s));
  }
  return std::unique_ptr<Subscription>(
      std::make_unique<CoreSubscription>(std::move(connection), std::move(sink), sub));
}

}  // namespace kino::bus::nats
