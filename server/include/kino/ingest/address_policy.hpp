#pragma once
// Which network addresses a download may connect to (SSRF defence). Pure.

#include <cstdint>
#include <span>
#include <string_view>

namespace kino::ingest {

enum class AddressClass {
  kPublic,
  kUnspecified,  // 0.0.0.0/8, ::
  kLoopback,     // 127/8, ::1
  kPrivate,      // 10/8, 172.16/12, 192.168/16, 100.64/10 (CGNAT), fc00::/7
  kLinkLocal,    // 169.254/16 (cloud metadata lives here), fe80::/10
  kMulticast,    // 224/4, ff00::/8
  kReserved,     // 240/4, broadcast, documentation and benchmark ranges, 64:ff9b::/96 …
};

// `bytes`: 4 (IPv4) or 16 (IPv6) bytes in network order. IPv4-mapped and IPv4-compatible IPv6
// addresses are judged by the IPv4 address inside.
AddressClass classifyAddress(std::span<const std::uint8_t> bytes);
std::string_view describe(AddressClass c);

}  // namespace kino::ingest
