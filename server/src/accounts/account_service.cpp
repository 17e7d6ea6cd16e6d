#include "kino/accounts/account_service.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>

#include "kino/accounts/validation.hpp"

namespace kino::accounts {
namespace {

constexpr std::size_t kTokenBytes = 32;

User toUser(const storage::UserRecord& r) {
  return User{r.id, r.username, r.display_name, r.created_at};
}

Error rateLimited(std::chrono::seconds retry_after) {
  Error e = Error::make(ErrorKind::kRateLimited, "rate_limited",
                        "Too many attempts. Try again in " + std::to_string(retry_after.count()) +
                            " seconds.");
  e.retry_after = retry_after;
  return e;
}

Error invalidCredentials() {
  return Error::make(ErrorKind::kUnauthenticated, "invalid_credentials",
                     "Wrong username or password.");
}

Error notAuthenticated() {
  return Error::make(ErrorKind::kUnauthenticated, "not_authenticated", "You are not logged in.");
}

std::string accountKey(std::string_view username) {
  std::string k(username);
  std::transform(k.begin(), k.end(), k.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return k;
}

}  // namespace

std::string sessionTokenHash(std::string_view token) {
  std::uint8_t digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  return common::hexEncode(digest);
}

AccountService::AccountService(storage::Store& store, const common::Clock& clock,
                               common::Random& random, const common::AccountsConfig& config,
                               common::RateWindowFactory rate_windows)
    : store_(store), clock_(clock), random_(random), config_(config),
      hasher_(Argon2Params{config.argon2_ops, config.argon2_mem_kib}) {
  if (!rate_windows) rate_windows = common::inMemoryRateWindows(clock);
  login_by_ip_ = rate_windows("login_ip", static_cast<std::size_t>(config.login_ip_max_attempts),
                              std::chrono::seconds(config.login_window_s));
  failures_by_account_ =
      rate_windows("login_account", static_cast<std::size_t>(config.login_account_max_failures),
                   std::chrono::seconds(config.login_window_s));
  register_by_ip_ = rate_windows(
      "register_ip", static_cast<std::size_t>(config.register_ip_max_per_hour), std::chrono::hours(1));
}

Result<SignedIn> AccountService::registerUser(const Registration& r, std::string_view client_ip) {
  if (auto v = validateUsername(r.username); !v) return v.error();
  if (auto v = validatePassword(r.password); !v) return v.error();
  const std::string display = r.display_name.empty() ? r.username : r.display_name;
  if (auto v = validateDisplayName(display); !v) return v.error();

  const std::string ip_key(client_ip);
  if (auto d = register_by_ip_->check(ip_key); !d.allowed) return rateLimited(d.retry_after);

  // Cheap check first so a taken name costs no hashing; the UNIQUE constraint still decides races.
  if (auto existing = store_.users().findByUsername(r.username); existing) {
    return Error::make(ErrorKind::kConflict, "username_taken", "That username is taken.",
                       "username");
  } else if (existing.error().kind != ErrorKind::kNotFound) {
    return existing.error();
  }
  auto hash = hasher_.hash(r.password);
  if (!hash) return hash.error();
  auto created = store_.users().create(
      storage::NewUser{r.username, display, std::move(hash).value(), clock_.now()});
  if (!created) return created.error();
  register_by_ip_->record(ip_key);
  return startSession(created.value());
}

Result<SignedIn> AccountService::login(std::string_view username, std::string_view password,
                                       std::string_view client_ip) {
  if (auto d = login_by_ip_->consume(std::string(client_ip)); !d.allowed) {
    return rateLimited(d.retry_after);
  }
  const std::string key = accountKey(username);
  if (auto d = failures_by_account_->check(key); !d.allowed) return rateLimited(d.retry_after);

  auto user = store_.users().findByUsername(username);
  if (!user) {
    if (user.error().kind != ErrorKind::kNotFound) return user.error();
    hasher_.verifyDummy(password);
    failures_by_account_->record(key);
    return invalidCredentials();
  }
  if (!hasher_.verify(user->password_hash, password)) {
    failures_by_account_->record(key);
    return invalidCredentials();
  }
  failures_by_account_->reset(key);
  return startSession(user.value());
}

Result<SignedIn> AccountService::startSession(const storage::UserRecord& user) {
  const auto now = clock_.now();
  SignedIn s{toUser(user), common::randomToken(random_, kTokenBytes), now,
             now + std::chrono::hours(config_.session_ttl_hours)};
  auto created = store_.sessions().create(
      storage::SessionRecord{sessionTokenHash(s.token), user.id, now, s.expires_at});
  if (!created) return created.error();
  return s;
}

Result<User> AccountService::authenticate(std::string_view token) {
  if (token.empty() || token.size() > 256) return notAuthenticated();
  const std::string hash = sessionTokenHash(token);
  auto session = store_.sessions().find(hash);
  if (!session) {
    if (session.error().kind == ErrorKind::kNotFound) return notAuthenticated();
    return session.error();
  }
  if (session->expires_at <= clock_.now()) {
    (void)store_.sessions().revoke(hash);
    return notAuthenticated();
  }
  auto user = store_.users().findById(session->user_id);
  if (!user) {
    if (user.error().kind == ErrorKind::kNotFound) return notAuthenticated();
    return user.error();
  }
  return toUser(user.value());
}

Result<void> AccountService::logout(std::string_view token) {
  if (token.empty() || token.size() > 256) return success();
  const std::string hash = sessionTokenHash(token);
  if (auto r = store_.sessions().revoke(hash); !r) return r;
  if (on_revoked_) on_revoked_(hash);
  return success();
}

void AccountService::onSessionRevoked(std::function<void(const std::string&)> listener) {
  on_revoked_ = std::move(listener);
}

}  // namespace kino::accounts
