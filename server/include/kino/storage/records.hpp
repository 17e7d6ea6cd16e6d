#pragma once
// Plain rows the storage ports read and write. Times are UTC.

#include <cstdint>
#include <optional>
#include <string>

#include "kino/common/clock.hpp"

namespace kino::storage {

struct NewUser {
  std::string username;      // as typed; uniqueness is case-insensitive
  std::string display_name;
  std::string password_hash;  // argon2id encoded string
  common::TimePoint created_at;
};

struct UserRecord {
  std::int64_t id = 0;
  std::string username;
  std::string display_name;
  std::string password_hash;
  common::TimePoint created_at;
};

struct SessionRecord {
  std::string token_hash;  // hex SHA-256 of the cookie token; the token itself is never stored
  std::int64_t user_id = 0;
  common::TimePoint created_at;
  common::TimePoint expires_at;
};

struct NewRoom {
  std::string slug;
  std::int64_t owner_id = 0;
  std::string title;
  std::string description;
  std::string video_url;
  std::string visibility;  // "public" | "private"
  std::string key_kind;    // "" (public) | "password" | "access_key"
  std::string key_hash;    // argon2id of the password or access key; empty for public rooms
  std::optional<common::TimePoint> starts_at;  // nullopt = not scheduled
  int duration_minutes = 120;
  std::string status;  // "scheduled" | "live"
  common::TimePoint created_at;
};

struct RoomRecord {
  std::int64_t id = 0;
  std::string slug;
  std::int64_t owner_id = 0;
  std::string owner_username;      // joined from users
  std::string owner_display_name;  // joined from users
  std::string title;
  std::string description;
  std::string video_url;
  std::string visibility;
  std::string key_kind;
  std::string key_hash;
  std::optional<common::TimePoint> starts_at;
  int duration_minutes = 120;
  std::string status;        // "scheduled" | "live" | "ended"
  std::string ended_reason;  // "" | "owner_ended" | "cancelled" | "empty"
  common::TimePoint created_at;
  std::optional<common::TimePoint> live_at;
  std::optional<common::TimePoint> ended_at;
  common::TimePoint last_active_at;  // last time someone joined or was present
  std::string asset_id;              // the room's video; empty until ingest was requested
  std::string control_policy = "everyone";  // who may control playback: everyone | host
  std::string buffering_policy = "catch_up";  // catch_up | wait_for_all
};

// A video Kino downloaded and packaged, and the job that makes it. One asset can serve many rooms
// (the same source URL is ingested once).
struct AssetRecord {
  std::string id;          // random, URL-safe; also the media path /media/<id>/...
  std::string source_url;
  std::string state;       // queued | downloading | probing | packaging | ready | failed
  double percent = 0;      // progress of the current state, 0–100
  std::optional<int> eta_s;
  std::string error;       // failed: what went wrong, in words for people
  bool playable = false;   // the master playlist and a first segment are published
  std::optional<double> duration_s;
  std::string history;     // JSON array of {"state", "at"}: every state the job entered, in order
  int attempts = 0;        // how many times the job was started
  common::TimePoint created_at;
  common::TimePoint updated_at;
};

struct GrantRecord {
  std::int64_t room_id = 0;
  std::string principal;  // "user:<id>" or "guest:<hex sha256 of the guest token>"
  std::string display_name;
  common::TimePoint created_at;
};

struct NewMessage {
  std::int64_t room_id = 0;
  std::int64_t seq = 0;         // the room event sequence number given by the room actor
  std::string principal;        // "user:<id>" or "guest:<hash>" of the author
  std::string author_name;      // display name at the time of writing
  std::string client_id;        // the sender's idempotency key; unique per (room, principal)
  std::string text;
  common::TimePoint sent_at;
};

// One change of a room's shared playback, kept so a restart restores the state and sessions can be
// replayed later.
struct PlaybackEventRecord {
  std::int64_t room_id = 0;
  std::int64_t seq = 0;
  std::string action;        // play | pause | seek | rate | volume | mute | buffering | resume
  bool playing = false;
  double position_s = 0;     // at at_server_ms
  double rate = 1;
  double volume = 1;
  bool muted = false;
  std::int64_t at_server_ms = 0;
  std::string by_principal;  // "" when the server did it (wait_for_all)
  std::string by_name;
  common::TimePoint created_at;
};

struct MessageRecord {
  std::int64_t id = 0;
  std::int64_t room_id = 0;
  std::int64_t seq = 0;
  std::string principal;
  std::string author_name;
  std::string client_id;
  std::string text;
  common::TimePoint sent_at;
  bool duplicate = false;  // appendBatch: this (room, principal, client_id) was already stored
};

}  // namespace kino::storage
