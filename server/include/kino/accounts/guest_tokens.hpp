#pragma once
// Guest identities are minted by the server only: a guest cookie is "<random id>.<expiry>.<HMAC>"
// signed with a per-deployment key, so a value the client made up (or altered) is not a guest at
// all. The guest's principal is the hash of the whole token. Thread-safe.

#include <string>
#include <string_view>

#include "kino/common/clock.hpp"
#include "kino/common/random.hpp"
#include "kino/common/url_signer.hpp"

namespace kino::accounts {

class GuestTokens {
 public:
  // `signer` holds the guest key (not the media key); all three must outlive this object.
  GuestTokens(const common::UrlSigner& signer, common::Random& random, const common::Clock& clock)
      : signer_(signer), random_(random), clock_(clock) {}

  // A fresh, unguessable token (192 random bits), valid for `kLifetime`.
  std::string mint() const;
  // True for a token this deployment minted that has not expired.
  bool valid(std::string_view token) const;

  static constexpr auto kLifetime = std::chrono::hours(24 * 400);

 private:
  const common::UrlSigner& signer_;
  common::Random& random_;
  const common::Clock& clock_;
};

}  // namespace kino::accounts
