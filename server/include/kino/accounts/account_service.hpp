#pragma once
// Accounts: registration, login with rate limits, server-side sessions, logout.
// Thread-safe. Every call blocks (argon2id, the Store): call it from the worker pool.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "kino/accounts/password_hasher.hpp"
#include "kino/common/clock.hpp"
#include "kino/common/config.hpp"
#include "kino/common/random.hpp"
#include "kino/common/rate_window.hpp"
#include "kino/common/result.hpp"
#include "kino/storage/store.hpp"

namespace kino::accounts {

struct User {
  std::int64_t id = 0;
  std::string username;
  std::string display_name;
  common::TimePoint created_at;
};

// A freshly issued session: `token` goes into the cookie and is not kept by the server.
struct SignedIn {
  User user;
  std::string token;
  common::TimePoint issued_at;
  common::TimePoint expires_at;
};

struct Registration {
  std::string username;
  std::string password;
  std::string display_name;  // empty = the username
};

class AccountService {
 public:
  // `rate_windows` makes the login and registration limits ("login_ip", "login_account",
  // "register_ip"); empty = in this process's memory.
  AccountService(storage::Store& store, const common::Clock& clock, common::Random& random,
                 const common::AccountsConfig& config, common::RateWindowFactory rate_windows = {});

  // Creates the account and signs it in. kInvalid (field set), kConflict "username_taken",
  // kRateLimited per client IP.
  Result<SignedIn> registerUser(const Registration& r, std::string_view client_ip);
  // kUnauthenticated "invalid_credentials" whether the username or the password was wrong;
  // kRateLimited when the IP or the account has too many attempts (even with the right password).
  Result<SignedIn> login(std::string_view username, std::string_view password,
                         std::string_view client_ip);
  // The user a session token belongs to; kUnauthenticated "not_authenticated" when the token is
  // unknown, revoked or expired.
  Result<User> authenticate(std::string_view token);
  // Revokes the session server-side, then tells the revocation listener. Succeeds for unknown
  // tokens.
  Result<void> logout(std::string_view token);
  // `listener(token_hash)` runs on the caller's thread after a session was revoked (so that open
  // connections of that session end too). Set it once, before the service is used.
  void onSessionRevoked(std::function<void(const std::string& token_hash)> listener);

 private:
  Result<SignedIn> startSession(const storage::UserRecord& user);

  storage::Store& store_;
  const common::Clock& clock_;
  common::Random& random_;
  const common::AccountsConfig config_;
  PasswordHasher hasher_;
  std::unique_ptr<common::RateWindow> login_by_ip_;
  std::unique_ptr<common::RateWindow> failures_by_account_;
  std::unique_ptr<common::RateWindow> register_by_ip_;
  std::function<void(const std::string&)> on_revoked_;
};

// Hex SHA-256 of a session token: what the store keeps instead of the token.
std::string sessionTokenHash(std::string_view token);

}  // namespace kino::accounts
