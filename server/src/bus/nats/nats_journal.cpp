#include "nats_journal.hpp"

#include <algorithm>
#include <climits>
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

// Publishes into the stream until stored or `deadline`; `expect_last` > 0 makes the stream refuse
// it unless the subject's last sequence is that (kConflict "journal_fenced").
Result<std::uint64_t> publish(Connection& c, const std::string& subject, std::string_view data,
                              std::uint64_t expect_last, Clock::time_point deadline,
                              const std::string& message_id) {
  if (data.size() > static_cast<std::size_t>(INT_MAX)) {
    return Error::make(ErrorKind::kTooLarge, "bus_message_too_large", "journal entry too large");
  }
  std::string last = "no time to try";
  for (;;) {
    const auto remaining = until(deadline);
    if (remaining <= milliseconds(0)) break;
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = std::min(remaining, c.options().request_timeout).count();
    po.MsgId = message_id.c_str();
    po.ExpectStream = kStream;
    po.ExpectLastSubjectSeq = expect_last;
    jsPubAck* ack = nullptr;
    jsErrCode jerr{};
    const natsStatus s = js_Publish(&ack, c.js(), subject.c_str(), data.data(),
                                    static_cast<int>(data.size()), &po, &jerr);
    const std::uint64_t position = ack ? ack->Sequence : 0;
    if (ack) jsPubAck_Destroy(ack);
    if (s == NATS_OK) return position;
    if (jerr == JSStreamWrongLastSequenceErr) {
      return Error::make(ErrorKind::kConflict, "journal_fenced",
                         "the journal " + subject + " was claimed by another owner");
    }
    last = failure(s, jerr);
    std::this_thread::sleep_for(std::clamp(until(deadline), milliseconds(0), kRetryPause));
  }
  return unavailable("the journal entry on " + subject + " was not stored: " + last);
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
  auto marker = publish(connection, subject, {}, 0, deadline, marker_id);
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
  return publish(connection, subject, data, after, Clock::now() + wait, message_id);
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
