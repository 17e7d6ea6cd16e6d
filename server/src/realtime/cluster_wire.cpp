#include "kino/realtime/cluster_wire.hpp"

#include <boost/json.hpp>

namespace kino::realtime {
namespace {

namespace json = boost::json;

Error malformed(std::string_view what) {
  return Error::make(ErrorKind::kMalformed, "cluster_malformed",
                     "a cluster message with " + std::string(what));
}

constexpr std::pair<ToOwner::Kind, std::string_view> kOwnerKinds[] = {
    {ToOwner::Kind::kConnect, "connect"}, {ToOwner::Kind::kFrame, "frame"},
    {ToOwner::Kind::kReject, "reject"},   {ToOwner::Kind::kLeave, "leave"},
    {ToOwner::Kind::kEnd, "end"},         {ToOwner::Kind::kLink, "link"},
};

// Field readers that fail (return false) on a missing or mistyped field.
bool str(const json::object& o, std::string_view key, std::string& out) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_string()) return false;
  out = std::string(v->as_string());
  return true;
}
bool i64(const json::object& o, std::string_view key, std::int64_t& out) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_int64()) return false;
  out = v->as_int64();
  return true;
}
bool connId(const json::object& o, ConnId& out) {
  std::int64_t v = 0;
  if (!i64(o, "conn", v) || v < 0) return false;
  out = static_cast<ConnId>(v);
  return true;
}

void putLink(json::object& o, const LinkState& l) {
  if (l.n != 0) o["n"] = static_cast<std::int64_t>(l.n);
  o["have"] = static_cast<std::int64_t>(l.have);
  if (l.resend) o["resend"] = true;
  if (l.reply) o["reply"] = true;
}
// Absent fields are zero and false (a node from before the numbering sends none).
bool getLink(const json::object& o, LinkState& l) {
  for (auto [key, out] : {std::pair{"n", &l.n}, std::pair{"have", &l.have}}) {
    if (const auto* v = o.if_contains(key)) {
      if (!v->is_int64() || v->as_int64() < 0) return false;
      *out = static_cast<std::uint64_t>(v->as_int64());
    }
  }
  for (auto [key, out] : {std::pair{"resend", &l.resend}, std::pair{"reply", &l.reply}}) {
    if (const auto* v = o.if_contains(key)) {
      if (!v->is_bool()) return false;
      *out = v->as_bool();
    }
  }
  return true;
}

Result<json::object> parseObject(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return malformed("no JSON object");
  return std::move(v.as_object());
}

}  // namespace

std::string encode(const ToOwner& m) {
  json::object o{{"kind", std::string(kOwnerKinds[static_cast<int>(m.kind)].second)},
                 {"node", m.node},
                 {"conn", static_cast<std::int64_t>(m.conn)}};
  switch (m.kind) {
    case ToOwner::Kind::kConnect: {
      const Connect& c = m.connect;
      json::object member{{"id", c.member.id}, {"name", c.member.name}};
      if (c.member.user_id) member["user_id"] = *c.member.user_id;
      o["participant_id"] = c.participant_id;
      o["principal"] = c.principal;
      o["member"] = std::move(member);
      o["room"] = c.room;
      if (c.resume_from) o["resume_from"] = *c.resume_from;
      o["is_owner"] = c.is_owner;
      break;
    }
    case ToOwner::Kind::kFrame:
      o["text"] = m.text;
      break;
    case ToOwner::Kind::kReject:
      o["code"] = m.error.code;
      o["message"] = m.error.message;
      o["id"] = m.error.id;
      break;
    case ToOwner::Kind::kLeave:
      break;
    case ToOwner::Kind::kEnd:
      o["reason"] = m.end.reason;
      o["ended_at"] = m.end.ended_at;
      break;
    case ToOwner::Kind::kLink:
      break;
  }
  putLink(o, m.link);
  return json::serialize(o);
}

std::string encode(const ToEdge& m) {
  constexpr std::string_view kKinds[] = {"frame", "close", "link"};
  json::object o{{"kind", kKinds[static_cast<int>(m.kind)]},
                 {"conn", static_cast<std::int64_t>(m.conn)}};
  if (m.kind == ToEdge::Kind::kFrame) {
    o["text"] = m.text;
  } else if (m.kind == ToEdge::Kind::kClose) {
    o["code"] = m.code;
    o["reason"] = m.reason;
  }
  putLink(o, m.link);
  return json::serialize(o);
}

