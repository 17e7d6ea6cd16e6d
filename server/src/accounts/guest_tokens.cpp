#include "kino/accounts/guest_tokens.hpp"

namespace kino::accounts {
namespace {

constexpr std::string_view kPurpose = "guest:";  // keeps these MACs apart from any other use
constexpr std::size_t kMaxToken = 128;

}  // namespace

std::string GuestTokens::mint() const {
  const std::string id = common::randomToken(random_, 24);
  return id + "." + signer_.token(std::string(kPurpose) + id, clock_.now() + kLifetime);
}

bool GuestTokens::valid(std::string_view token) const {
  if (token.empty() || token.size() > kMaxToken) return false;
  const auto dot = token.find('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  const std::string subject = std::string(kPurpose) + std::string(token.substr(0, dot));
  return signer_.valid(subject, token.substr(dot + 1), clock_.now());
}

}  // namespace kino::accounts
