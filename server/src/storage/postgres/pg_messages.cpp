// Chat messages on PostgreSQL: monthly partitions of `messages`, and `message_keys` (not
// partitioned) holding the keys that must be unique across months: (room, principal, client_id)
// → the message, and (room, seq).
#include <set>

#include "pg_repositories.hpp"

namespace kino::storage::postgres {

namespace {

constexpr const char* kMessageColumns =
    "m.id, m.room_id, m.seq, m.principal, m.author_name, m.client_id, m.text, m.sent_at";

MessageRecord readMessage(const pqxx::row& r) {
  MessageRecord m;
  m.id = int64(r[0]);
  m.room_id = int64(r[1]);
  m.seq = int64(r[2]);
  m.principal = r[3].as<std::string>();
  m.author_name = r[4].as<std::string>();
  m.client_id = r[5].as<std::string>();
  m.text = r[6].as<std::string>();
  m.sent_at = timePoint(r[7]);
  return m;
}

}  // namespace

Result<std::vector<MessageRecord>> PgMessages::appendBatch(const std::vector<NewMessage>& batch,
                                                           const Fence& fence) {
  auto stored = appendOnce(batch, fence);
  if (!stored && stored.error().message.find("no partition of relation") != std::string::npos) {
    db_.forgetMonths();  // a partition was dropped behind Kino's back: create it again
    stored = appendOnce(batch, fence);
  }
  return stored;
}

Result<std::vector<MessageRecord>> PgMessages::appendOnce(const std::vector<NewMessage>& batch,
                                                          const Fence& fence) {
  std::set<Month> months;
  for (const NewMessage& n : batch) months.insert(monthOf(n.sent_at));
  if (auto r = db_.ensureMonths(months); !r) return r.error();
  int attempt = 0;
  return db_.transact<std::vector<MessageRecord>>(
      "append messages", [&](pqxx::work& tx) -> Result<std::vector<MessageRecord>> {
        // A retry runs after an attempt whose commit may have happened: a message found with the
        // seq it is being stored with is this call's own, not an earlier one.
        const bool retry = attempt++ > 0;
        if (auto r = checkFence(tx, fence); !r) return r.error();
        std::vector<MessageRecord> out;
        out.reserve(batch.size());
        for (const NewMessage& n : batch) {
          const std::int64_t sent = common::toUnixMillis(n.sent_at);
          auto inserted = tx.exec_params(
              "WITH k AS (INSERT INTO message_keys (room_id, principal, client_id, seq, message_id,"
              " sent_at) VALUES ($1, $2, $3, $4, nextval('messages_id_seq'), $5)"
              " ON CONFLICT (room_id, principal, client_id) DO NOTHING RETURNING message_id)"
              " INSERT INTO messages (id, room_id, seq, principal, author_name, client_id, text,"
              " sent_at) SELECT message_id, $1::bigint, $4::bigint, $2::text, $6::text, $3::text,"
              " $7::text, $5::bigint FROM k RETURNING id",
              n.room_id, n.principal, n.client_id, n.seq, sent, n.author_name, n.text);
          if (!inserted.empty()) {
            out.push_back(MessageRecord{int64(inserted[0][0]), n.room_id, n.seq, n.principal,
                                        n.author_name, n.client_id, n.text, n.sent_at, false});
            continue;
          }
          auto existing =
              tx.exec_params(std::string("SELECT ") + kMessageColumns +
                                 " FROM message_keys k JOIN messages m ON m.id = k.message_id"
                                 " AND m.sent_at = k.sent_at"
                                 " WHERE k.room_id = $1 AND k.principal = $2 AND k.client_id = $3",
                             n.room_id, n.principal, n.client_id);
          if (existing.empty()) {
            return Error::make(ErrorKind::kInternal, "store_error",
                               "append messages: a message key without its message");
          }
          MessageRecord m = readMessage(existing[0]);
          m.duplicate = !(retry && m.seq == n.seq);
          out.push_back(std::move(m));
        }
        return out;
      });
}

Result<std::vector<MessageRecord>> PgMessages::page(std::int64_t room_id,
                                                    std::optional<std::int64_t> before, int limit) {
  return db_.transact<std::vector<MessageRecord>>(
      "message page", [&](pqxx::work& tx) -> Result<std::vector<MessageRecord>> {
        auto rows = tx.exec_params(
            std::string("SELECT * FROM (SELECT ") + kMessageColumns +
                " FROM messages m WHERE m.room_id = $1 AND m.seq < $2 ORDER BY m.seq DESC"
                " LIMIT $3) p ORDER BY seq",
            room_id, before.value_or(INT64_MAX), limit);
        std::vector<MessageRecord> out;
        out.reserve(rows.size());
        for (const auto& row : rows) out.push_back(readMessage(row));
        return out;
      });
}

Result<std::int64_t> PgMessages::lastSeq(std::int64_t room_id) {
  return db_.transact<std::int64_t>("last seq", [&](pqxx::work& tx) -> Result<std::int64_t> {
    // message_keys has one row per message and a (room_id, seq) index, across all months.
    return int64(tx.exec_params1(
        "SELECT COALESCE(MAX(seq), 0) FROM message_keys WHERE room_id = $1", room_id)[0]);
  });
}

Result<std::int64_t> PgMessages::seqFloor(std::int64_t room_id) {
  return db_.transact<std::int64_t>("seq floor", [&](pqxx::work& tx) -> Result<std::int64_t> {
    auto rows = tx.exec_params("SELECT seq_floor FROM rooms WHERE id = $1", room_id);
    if (rows.empty()) return notFound("room");
    return int64(rows[0][0]);
  });
}

Result<void> PgMessages::raiseSeqFloor(std::int64_t room_id, std::int64_t floor,
                                       const Fence& fence) {
  return db_.transact<void>("raise seq floor", [&](pqxx::work& tx) -> Result<void> {
    if (auto r = checkFence(tx, fence); !r) return r.error();
    tx.exec_params("UPDATE rooms SET seq_floor = GREATEST(seq_floor, $1) WHERE id = $2", floor,
                   room_id);
    return success();
  });
}

}  // namespace kino::storage::postgres
