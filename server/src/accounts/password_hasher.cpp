#include "kino/accounts/password_hasher.hpp"

#include <sodium.h>

#include <cstdlib>

namespace kino::accounts {

PasswordHasher::PasswordHasher(Argon2Params params) : params_(params) {
  if (sodium_init() < 0) std::abort();
  auto dummy = hash("kino-dummy-password");
  if (!dummy) std::abort();  // cannot allocate even one hash: nothing would work
  dummy_hash_ = std::move(dummy).value();
}

Result<std::string> PasswordHasher::hash(std::string_view password) const {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), params_.ops,
                            static_cast<size_t>(params_.mem_kib) * 1024,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Error::make(ErrorKind::kUnavailable, "hashing_failed",
                       "the server is out of memory for password hashing, try again");
  }
  return std::string(out);
}

bool PasswordHasher::verify(std::string_view encoded, std::string_view password) const {
  if (encoded.size() >= crypto_pwhash_STRBYTES) return false;
  std::string z(encoded);  // libsodium needs a NUL-terminated string
  return crypto_pwhash_str_verify(z.c_str(), password.data(), password.size()) == 0;
}

bool PasswordHasher::needsRehash(std::string_view encoded) const {
  std::string z(encoded);
  return crypto_pwhash_str_needs_rehash(z.c_str(), params_.ops,
                                        static_cast<size_t>(params_.mem_kib) * 1024) != 0;
}

void PasswordHasher::verifyDummy(std::string_view password) const {
  (void)verify(dummy_hash_, password);
}

}  // namespace kino::accounts
