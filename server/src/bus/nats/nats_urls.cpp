#include <cctype>

#include "kino/bus/nats_bus.hpp"
#include "kino/common/config.hpp"

namespace kino::bus {
namespace {

Error badUrl(std::string_view entry, std::string_view why) {
  return Error::make(ErrorKind::kInvalid, "invalid_config",
                     "bus.nats_urls: '" + std::string(entry) + "' " + std::string(why));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<std::vector<std::string>> parseNatsUrls(std::string_view comma_separated) {
  std::vector<std::string> urls;
  while (!comma_separated.empty()) {
    const auto comma = std::min(comma_separated.find(','), comma_separated.size());
    const std::string_view entry = trim(comma_separated.substr(0, comma));
    comma_separated.remove_prefix(std::min(comma + 1, comma_separated.size()));
    if (entry.empty()) continue;
    std::string_view rest = entry;
    if (const auto scheme = rest.find("://"); scheme != std::string_view::npos) {
      if (rest.substr(0, scheme) != "nats") {
        return badUrl(entry, "is not a NATS URL: expected nats://host:port (TLS is not supported)");
      }
      rest.remove_prefix(scheme + 3);
    }
    if (rest.find('@') != std::string_view::npos) {
      return badUrl(entry, "carries credentials, which Kino does not support");
    }
    auto hp = common::parseHostPort(rest);
    if (!hp || hp->host.empty() || hp->port == 0) {
      return badUrl(entry, "is not a NATS URL: expected nats://host:port");
    }
    urls.push_back("nats://" + std::string(rest));
  }
  if (urls.empty()) {
    return Error::make(ErrorKind::kInvalid, "invalid_config",
                       "bus.nats_urls: no URL given (expected nats://host:port,...)");
  }
  return urls;
}

}  // namespace kino::bus
