#include "nats_durable.hpp"

#include <algorithm>
#include <atomic>
#include <climits>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <thread>

#include "kino/common/log.hpp"
#include "kino/common/mutex.hpp"
#include "nats_stream.hpp"

namespace kino::bus::nats {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kFetchWait{5000};       // one pull request waits this long for a message,
constexpr milliseconds kFetchHeartbeat{1000};  // with the server's heartbeats this often
constexpr milliseconds kRetryPause{100};
constexpr std::chrono::seconds kAckWait{10};  // an unacknowledged message comes again after it

template <class Duration>
std::int64_t nanos(Duration d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

milliseconds until(Clock::time_point deadline) {
  return std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
}

// The wait for one request: what is left of the budget, at most request_timeout.
jsOptions budgeted(const Connection& c, Clock::time_point deadline) {
  return requestOptions(std::clamp(until(deadline), milliseconds(1), c.options().request_timeout));
}

Error unavailable(std::string message) {
  return Error::make(ErrorKind::kUnavailable, "bus_unavailable", std::move(message));
}

std::string failure(natsStatus s, jsErrCode jerr) {
  return describe(s) + (jerr != 0 ? " (JetStream error " + std::to_string(jerr) + ")" : "");
}

// Finds the durable pull consumer `name`, or creates it for `subject` (deliver new, explicit acks,
// one message unacknowledged at a time so that order holds across redeliveries). Retries until
// `deadline`. Blocks.
Result<void> ensureConsumer(Connection& c, const std::string& name, const std::string& subject,
                            Clock::time_point deadline) {
  std::string last;
  for (;;) {
    jsOptions request = budgeted(c, deadline);
    jsConsumerInfo* info = nullptr;
    jsErrCode jerr{};
    natsStatus s = js_GetConsumerInfo(&info, c.js(), kStream, name.c_str(), &request, &jerr);
    if (s != NATS_OK && jerr == JSConsumerNotFoundErr) {
      jsConsumerConfig cfg;
      jsConsumerConfig_Init(&cfg);
      cfg.Durable = name.c_str();
      cfg.FilterSubject = subject.c_str();
      cfg.DeliverPolicy = js_DeliverNew;
      cfg.AckPolicy = js_AckExplicit;
      cfg.AckWait = nanos(kAckWait);
      cfg.MaxAckPending = 1;
      cfg.InactiveThreshold = nanos(c.options().consumer_idle_expiry);
      jerr = jsErrCode{};
      s = js_AddConsumer(&info, c.js(), kStream, &cfg, &request, &jerr);
      if (s != NATS_OK && jerr == JSConsumerNameExistErr) s = NATS_OK;  // another binder was first
      if (s == NATS_OK)
        log::info("bus_consumer_created", {{"consumer", name}, {"subject", subject}});
    } else if (s != NATS_OK && jerr == JSStreamNotFoundErr) {
      (void)ensureStream(c, std::min(deadline, Clock::now() + c.options().request_timeout));
    }
    if (info) jsConsumerInfo_Destroy(info);
    if (s == NATS_OK) return success();
    last = failure(s, jerr);
    if (Clock::now() + kRetryPause >= deadline) break;
    std::this_thread::sleep_for(kRetryPause);
  }
  return unavailable("NATS JetStream did not provide the consumer " + name + ": " + last);
}

// One durable subscription's state, shared by the Subscription and its worker thread.
struct Puller {
  std::shared_ptr<Connection> connection;
  std::string subject;
  std::string name;  // of the JetStream consumer
  Handler handler;
  natsSubscription* sub = nullptr;
  std::atomic<bool> cancelled{false};
  common::Mutex mu;  // for `wake` only
  std::condition_variable wake;

  Puller() = default;
  Puller(const Puller&) = delete;
  Puller& operator=(const Puller&) = delete;
  ~Puller() {
    if (sub) natsSubscription_Destroy(sub);
  }

  // Sleeps for `d`, or less when cancelled.
  void pause(milliseconds d) {
    common::MutexLock lock(mu);
    const auto end = Clock::now() + d;
    while (!cancelled && lock.waitUntil(wake, end)) {
    }
  }
  // Stops the worker: no handler call starts after this, and a waiting pull returns at once.
  void cancel() {
    {
      common::MutexLock lock(mu);
      cancelled = true;
    }
    wake.notify_all();
    natsSubscription_Unsubscribe(sub);
  }
};

thread_local const Puller* t_pulling = nullptr;  // the puller whose worker this thread is

// Runs the handler on `msg` and acks it (retrying across a failover while the subscription lives);
// a message that arrives after cancel() is given back at once (nak) for the next subscriber.
void deliver(Puller& p, natsMsg* msg) {
  if (p.cancelled) {
    natsMsg_Nak(msg, nullptr);
    return;
  }
  const int length = natsMsg_GetDataLength(msg);
  Message message{natsMsg_GetSubject(msg),
                  length > 0 ? std::string(natsMsg_GetData(msg), static_cast<std::size_t>(length))
                             : std::string()};
  try {
    p.handler(std::move(message));
  } catch (const std::exception& e) {
    log::error("bus_handler_failed", {{"subject", p.subject}, {"what", e.what()}});
  }
  // Until the consumer (or, during an election, its next leader) confirms: only then may the next
  // message come. Given up only when cancelled: then the message comes again after kAckWait.
  for (;;) {
    jsOptions request = requestOptions(p.connection->options().request_timeout);
    jsErrCode jerr{};
    const natsStatus s = natsMsg_AckSync(msg, &request, &jerr);
    if (s == NATS_OK) return;
    p.pause(kRetryPause);
    if (p.cancelled) {
      log::warn("bus_ack_failed", {{"consumer", p.name}, {"message", failure(s, jerr)}});
      return;
    }
  }
}

// The worker: pulls one message at a time until cancelled or the connection is closed.
void pull(const std::shared_ptr<Puller>& p) {
  t_pulling = p.get();
  int failures = 0;
  while (!p->cancelled) {
    jsFetchRequest request;
    jsFetchRequest_Init(&request);
    request.Batch = 1;
    request.Expires = nanos(kFetchWait);
    request.Heartbeat = nanos(kFetchHeartbeat);
    natsMsgList list{};
    const natsStatus s = natsSubscription_FetchRequest(&list, p->sub, &request);
    if (s == NATS_OK) {
      failures = 0;
      for (int i = 0; i < list.Count; ++i) deliver(*p, list.Msgs[i]);
      natsMsgList_Destroy(&list);
      continue;
    }
    if (p->cancelled || s == NATS_CONNECTION_CLOSED || s == NATS_INVALID_SUBSCRIPTION) break;
    if (s == NATS_TIMEOUT) continue;  // nothing new
    // Disconnected, a leader election, missed heartbeats, or the consumer removed: try again, and
    // now and then make sure the consumer exists.
    if (++failures % 20 == 0) {
      log::warn("bus_pull_failing", {{"consumer", p->name}, {"message", describe(s)}});
      (void)ensureConsumer(*p->connection, p->name, p->subject,
                           Clock::now() + p->connection->options().request_timeout);
    }
    p->pause(kRetryPause);
  }
  t_pulling = nullptr;
}

class DurableSubscription final : public Subscription {
 public:
  explicit DurableSubscription(std::shared_ptr<Puller> puller)
      : puller_(std::move(puller)), worker_([p = puller_] { pull(p); }) {}
  ~DurableSubscription() override {
    puller_->cancel();
    // From its own handler: the worker ends by itself once the handler returned.
    if (t_pulling == puller_.get()) {
      worker_.detach();
    } else {
      worker_.join();
    }
  }
  DurableSubscription(const DurableSubscription&) = delete;
  DurableSubscription& operator=(const DurableSubscription&) = delete;

 private:
  std::shared_ptr<Puller> puller_;
  std::thread worker_;
};

}  // namespace

std::string consumerName(std::string_view consumer, std::string_view subject) {
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a
  for (const char ch : subject) {
    hash ^= static_cast<unsigned char>(ch);
    hash *= 1099511628211ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return std::string(consumer) + "_" + hex;
}

Result<std::uint64_t> publishToStream(Connection& connection, const std::string& subject,
                                      std::string_view data, std::chrono::milliseconds wait,
                                      const std::string& message_id, std::uint64_t expect_last) {
  if (data.size() > static_cast<std::size_t>(INT_MAX)) {
    return Error::make(ErrorKind::kTooLarge, "bus_message_too_large", "bus message too large");
  }
  const auto deadline = Clock::now() + wait;
  std::string last = "no time to try";
  for (;;) {
    const auto remaining = until(deadline);
    if (remaining <= milliseconds(0)) break;
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = std::min(remaining, connection.options().request_timeout).count();
    po.MsgId = message_id.c_str();
    po.ExpectStream = kStream;
    po.ExpectLastSubjectSeq = expect_last;
    jsPubAck* ack = nullptr;
    jsErrCode jerr{};
    const natsStatus s = js_Publish(&ack, connection.js(), subject.c_str(), data.data(),
                                    static_cast<int>(data.size()), &po, &jerr);
    const std::uint64_t sequence = ack ? ack->Sequence : 0;
    if (ack) jsPubAck_Destroy(ack);
    if (s == NATS_OK) return sequence;
    if (s == NATS_MAX_PAYLOAD) {
      return Error::make(ErrorKind::kTooLarge, "bus_message_too_large",
                         "bus message of " + std::to_string(data.size()) +
                             " bytes is larger than the NATS servers accept");
    }
    if (jerr == JSStreamWrongLastSequenceErr) {
      return Error::make(ErrorKind::kConflict, "journal_fenced",
                         "the journal " + subject + " was claimed by another owner");
    }
    last = failure(s, jerr);
    std::this_thread::sleep_for(std::clamp(until(deadline), milliseconds(0), kRetryPause));
  }
  return unavailable("the durable message on " + subject + " was not stored within " +
                     std::to_string(wait.count()) + " ms: " + last);
}

Result<std::unique_ptr<Subscription>> subscribeToStream(std::shared_ptr<Connection> connection,
                                                        const std::string& subject,
                                                        const std::string& consumer,
                                                        Handler handler) {
  const auto deadline = Clock::now() + connection->options().subscribe_timeout;
  auto p = std::make_shared<Puller>();
  p->subject = subject;
  p->name = consumerName(consumer, subject);
  p->handler = std::move(handler);
  if (auto r = ensureConsumer(*connection, p->name, subject, deadline); !r) return r.error();
  std::string last;
  for (;;) {
    jsOptions request = budgeted(*connection, deadline);
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = kStream;
    so.Consumer = p->name.c_str();
    jsErrCode jerr{};
    const natsStatus s = js_PullSubscribe(&p->sub, connection->js(), subject.c_str(),
                                          p->name.c_str(), &request, &so, &jerr);
    if (s == NATS_OK) break;
    p->sub = nullptr;
    last = failure(s, jerr);
    if (Clock::now() + kRetryPause >= deadline) {
      return unavailable("cannot bind to the NATS consumer " + p->name + ": " + last);
    }
    std::this_thread::sleep_for(kRetryPause);
  }
  p->connection = std::move(connection);
  return std::unique_ptr<Subscription>(std::make_unique<DurableSubscription>(std::move(p)));
}

}  // namespace kino::bus::nats
