#include "nats_journal.hpp"

#include "nats_durable.hpp"

#include <algorithm>
#include <thread>

namespace kino::bus::nats {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kRetryPause{100};

milliseconds until(Clock::time_point deadline) {
  return std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
}

Error unavailable(std::string message) {
  return Error::make(ErrorKind::kUnavailable, "bus_unavailable", std::move(message));
}

std::string failure(natsStatus s, jsErrCode jerr) {
  return describe(s) + (jerr != 0 ? " (JetStream error " + std::to_string(jerr) + ")" : "");
}

// Every entry of `subject` before `marker`, oldest first (an ordered consumer from the start).
Result<std::vector<Bus::JournalEntry>> readBefore(Connection& c, const std::string& subject,
                                                  std::uint64_t marker,
                                                  Clock::time_point deadline) {
  jsOptions request = requestOptions(std::clamp(until(deadline), milliseconds(1),
                                                c.options().request_timeout));
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Ordered = true;
  so.Config.DeliverPolicy = js_DeliverAll;
  natsSubscription* sub = nullptr;
  jsErrCode jerr{};
  natsStatus s = js_SubscribeSync(&sub, c.js(), subject.c_str(), &request, &so, &jerr);
  if (s != NATS_OK) {
    if (sub) natsSubscription_Destroy(sub);
    return unavailable("cannot read the journal " + subject + ": " + failure(s, jerr));
  }
  std::vector<Bus::JournalEntry> entries;
  Result<std::vector<Bus::JournalEntry>> result = unavailable("the journal " + subject +
                                                              " was not read in time");
  for (;;) {
    const auto remaining = until(deadline);
    if (remaining <= milliseconds(0)) break;
    natsMsg* msg = nullptr;
    s = natsSubscription_NextMsg(&msg, sub, static_cast<std::int64_t>(remaining.count()));
    if (s != NATS_OK) {
      result = unavailable("cannot read the journal " + subject + ": " + describe(s));
      break;
    }
    jsMsgMetaData* meta = nullptr;
    std::uint64_t position = 0;
    if (natsMsg_GetMetaData(&meta, msg) == NATS_OK) {
      position = meta->Sequence.Stream;
      jsMsgMetaData_Destroy(meta);
    }
    const int length = natsMsg_GetDataLength(msg);
    if (position != 0 && position < marker && length > 0) {
      entries.push_back({position, std::string(natsMsg_GetData(msg),
                                               static_cast<std::size_t>(length))});
    }
    natsMsg_Destroy(msg);
    if (position >= marker) {
      result = std::move(entries);
      break;
    }
  }
  natsSubscription_Unsubscribe(sub);
  natsSubscription_Destroy(sub);
  return result;
}

}  // namespace

Result<Bus::JournalClaim> claimJournal(Connection& connection, const std::string& subject,
                                       std::chrono::milliseconds wait,
                                       const std::string& marker_id) {
  const auto deadline = Clock::now() + wait;
  // The marker first: appends made after it by an earlier owner fail (their expected last
  // sequence is older), and whatever they stored before it is read below.
  auto marker = publishToStream(connection, subject, {}, wait, marker_id);
  if (!marker) return marker.error();
  auto entries = readBefore(connection, subject, *marker, deadline);
  if (!entries) return entries.error();
  return Bus::JournalClaim{*marker, std::move(entries).value()};
}

Result<std::uint64_t> appendJournal(Connection& connection, const std::string& subject,
                                    std::uint64_t after, std::string_view data,
                                    std::chrono::milliseconds wait,
                                    const std::string& message_id) {
  if (after == 0) {  // the stream would not check an expected sequence of 0
    return Error::make(ErrorKind::kInvalid, "bad_journal_position", "append after a claim");
  }
  return publishToStream(connection, subject, data, wait, message_id, after);
}

Result<void> trimJournal(Connection& connection, const std::string& subject,
                         std::uint64_t position, std::chrono::milliseconds wait) {
  const auto deadline = Clock::now() + wait;
  std::string last = "no time to try";
  for (;;) {
    jsOptions o = requestOptions(std::clamp(until(deadline), milliseconds(1),
                                            connection.options().request_timeout));
    o.Stream.Purge.Subject = subject.c_str();
    o.Stream.Purge.Sequence = position;
    jsErrCode jerr{};
    const natsStatus s = js_PurgeStream(connection.js(), kStream, &o, &jerr);
    if (s == NATS_OK) return success();
    last = failure(s, jerr);
    if (until(deadline) <= kRetryPause) break;
    std::this_thread::sleep_for(kRetryPause);
  }
  return unavailable("the journal " + subject + " was not trimmed: " + last);
}

}  // namespace kino::bus::nats
