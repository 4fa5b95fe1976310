#include "io/outbound/egress-policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace wisp::io {
namespace {

constexpr std::array<uint8_t, 12> kMappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

IpAddress v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  IpAddress out;
  std::copy(kMappedPrefix.begin(), kMappedPrefix.end(), out.bytes.begin());
  out.bytes[12] = a, out.bytes[13] = b, out.bytes[14] = c, out.bytes[15] = d;
  return out;
}

IpRange v4Range(uint8_t a, uint8_t b, uint8_t c, uint8_t d, int prefix) { return {v4(a, b, c, d), 96 + prefix}; }

IpRange v6Range(std::string_view text) { return *IpRange::parse(text); }

struct Special {
  IpRange range;
  std::string_view what;
};

// https://www.iana.org/assignments/iana-ipv4-special-registry and its IPv6 twin: ranges that are
// not the public Internet. More specific ranges come first.
const std::vector<Special>& specialRanges() {
  static const std::vector<Special> ranges = {
      {v4Range(0, 0, 0, 0, 8), "an unspecified ('this network') address"},
      {v4Range(10, 0, 0, 0, 8), "a private address"},
      {v4Range(100, 64, 0, 0, 10), "a shared (carrier-grade NAT) address"},
      {v4Range(127, 0, 0, 0, 8), "a loopback address"},
      {v4Range(169, 254, 0, 0, 16), "a link-local address (where cloud metadata services live)"},
      {v4Range(172, 16, 0, 0, 12), "a private address"},
      {v4Range(192, 0, 0, 0, 24), "an IETF protocol assignment address"},
      {v4Range(192, 0, 2, 0, 24), "a documentation address"},
      {v4Range(192, 88, 99, 0, 24), "a 6to4 relay address"},
      {v4Range(192, 168, 0, 0, 16), "a private address"},
      {v4Range(198, 18, 0, 0, 15), "a benchmarking address"},
      {v4Range(198, 51, 100, 0, 24), "a documentation address"},
      {v4Range(203, 0, 113, 0, 24), "a documentation address"},
      {v4Range(224, 0, 0, 0, 4), "a multicast address"},
      {v4Range(240, 0, 0, 0, 4), "a reserved address"},
      {v6Range("::/128"), "an unspecified address"},
      {v6Range("::1/128"), "a loopback address"},
      {v6Range("::/96"), "a reserved (IPv4-compatible) address"},
      {v6Range("64:ff9b:1::/48"), "a private (local NAT64) address"},
      {v6Range("100::/64"), "a discard address"},
      {v6Range("2001:db8::/32"), "a documentation address"},
      {v6Range("2001::/23"), "an IETF protocol assignment address"},
      {v6Range("fc00::/7"), "a private (unique local) address"},
      {v6Range("fe80::/10"), "a link-local address"},
      {v6Range("fec0::/10"), "a private (site-local) address"},
      {v6Range("ff00::/8"), "a multicast address"},
  };
  return ranges;
}

// The IPv4 address that a NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address stands for.
std::optional<IpAddress> embeddedV4(const IpAddress& a) {
  static const IpRange nat64 = v6Range("64:ff9b::/96");
  static const IpRange sixToFour = v6Range("2002::/16");
  if (nat64.contains(a)) return v4(a.bytes[12], a.bytes[13], a.bytes[14], a.bytes[15]);
  if (sixToFour.contains(a)) return v4(a.bytes[2], a.bytes[3], a.bytes[4], a.bytes[5]);
  return std::nullopt;
}

bool isHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace

// ---- IpAddress ----

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  if (text.empty() || text.size() > 45) return std::nullopt;
  std::string s(text);
  in_addr a4{};
  if (inet_pton(AF_INET, s.c_str(), &a4) == 1) {
    auto* b = reinterpret_cast<const uint8_t*>(&a4.s_addr);
    return v4(b[0], b[1], b[2], b[3]);
  }
  in6_addr a6{};
  if (inet_pton(AF_INET6, s.c_str(), &a6) == 1) {
    IpAddress out;
    std::memcpy(out.bytes.data(), a6.s6_addr, 16);
    return out;
  }
  return std::nullopt;
}

std::optional<IpAddress> IpAddress::fromSockaddr(const sockaddr* address) {
  if (!address) return std::nullopt;
  if (address->sa_family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, address, sizeof in);
    auto* b = reinterpret_cast<const uint8_t*>(&in.sin_addr.s_addr);
    return v4(b[0], b[1], b[2], b[3]);
  }
  if (address->sa_family == AF_INET6) {
    sockaddr_in6 in{};
    std::memcpy(&in, address, sizeof in);
    IpAddress out;
    std::memcpy(out.bytes.data(), in.sin6_addr.s6_addr, 16);
    return out;
  }
  return std::nullopt;
}

bool IpAddress::isV4() const { return std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), bytes.begin()); }

std::string IpAddress::toString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (isV4()) {
    inet_ntop(AF_INET, bytes.data() + 12, buf, sizeof buf);
  } else {
    inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
  }
  return buf;
}

// ---- IpRange ----

