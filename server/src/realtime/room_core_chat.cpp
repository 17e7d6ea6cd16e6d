// RoomCore's chat: validation, limits, idempotent client ids, durable-before-delivery batches.
#include <boost/json/serialize.hpp>

#include "kino/common/text.hpp"
#include "kino/realtime/protocol.hpp"
#include "kino/realtime/room_core.hpp"

namespace kino::realtime {
namespace {

std::string toText(const boost::json::object& o) { return boost::json::serialize(o); }

}  // namespace

void RoomCore::onChat(ConnId conn, const std::string& id, const std::string& text, Effects& fx) {
  const Conn& c = conns_.at(conn);
  const MemberState& member = members_.at(c.principal);
  const std::string key = c.principal + "\n" + id;
  if (auto seen = dedupe_.find(key); seen != dedupe_.end()) {
    if (auto done = delivered_.find(seen->second); done != delivered_.end()) {
      ackTo(fx, conn, id, done->second);  // a resend of a delivered message: ack again, no repeat
    } else {
      for (auto& o : outbox_) {
        if (o.seq == seen->second) o.ack_to.push_back(conn);  // still being stored: ack it too
      }
    }
    return;
  }
  const long length = common::utf8Length(text);
  if (length > kMaxChatLength) {
    send(fx, conn,
         errorFrame("message_too_long",
                    "Messages can be at most " + std::to_string(kMaxChatLength) + " characters.",
                    id));
    return;
  }
  if (auto v = common::validateText(text, "text", "Message", {1, 2000, true}); !v) {
    send(fx, conn, errorFrame("invalid_message", v.error().message, id));
    return;
  }
  if (auto d = people_.chat.consume(member.member.id); !d.allowed) {
    refuse(fx, conn,
           "You are sending messages too fast. Wait " + std::to_string(d.retry_after.count()) + " s.",
           std::chrono::duration_cast<std::chrono::milliseconds>(d.retry_after).count(), id);
    return;
  }
  // The room as a whole stores a bounded number of messages per minute.
  const std::int64_t now = nowMs();
  while (!room_chat_times_.empty() && room_chat_times_.front() <= now - 60'000) {
    room_chat_times_.pop_front();
  }
  if (static_cast<int>(room_chat_times_.size()) >= options_.limits.room_chat_per_min) {
    const std::int64_t wait = room_chat_times_.front() + 60'000 - now;
    refuse(fx, conn,
           "This room is very busy right now. Wait " + std::to_string((wait + 999) / 1000) + " s.",
           wait, id);
    return;
  }
  room_chat_times_.push_back(now);
  const std::int64_t seq = takeSeq(fx);
  queued_.push_back(storage::NewMessage{room_id_, seq, c.principal, member.member.name, id, text,
                                        clock_.now()});
  Outgoing o;
  o.seq = seq;
  o.ack_to.push_back(conn);
  o.ack_id = id;
  o.dedupe_key = key;
  outbox_.push_back(std::move(o));
  remember(key, seq);
  startPersistIfIdle(fx);
}

void RoomCore::remember(const std::string& key, std::int64_t seq) {
  dedupe_[key] = seq;
  dedupe_order_.push_back(key);
  while (dedupe_order_.size() > options_.dedupe_keys) {
    auto old = dedupe_.find(dedupe_order_.front());
    if (old != dedupe_.end()) {
      delivered_.erase(old->second);
      dedupe_.erase(old);
    }
    dedupe_order_.pop_front();
  }
}

void RoomCore::startPersistIfIdle(Effects& fx) {
  if (in_flight_ > 0 || queued_.empty()) return;
  in_flight_ = queued_.size();
  fx.persist = std::move(queued_);
  queued_.clear();
}

void RoomCore::ackTo(Effects& fx, ConnId to, const std::string& id,
                     const storage::MessageRecord& m) const {
  if (!conns_.contains(to)) return;
  send(fx, to,
       toText({{"type", "chat.ack"}, {"id", id}, {"seq", m.seq}, {"message", messageJson(m)}}));
}

Effects RoomCore::persisted(const Result<std::vector<storage::MessageRecord>>& result) {
  Effects fx;
  // The batch is the first `in_flight_` chat entries of the outbox that are not ready yet.
  std::vector<Outgoing*> batch;
  for (auto& o : outbox_) {
    if (batch.size() == in_flight_) break;
    if (!o.ready && !o.ack_id.empty()) batch.push_back(&o);
  }
  in_flight_ = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    Outgoing& o = *batch[i];
    o.ready = true;
    if (!result.ok() || i >= result.value().size()) {
      o.skip = true;
      dedupe_.erase(o.dedupe_key);  // so that the client's retry is accepted
      for (ConnId to : o.ack_to) {
        if (!conns_.contains(to)) continue;
        send(fx, to,
             errorFrame("chat_unavailable",
                        "Your message could not be saved. It is kept here; send it again.",
                        o.ack_id));
      }
      continue;
    }
    const storage::MessageRecord& m = result.value()[i];
    if (m.duplicate) {
      o.skip = true;  // stored before (e.g. sent again after a restart): ack, don't repeat
      dedupe_[o.dedupe_key] = m.seq;
      delivered_[m.seq] = m;
      for (ConnId to : o.ack_to) ackTo(fx, to, o.ack_id, m);
      continue;
    }
    delivered_[m.seq] = m;
    o.frame = std::make_shared<const std::string>(
        toText({{"type", "chat.message"}, {"seq", m.seq}, {"message", messageJson(m)}}));
    recent_.push_back(m);
    while (recent_.size() > options_.snapshot_messages) recent_.pop_front();
  }
  flush(fx);
  startPersistIfIdle(fx);
  return fx;
}

}  // namespace kino::realtime
