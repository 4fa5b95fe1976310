// The egress policy: entries, the special-purpose ranges refused by default, deny before allow,
// and allowed host names that must not unlock private addresses (SSRF through DNS).
#include <gtest/gtest.h>

#include <stdexcept>

#include "io/outbound/egress-policy.h"

namespace wisp::io {
namespace {

IpAddress ip(const char* text) {
  auto a = IpAddress::parse(text);
  EXPECT_TRUE(a.has_value()) << text;
  return a.value_or(IpAddress{});
}

bool allowed(const EgressPolicy& p, const char* host, const char* address) {
  return !p.checkAddress(host, ip(address)).has_value();
}

TEST(EgressPolicy, ParsesAddressesInBothFamilies) {
  EXPECT_EQ(ip("192.0.2.1").toString(), "192.0.2.1");
  EXPECT_TRUE(ip("192.0.2.1").isV4());
  EXPECT_EQ(ip("[2001:db8::1]").toString(), "2001:db8::1");
  EXPECT_FALSE(ip("2001:db8::1").isV4());
  // An IPv4-mapped IPv6 address is the IPv4 address.
  EXPECT_EQ(ip("::ffff:127.0.0.1"), ip("127.0.0.1"));
  EXPECT_FALSE(IpAddress::parse("256.0.0.1"));
  EXPECT_FALSE(IpAddress::parse("example.com"));
  EXPECT_FALSE(IpAddress::parse(""));
}

TEST(EgressPolicy, RangesContainTheirAddresses) {
  auto r = IpRange::parse("10.1.2.3/8");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->contains(ip("10.255.0.1")));
  EXPECT_FALSE(r->contains(ip("11.0.0.1")));
  auto single = IpRange::parse("203.0.113.7");
  ASSERT_TRUE(single);
  EXPECT_TRUE(single->contains(ip("203.0.113.7")));
  EXPECT_FALSE(single->contains(ip("203.0.113.8")));
  auto v6 = IpRange::parse("fd00::/8");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->contains(ip("fd12:3456::1")));
  EXPECT_FALSE(v6->contains(ip("fe80::1")));
  auto odd = IpRange::parse("172.16.0.0/12");
  ASSERT_TRUE(odd);
  EXPECT_TRUE(odd->contains(ip("172.31.255.255")));
  EXPECT_FALSE(odd->contains(ip("172.32.0.0")));
  EXPECT_FALSE(IpRange::parse("10.0.0.0/33"));
  EXPECT_FALSE(IpRange::parse("10.0.0.0/"));
  EXPECT_FALSE(IpRange::parse("::/129"));
}

TEST(EgressPolicy, SpecialPurposeAddresses) {
  for (const char* a : {"127.0.0.1", "127.8.9.10", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254",
                        "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fd00::1",
                        "ff02::1", "::ffff:10.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::", "2001:db8::5"}) {
    EXPECT_TRUE(specialPurpose(ip(a)).has_value()) << a;
  }
  for (const char* a : {"93.184.216.34", "1.1.1.1", "8.8.8.8", "2606:4700::1111", "64:ff9b::808:808", "172.32.0.1"}) {
    EXPECT_FALSE(specialPurpose(ip(a)).has_value()) << a;
  }
  EXPECT_EQ(*specialPurpose(ip("127.0.0.1")), "a loopback address");
}

TEST(EgressPolicy, DefaultAllowsPublicAndRefusesPrivate) {
  EgressPolicy p;
  EXPECT_TRUE(allowed(p, "example.com", "93.184.216.34"));
  EXPECT_FALSE(allowed(p, "localhost", "127.0.0.1"));
  EXPECT_FALSE(allowed(p, "metadata.internal", "169.254.169.254"));
  EXPECT_FALSE(allowed(p, "rebinding.example", "10.0.0.7"));
  auto why = p.checkAddress("localhost", ip("::1"));
  ASSERT_TRUE(why);
  EXPECT_EQ(*why,
            "\"localhost\" resolved to ::1, which is a loopback address; private and special-purpose addresses "
            "are refused unless allowPrivate is set or an allow entry's address range contains them");
}

TEST(EgressPolicy, IpLiteralHostsAreCheckedBeforeDns) {
  EgressPolicy p;
  auto why = p.checkHost("127.0.0.1");
  ASSERT_TRUE(why);
  EXPECT_EQ(why->rfind("127.0.0.1 is a loopback address; ", 0), 0u) << *why;
  EXPECT_TRUE(p.checkHost("[::1]").has_value());
  EXPECT_FALSE(p.checkHost("example.com").has_value());
  EXPECT_FALSE(p.checkHost("1.1.1.1").has_value());
}

TEST(EgressPolicy, AllowPrivateOpensPrivateRanges) {
  EgressPolicy p({{}, {}, true});
  EXPECT_TRUE(allowed(p, "localhost", "127.0.0.1"));
  EXPECT_TRUE(allowed(p, "db", "10.1.1.1"));
}

