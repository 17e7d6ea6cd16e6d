#include "kino/bus/bus.hpp"

namespace kino::bus {

bool validSubject(std::string_view subject, bool allow_wildcard) {
  if (subject.empty() || subject.size() > 256) return false;
  if (allow_wildcard && subject.ends_with(".>")) subject.remove_suffix(2);
  std::size_t token = 0;  // length of the current token
  for (const char c : subject) {
    if (c == '.') {
      if (token == 0) return false;
      token = 0;
      continue;
    }
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
    ++token;
  }
  return token > 0;
}

}  // namespace kino::bus