std::optional<IpRange> IpRange::parse(std::string_view text) {
  size_t slash = text.find('/');
  auto base = IpAddress::parse(text.substr(0, slash));
  if (!base) return std::nullopt;
  int maxPrefix = base->isV4() ? 32 : 128;
  int prefix = maxPrefix;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::nullopt;
    prefix = std::stoi(std::string(digits));
    if (prefix > maxPrefix) return std::nullopt;
  }
  IpRange out{*base, base->isV4() ? prefix + 96 : prefix};
  // Keep only the network bits, so "10.1.2.3/8" means 10.0.0.0/8.
  for (int bit = out.prefix; bit < 128; bit++) out.base.bytes[bit / 8] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
  return out;
}

bool IpRange::contains(const IpAddress& address) const {
  int full = prefix / 8;
  if (!std::equal(base.bytes.begin(), base.bytes.begin() + full, address.bytes.begin())) return false;
  int rest = prefix % 8;
  if (rest == 0) return true;
  auto mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (base.bytes[full] & mask) == (address.bytes[full] & mask);
}

std::optional<std::string_view> specialPurpose(const IpAddress& address) {
  if (auto inner = embeddedV4(address)) {
    if (auto what = specialPurpose(*inner)) return what;
    return std::nullopt;
  }
  for (auto& s : specialRanges())
    if (s.range.contains(address)) return s.what;
  return std::nullopt;
}

// ---- EgressEntry ----

std::string normalizeHost(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::string out(host);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

std::optional<EgressEntry> EgressEntry::parse(std::string_view text, std::string* error) {
  auto fail = [&](std::string why) -> std::optional<EgressEntry> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  EgressEntry out;
  out.text = std::string(text);
  if (text.empty()) return fail("an empty entry");
  if (auto range = IpRange::parse(text)) {
    out.range = *range;
    return out;
  }
  if (text.find('/') != std::string_view::npos || text.find(':') != std::string_view::npos)
    return fail("not a valid address range (CIDR)");
  std::string host = normalizeHost(text);
  if (host == "*") {
    out.host = "*";
    return out;
  }
  std::string_view name = host;
  bool wildcard = name.starts_with("*.");
  if (wildcard) name.remove_prefix(2);
  if (name.empty() || name.front() == '.' || name.find("..") != std::string_view::npos ||
      !std::all_of(name.begin(), name.end(), isHostChar))
    return fail("not a host name, \"*.\" followed by a host name, \"*\", an address or a CIDR range");
  out.host = wildcard ? "." + std::string(name) : std::string(name);
  return out;
}

bool EgressEntry::matchesHost(std::string_view host) const {
  if (range || host.empty()) return false;
  if (this->host == "*") return true;
  if (this->host.front() == '.') return host.size() > this->host.size() && host.ends_with(this->host);
  return host == this->host;
}

// ---- EgressPolicy ----

EgressPolicy::EgressPolicy(const Rules& rules) : allowPrivate_(rules.allowPrivate) {
  auto parseAll = [](const std::vector<std::string>& texts, std::vector<EgressEntry>& out) {
    for (auto& t : texts) {
      std::string why;
      auto entry = EgressEntry::parse(t, &why);
      if (!entry) throw std::invalid_argument(quoted(t) + ": " + why);
      out.push_back(std::move(*entry));
    }
  };
  parseAll(rules.allow, allow_);
  parseAll(rules.deny, deny_);
}

std::optional<std::string> EgressPolicy::checkHost(std::string_view rawHost) const {
  std::string host = normalizeHost(rawHost);
  if (auto address = IpAddress::parse(host)) return checkAddress(host, *address);
  for (auto& d : deny_)
    if (d.matchesHost(host)) return "the host " + quoted(host) + " matches the deny entry " + quoted(d.text);
  return std::nullopt;
}

std::optional<std::string> EgressPolicy::checkAddress(std::string_view rawHost, const IpAddress& address) const {
  std::string host = normalizeHost(rawHost);
  std::string shown = address.toString();
  bool literal = IpAddress::parse(host).has_value();
  // "10.0.0.1 is ..." or "\"db.example\" resolved to 10.0.0.1, which is ..."
  std::string subject = literal ? shown + " is" : quoted(host) + " resolved to " + shown + ", which is";
  for (auto& d : deny_) {
    if (d.matchesHost(host)) return "the host " + quoted(host) + " matches the deny entry " + quoted(d.text);
    if (d.range && d.range->contains(address)) return subject + " inside the deny entry " + quoted(d.text);
  }
  bool inAllowedRange = std::any_of(allow_.begin(), allow_.end(), [&](const EgressEntry& a) {
    return a.range && a.range->contains(address);
  });
  if (auto what = specialPurpose(address); what && !allowPrivate_ && !inAllowedRange) {
    return subject + " " + std::string(*what) +
           "; private and special-purpose addresses are refused unless allowPrivate is set or an allow entry's "
           "address range contains them";
  }
  if (!allow_.empty() && !inAllowedRange &&
      std::none_of(allow_.begin(), allow_.end(), [&](const EgressEntry& a) { return a.matchesHost(host); })) {
    return literal ? shown + " matches no allow entry"
                   : "neither " + quoted(host) + " nor its address " + shown + " matches an allow entry";
  }
  return std::nullopt;
}

}  // namespace wisp::io