TEST(EgressPolicy, AnAllowRangeOpensOnlyItsAddresses) {
  EgressPolicy p({{"127.0.0.1", "*"}, {}, false});
  EXPECT_TRUE(allowed(p, "127.0.0.1", "127.0.0.1"));
  EXPECT_TRUE(allowed(p, "localhost", "127.0.0.1"));
  EXPECT_FALSE(allowed(p, "localhost", "127.0.0.2"));
  EXPECT_FALSE(allowed(p, "localhost", "::1"));
  EXPECT_TRUE(allowed(p, "example.com", "93.184.216.34"));
}

TEST(EgressPolicy, AnAllowedHostNameNeverUnlocksPrivateAddresses) {
  EgressPolicy p({{"*.example.com"}, {}, false});
  EXPECT_TRUE(allowed(p, "api.example.com", "93.184.216.34"));
  // DNS rebinding: the allowed name now resolves inward.
  EXPECT_FALSE(allowed(p, "api.example.com", "10.0.0.1"));
  EXPECT_FALSE(allowed(p, "api.example.com", "127.0.0.1"));
}

TEST(EgressPolicy, ANonEmptyAllowListAdmitsOnlyItsEntries) {
  EgressPolicy p({{"api.example.com", "*.cdn.example", "198.51.100.0/24"}, {}, false});
  EXPECT_TRUE(allowed(p, "api.example.com", "93.184.216.34"));
  EXPECT_TRUE(allowed(p, "API.Example.COM.", "93.184.216.34"));
  EXPECT_TRUE(allowed(p, "img.cdn.example", "93.184.216.35"));
  EXPECT_TRUE(allowed(p, "a.b.cdn.example", "93.184.216.35"));
  EXPECT_FALSE(allowed(p, "cdn.example", "93.184.216.35"));  // "*." is for subdomains only
  EXPECT_FALSE(allowed(p, "www.example.com", "93.184.216.34"));
  EXPECT_FALSE(allowed(p, "evil-api.example.com", "93.184.216.34"));
  // An allowed range admits whatever name resolves into it, even a special-purpose one.
  EXPECT_TRUE(allowed(p, "docs.test", "198.51.100.9"));
  auto why = p.checkAddress("www.example.com", ip("93.184.216.34"));
  ASSERT_TRUE(why);
  EXPECT_EQ(*why, "neither \"www.example.com\" nor its address 93.184.216.34 matches an allow entry");
}

TEST(EgressPolicy, DenyWinsOverAllow) {
  EgressPolicy p({{"*", "10.0.0.0/8"}, {"*.internal.example", "10.9.0.0/16", "169.254.169.254"}, true});
  EXPECT_TRUE(allowed(p, "db.example", "10.1.0.1"));
  EXPECT_FALSE(allowed(p, "db.example", "10.9.0.1"));
  EXPECT_FALSE(allowed(p, "x.internal.example", "93.184.216.34"));
  EXPECT_FALSE(allowed(p, "metadata", "169.254.169.254"));
  auto why = p.checkHost("svc.internal.example");
  ASSERT_TRUE(why);
  EXPECT_EQ(*why, "the host \"svc.internal.example\" matches the deny entry \"*.internal.example\"");
  why = p.checkAddress("db.example", ip("10.9.3.3"));
  ASSERT_TRUE(why);
  EXPECT_EQ(*why, "\"db.example\" resolved to 10.9.3.3, which is inside the deny entry \"10.9.0.0/16\"");
}

TEST(EgressPolicy, MappedAndEmbeddedAddressesAreJudgedByTheirIpv4Address) {
  EgressPolicy p({{}, {"203.0.113.0/24"}, false});
  EXPECT_FALSE(allowed(p, "x", "::ffff:203.0.113.5"));
  EXPECT_FALSE(allowed(p, "x", "::ffff:127.0.0.1"));
  EXPECT_FALSE(allowed(p, "x", "64:ff9b::a00:1"));  // NAT64 of 10.0.0.1
}

TEST(EgressPolicy, BadEntriesAreRefusedWithTheirText) {
  std::string why;
  EXPECT_FALSE(EgressEntry::parse("", &why));
  EXPECT_FALSE(EgressEntry::parse("10.0.0.0/40", &why));
  EXPECT_EQ(why, "not a valid address range (CIDR)");
  EXPECT_FALSE(EgressEntry::parse("exa mple.com", &why));
  EXPECT_FALSE(EgressEntry::parse("a.*.example", &why));
  EXPECT_FALSE(EgressEntry::parse("http://example.com", &why));
  EXPECT_TRUE(EgressEntry::parse("*.example.com"));
  EXPECT_TRUE(EgressEntry::parse("*"));
  try {
    EgressPolicy p({{"ok.example", "bad host"}, {}, false});
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).rfind("\"bad host\": ", 0), 0u) << e.what();
  }
}

}  // namespace
}  // namespace wisp::io
