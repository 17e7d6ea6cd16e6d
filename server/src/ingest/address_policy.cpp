#include "kino/ingest/address_policy.hpp"

#include <algorithm>
#include <array>

namespace kino::ingest {
namespace {

AddressClass classifyV4(const std::uint8_t* a) {
  const auto in = [&](std::uint8_t b0, int bits, std::uint8_t b1 = 0) {
    if (bits <= 8) return (a[0] >> (8 - bits)) == (b0 >> (8 - bits));
    return a[0] == b0 && (a[1] >> (16 - bits)) == (b1 >> (16 - bits));
  };
  if (a[0] == 0) return AddressClass::kUnspecified;
  if (a[0] == 127) return AddressClass::kLoopback;
  if (a[0] == 10 || in(172, 12, 16) || in(192, 16, 168) || in(100, 10, 64)) {
    return AddressClass::kPrivate;
  }
  if (in(169, 16, 254)) return AddressClass::kLinkLocal;
  if (in(224, 4)) return AddressClass::kMulticast;
  if (in(240, 4)) return AddressClass::kReserved;  // includes 255.255.255.255
  // 192.0.0/24, 192.0.2/24, 198.18/15, 198.51.100/24, 203.0.113/24
  if ((a[0] == 192 && a[1] == 0 && (a[2] == 0 || a[2] == 2)) || (a[0] == 198 && (a[1] & 0xFE) == 18) ||
      (a[0] == 198 && a[1] == 51 && a[2] == 100) || (a[0] == 203 && a[1] == 0 && a[2] == 113)) {
    return AddressClass::kReserved;
  }
  return AddressClass::kPublic;
}

}  // namespace

AddressClass classifyAddress(std::span<const std::uint8_t> b) {
  if (b.size() == 4) return classifyV4(b.data());
  if (b.size() != 16) return AddressClass::kReserved;
  const bool first10_zero = std::all_of(b.begin(), b.begin() + 10, [](auto x) { return x == 0; });
  if (first10_zero && b[10] == 0xFF && b[11] == 0xFF) return classifyV4(b.data() + 12);  // mapped
  if (std::all_of(b.begin(), b.end() - 1, [](auto x) { return x == 0; })) {
    return b[15] == 1 ? AddressClass::kLoopback : AddressClass::kUnspecified;
  }
  if (first10_zero && b[10] == 0 && b[11] == 0) return classifyV4(b.data() + 12);  // compatible
  if ((b[0] & 0xFE) == 0xFC) return AddressClass::kPrivate;                        // fc00::/7
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return AddressClass::kLinkLocal;      // fe80::/10
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0) return AddressClass::kPrivate;        // fec0::/10
  if (b[0] == 0xFF) return AddressClass::kMulticast;
  if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B) return AddressClass::kReserved;
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8) return AddressClass::kReserved;
  if (b[0] == 0x20 && b[1] == 0x02) return AddressClass::kReserved;  // 6to4 can hide any IPv4
  return AddressClass::kPublic;
}

std::string_view describe(AddressClass c) {
  switch (c) {
    case AddressClass::kPublic: return "public";
    case AddressClass::kUnspecified: return "unspecified";
    case AddressClass::kLoopback: return "loopback";
    case AddressClass::kPrivate: return "private";
    case AddressClass::kLinkLocal: return "link-local";
    case AddressClass::kMulticast: return "multicast";
    case AddressClass::kReserved: return "reserved";
  }
  return "reserved";
}

}  // namespace kino::ingest
