#include "kino/ingest/address_policy.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <array>

namespace kino::ingest {
namespace {

AddressClass classify(const char* text) {
  std::array<std::uint8_t, 16> buf{};
  if (inet_pton(AF_INET, text, buf.data()) == 1) return classifyAddress(std::span(buf.data(), 4));
  EXPECT_EQ(inet_pton(AF_INET6, text, buf.data()), 1) << text;
  return classifyAddress(buf);
}

TEST(AddressPolicyTest, ClassifiesTheRangesAnSsrfWouldAimAt) {
  struct Case { const char* address; AddressClass want; } cases[] = {
      {"93.184.216.34", AddressClass::kPublic},
      {"8.8.8.8", AddressClass::kPublic},
      {"127.0.0.1", AddressClass::kLoopback},
      {"127.255.1.2", AddressClass::kLoopback},
      {"0.0.0.0", AddressClass::kUnspecified},
      {"10.1.2.3", AddressClass::kPrivate},
      {"172.16.0.1", AddressClass::kPrivate},
      {"172.31.255.255", AddressClass::kPrivate},
      {"172.32.0.1", AddressClass::kPublic},
      {"192.168.1.1", AddressClass::kPrivate},
      {"100.64.0.1", AddressClass::kPrivate},
      {"169.254.169.254", AddressClass::kLinkLocal},  // cloud metadata
      {"224.0.0.1", AddressClass::kMulticast},
      {"255.255.255.255", AddressClass::kReserved},
      {"192.0.2.10", AddressClass::kReserved},
      {"::1", AddressClass::kLoopback},
      {"::", AddressClass::kUnspecified},
      {"::ffff:127.0.0.1", AddressClass::kLoopback},
      {"::ffff:10.0.0.1", AddressClass::kPrivate},
      {"::ffff:8.8.8.8", AddressClass::kPublic},
      {"fc00::1", AddressClass::kPrivate},
      {"fd12:3456::1", AddressClass::kPrivate},
      {"fe80::1", AddressClass::kLinkLocal},
      {"ff02::1", AddressClass::kMulticast},
      {"2002:7f00:1::", AddressClass::kReserved},  // 6to4 wrapping 127.0.0.1
      {"2606:4700:4700::1111", AddressClass::kPublic},
  };
  for (const auto& c : cases) EXPECT_EQ(classify(c.address), c.want) << c.address;
}

}  // namespace
}  // namespace kino::ingest
