#pragma once
// Source URLs as they may appear in logs. Pure.

#include <string>
#include <string_view>

namespace kino::ingest {

// `url` with its secrets replaced by "REDACTED": the userinfo ("user:pass@" → "REDACTED@"), and the
// value of every query or fragment parameter whose name looks like a credential (contains, in any
// case, token, sig, key, secret, pass, pwd, auth, cred, session, jwt, policy, hdnts, hdnea or
// hmac). Works on any text, URL or not; everything else is kept as it was.
std::string redactUrl(std::string_view url);

}  // namespace kino::ingest
