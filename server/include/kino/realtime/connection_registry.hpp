#pragma once
// Every open room WebSocket of this process: caps how many one person, one client address and one
// room may hold (so one client cannot exhaust sockets, and a hello snapshot stays bounded), and
// closes the sockets of a revoked session (logout). Thread-safe; no I/O of its own.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "kino/common/result.hpp"
#include "kino/realtime/outlet.hpp"
#include "kino/common/mutex.hpp"

namespace kino::realtime {

struct SocketLimits {
  int per_person = 10;    // "user:<id>" or "guest:<hash>", across rooms
  int per_address = 100;  // one client IP (a household or an office behind NAT shares one)
  int per_room = 300;     // connections in one room
};

struct SocketOwner {
  std::string principal;
  std::string address;
  std::int64_t room_id = 0;
  std::string session;  // hash of the session token the socket was admitted with; "" for guests
};

class ConnectionRegistry {
 public:
  explicit ConnectionRegistry(SocketLimits limits) : limits_(limits) {}

  // A place held for one socket; released when destroyed.
  class Place {
   public:
    Place() = default;
    Place(ConnectionRegistry* registry, std::uint64_t id) : registry_(registry), id_(id) {}
    Place(Place&& other) noexcept : registry_(other.registry_), id_(other.id_) {
      other.registry_ = nullptr;
    }
    Place& operator=(Place&& other) noexcept;
    Place(const Place&) = delete;
    Place& operator=(const Place&) = delete;
    ~Place();
    // Once the socket is accepted: where closeSession() reaches it.
    void attach(std::weak_ptr<Outlet> outlet);

   private:
    ConnectionRegistry* registry_ = nullptr;
    std::uint64_t id_ = 0;
  };

  // Holds a place for one more socket of `owner`, or kRateLimited "too_many_connections" (the
  // person or the address is at its cap) / kConflict "room_full" (the room is).
  Result<Place> reserve(const SocketOwner& owner);
  // Closes every socket admitted with `session` (code, reason). Returns how many it reached.
  int closeSession(const std::string& session, int code, const std::string& reason);
  std::size_t size() const;

 private:
  struct Entry {
    SocketOwner owner;
    std::weak_ptr<Outlet> outlet;
  };
  void release(std::uint64_t id);
  void attach(std::uint64_t id, std::weak_ptr<Outlet> outlet);

  const SocketLimits limits_;
  mutable common::Mutex mu_;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, Entry> entries_ KINO_GUARDED_BY(mu_);
  std::map<std::string, int> by_principal_ KINO_GUARDED_BY(mu_);
  std::map<std::string, int> by_address_ KINO_GUARDED_BY(mu_);
  std::map<std::int64_t, int> by_room_ KINO_GUARDED_BY(mu_);
};

}  // namespace kino::realtime