Result<ToOwner> decodeToOwner(std::string_view text) {
  auto parsed = parseObject(text);
  if (!parsed) return parsed.error();
  const json::object& o = *parsed;
  ToOwner m;
  std::string kind;
  if (!str(o, "kind", kind)) return malformed("no kind");
  bool known = false;
  for (const auto& [k, name] : kOwnerKinds) {
    if (name == kind) {
      m.kind = k;
      known = true;
    }
  }
  if (!known) return malformed("an unknown kind");
  if (!str(o, "node", m.node) || !connId(o, m.conn)) return malformed("no node or conn");
  if (!getLink(o, m.link)) return malformed("a bad n, have, resend or reply");
  switch (m.kind) {
    case ToOwner::Kind::kConnect: {
      Connect& c = m.connect;
      const auto* member = o.if_contains("member");
      const auto* room = o.if_contains("room");
      const auto* owner = o.if_contains("is_owner");
      if (!str(o, "participant_id", c.participant_id) || !str(o, "principal", c.principal) ||
          !member || !member->is_object() || !room || !room->is_object() || !owner ||
          !owner->is_bool()) {
        return malformed("a bad connect");
      }
      const json::object& mo = member->as_object();
      if (!str(mo, "id", c.member.id) || !str(mo, "name", c.member.name)) {
        return malformed("a bad member");
      }
      if (std::int64_t uid = 0; i64(mo, "user_id", uid)) c.member.user_id = uid;
      c.room = room->as_object();
      if (std::int64_t seq = 0; i64(o, "resume_from", seq)) c.resume_from = seq;
      c.is_owner = owner->as_bool();
      c.conn = m.conn;
      break;
    }
    case ToOwner::Kind::kFrame:
      if (!str(o, "text", m.text)) return malformed("a frame without text");
      break;
    case ToOwner::Kind::kReject:
      if (!str(o, "code", m.error.code) || !str(o, "message", m.error.message) ||
          !str(o, "id", m.error.id)) {
        return malformed("a bad reject");
      }
      break;
    case ToOwner::Kind::kLeave:
      break;
    case ToOwner::Kind::kEnd:
      if (!str(o, "reason", m.end.reason) || !str(o, "ended_at", m.end.ended_at)) {
        return malformed("a bad end");
      }
      break;
    case ToOwner::Kind::kLink:
      break;
  }
  return m;
}

Result<ToEdge> decodeToEdge(std::string_view text) {
  auto parsed = parseObject(text);
  if (!parsed) return parsed.error();
  const json::object& o = *parsed;
  ToEdge m;
  std::string kind;
  if (!str(o, "kind", kind) || !connId(o, m.conn)) return malformed("no kind or conn");
  if (!getLink(o, m.link)) return malformed("a bad n, have, resend or reply");
  if (kind == "link") {
    m.kind = ToEdge::Kind::kLink;
    return m;
  }
  if (kind == "frame") {
    m.kind = ToEdge::Kind::kFrame;
    if (!str(o, "text", m.text)) return malformed("a frame without text");
    return m;
  }
  if (kind != "close") return malformed("an unknown kind");
  m.kind = ToEdge::Kind::kClose;
  std::int64_t code = 0;
  if (!i64(o, "code", code) || code < 1000 || code > 4999 || !str(o, "reason", m.reason)) {
    return malformed("a bad close");
  }
  m.code = static_cast<int>(code);
  return m;
}

std::string encodePresence(const std::map<std::string, int>& counts) {
  json::object o;
  for (const auto& [slug, n] : counts) o[slug] = n;
  return json::serialize(o);
}

Result<std::map<std::string, int>> decodePresence(std::string_view text) {
  auto parsed = parseObject(text);
  if (!parsed) return parsed.error();
  std::map<std::string, int> out;
  for (const auto& [slug, n] : *parsed) {
    if (!n.is_int64() || n.as_int64() < 0 || n.as_int64() > 1'000'000) {
      return malformed("a bad people count");
    }
    out[std::string(slug)] = static_cast<int>(n.as_int64());
  }
  return out;
}

std::string encodeJournalBatch(const std::vector<storage::NewMessage>& batch) {
  json::array out;
  for (const auto& m : batch) {
    const auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(m.sent_at.time_since_epoch());
    out.push_back({{"room", m.room_id},
                   {"seq", m.seq},
                   {"by", m.principal},
                   {"name", m.author_name},
                   {"client_id", m.client_id},
                   {"text", m.text},
                   {"sent_us", us.count()}});
  }
  return json::serialize(out);
}

Result<std::vector<storage::NewMessage>> decodeJournalBatch(std::string_view text) {
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec);
  if (ec || !v.is_array()) return malformed("a journal batch that is not a JSON array");
  std::vector<storage::NewMessage> out;
  for (const auto& item : v.as_array()) {
    if (!item.is_object()) return malformed("a journal entry that is not an object");
    const auto& o = item.as_object();
    storage::NewMessage m;
    std::int64_t us = 0;
    if (!i64(o, "room", m.room_id) || !i64(o, "seq", m.seq) || !str(o, "by", m.principal) ||
        !str(o, "name", m.author_name) || !str(o, "client_id", m.client_id) ||
        !str(o, "text", m.text) || !i64(o, "sent_us", us)) {
      return malformed("a journal entry missing a field");
    }
    m.sent_at = common::TimePoint(
        std::chrono::duration_cast<common::TimePoint::duration>(std::chrono::microseconds(us)));
    out.push_back(std::move(m));
  }
  return out;
}

std::string roomJournal(std::int64_t room_id) {
  return "durable.journal.room." + std::to_string(room_id);
}

std::string roomInbox(std::int64_t room_id) { return "room." + std::to_string(room_id) + ".in"; }
std::string nodeInbox(std::string_view node_id) { return "node." + std::string(node_id) + ".out"; }
std::string roomLease(std::int64_t room_id) { return "room:" + std::to_string(room_id); }
std::string nodeLease(std::string_view node_id) { return "node:" + std::string(node_id); }

}  // namespace kino::realtime
