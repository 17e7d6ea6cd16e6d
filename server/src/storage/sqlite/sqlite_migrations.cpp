#include "sqlite_migrations.hpp"

#include <array>

namespace kino::storage::sqlite {
namespace {

constexpr std::array<std::string_view, 7> kMigrations = {
    // 1: accounts and sessions
    R"sql(
CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  username      TEXT    NOT NULL,
  username_key  TEXT    NOT NULL UNIQUE,   -- lower-case username: uniqueness ignores case
  display_name  TEXT    NOT NULL,
  password_hash TEXT    NOT NULL,
  created_at    INTEGER NOT NULL           -- Unix milliseconds, UTC
);
CREATE TABLE sessions (
  token_hash  TEXT    PRIMARY KEY,         -- hex SHA-256 of the cookie token
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions(user_id);
CREATE INDEX sessions_by_expiry ON sessions(expires_at);
)sql",
    // 2: rooms and access grants
    R"sql(
CREATE TABLE rooms (
  id               INTEGER PRIMARY KEY,
  slug             TEXT    NOT NULL UNIQUE,
  owner_id         INTEGER NOT NULL REFERENCES users(id),
  title            TEXT    NOT NULL,
  description      TEXT    NOT NULL DEFAULT '',
  video_url        TEXT    NOT NULL,
  visibility       TEXT    NOT NULL CHECK (visibility IN ('public', 'private')),
  key_kind         TEXT    NOT NULL DEFAULT '',   -- '', 'password' or 'access_key'
  key_hash         TEXT    NOT NULL DEFAULT '',   -- argon2id; never the key itself
  starts_at        INTEGER,                       -- NULL: not scheduled
  duration_minutes INTEGER NOT NULL,
  status           TEXT    NOT NULL CHECK (status IN ('scheduled', 'live', 'ended')),
  ended_reason     TEXT    NOT NULL DEFAULT '',
  created_at       INTEGER NOT NULL,
  live_at          INTEGER,
  ended_at         INTEGER,
  last_active_at   INTEGER NOT NULL
);
CREATE INDEX rooms_listing ON rooms(visibility, status, starts_at);
CREATE TABLE room_grants (
  room_id      INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  principal    TEXT    NOT NULL,   -- 'user:<id>' or 'guest:<sha256 of the guest token>'
  display_name TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (room_id, principal)
);
)sql",
    // 3: chat messages (kept as long as the room: years)
    R"sql(
CREATE TABLE messages (
  id           INTEGER PRIMARY KEY,
  room_id      INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  seq          INTEGER NOT NULL,          -- room event sequence number
  principal    TEXT    NOT NULL,          -- 'user:<id>' or 'guest:<hash>'
  author_name  TEXT    NOT NULL,
  client_id    TEXT    NOT NULL,
  text         TEXT    NOT NULL,
  sent_at      INTEGER NOT NULL,
  UNIQUE (room_id, seq),
  UNIQUE (room_id, principal, client_id)
);
)sql",
    // 4: ingested videos and their jobs
    R"sql(
CREATE TABLE assets (
  id          TEXT    PRIMARY KEY,
  source_url  TEXT    NOT NULL,
  state       TEXT    NOT NULL CHECK (state IN ('queued', 'downloading', 'probing', 'packaging',
                                                'ready', 'failed')),
  percent     REAL    NOT NULL DEFAULT 0,
  eta_s       INTEGER,
  error       TEXT    NOT NULL DEFAULT '',
  playable    INTEGER NOT NULL DEFAULT 0,
  duration_s  REAL,
  history     TEXT    NOT NULL DEFAULT '[]',
  attempts    INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX assets_by_source ON assets(source_url, created_at);
ALTER TABLE rooms ADD COLUMN asset_id TEXT REFERENCES assets(id);
)sql",
    // 5: room event numbers are reserved in blocks so that they never repeat after a restart
    R"sql(
ALTER TABLE rooms ADD COLUMN seq_floor INTEGER NOT NULL DEFAULT 0;
)sql",
    // 6: shared playback — every change, and the room's control policies
    R"sql(
CREATE TABLE playback_events (
  room_id      INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  seq          INTEGER NOT NULL,
  action       TEXT    NOT NULL,
  playing      INTEGER NOT NULL,
  position_s   REAL    NOT NULL,
  rate         REAL    NOT NULL,
  volume       REAL    NOT NULL,
  muted        INTEGER NOT NULL,
  at_server_ms INTEGER NOT NULL,
  by_principal TEXT    NOT NULL,
  by_name      TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (room_id, seq)
);
ALTER TABLE rooms ADD COLUMN control_policy TEXT NOT NULL DEFAULT 'everyone';
ALTER TABLE rooms ADD COLUMN buffering_policy TEXT NOT NULL DEFAULT 'catch_up';
)sql",
    // 7: a guest's grants move with their identity when it is rotated (joining a private room)
    R"sql(
CREATE INDEX room_grants_by_principal ON room_grants (principal);
)sql",
};

}  // namespace

std::span<const std::string_view> migrations() { return kMigrations; }

}  // namespace kino::storage::sqlite
