// The egress policy: which destinations a Worker's outbound fetch() may reach. Entries are host
// names ("api.example.com", "*.example.com", "*") and addresses or CIDR ranges ("10.0.0.0/8",
// "203.0.113.7", "fd00::/8"). A destination is checked twice: its host name before the request
// starts, and then every address actually connected (after DNS, on every redirect hop), so
// neither DNS rebinding nor a redirect reaches an address the policy refuses.
//
// Rules, in order:
//  1. deny: a host name matching a deny name, or an address inside a deny range, is refused;
//  2. private and special-purpose addresses (loopback, RFC 1918, link-local and cloud metadata,
//     CGNAT, ULA, multicast, documentation...) are refused unless allowPrivate is set or an allow
//     *range* contains the address: an allowed host name never unlocks them (server-side request
//     forgery through a name that resolves inward);
//  3. a non-empty allow list admits only destinations whose name or address it matches.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sockaddr;

namespace wisp::io {

// An IPv4 or IPv6 address; IPv4 is kept as its IPv4-mapped IPv6 form (::ffff:a.b.c.d), so one
// range check serves both families.
struct IpAddress {
  std::array<uint8_t, 16> bytes{};

  // "192.0.2.1", "2001:db8::1" or "[2001:db8::1]".
  static std::optional<IpAddress> parse(std::string_view text);
  static std::optional<IpAddress> fromSockaddr(const sockaddr* address);
  bool isV4() const;
  std::string toString() const;
  bool operator==(const IpAddress&) const = default;
};

// An address range: a base address and a prefix length counted over the 128-bit form.
struct IpRange {
  IpAddress base;
  int prefix = 128;

  // "10.0.0.0/8", "fd00::/8", or a single address (a /32 or /128).
  static std::optional<IpRange> parse(std::string_view text);
  bool contains(const IpAddress& address) const;
};

// What a special-purpose address is ("loopback", "private"...), or nullopt for a public one.
// An address that embeds an IPv4 address (NAT64, 6to4) is judged by the address it embeds.
std::optional<std::string_view> specialPurpose(const IpAddress& address);

// One allow or deny entry as written in the config.
struct EgressEntry {
  std::string text;
  std::optional<IpRange> range;  // set for addresses and CIDRs
  std::string host;              // a host name: exact, or the suffix after "*." (".example.com"); "*" for any

  // Parses and normalises an entry; nullopt with the reason in `error`.
  static std::optional<EgressEntry> parse(std::string_view text, std::string* error = nullptr);
  bool matchesHost(std::string_view host) const;
};

class EgressPolicy {
 public:
  struct Rules {
    std::vector<std::string> allow;
    std::vector<std::string> deny;
    bool allowPrivate = false;
  };

  // The default: every public address, nothing private.
  EgressPolicy() = default;
  // Throws std::invalid_argument naming the first entry that does not parse.
  explicit EgressPolicy(const Rules& rules);

  // Before a request (and each redirect hop) starts: refuses a host the deny list names, or an
  // IP-literal host the rules refuse. `host` is the URL's host (IPv6 in brackets or not).
  // Returns why the host is refused, or nullopt when it may go on to DNS.
  std::optional<std::string> checkHost(std::string_view host) const;
  // Just before connecting `address`, which `host` resolved to. Returns why it is refused.
  std::optional<std::string> checkAddress(std::string_view host, const IpAddress& address) const;

  bool allowPrivate() const { return allowPrivate_; }
  const std::vector<EgressEntry>& allow() const { return allow_; }
  const std::vector<EgressEntry>& deny() const { return deny_; }

 private:
  std::vector<EgressEntry> allow_;
  std::vector<EgressEntry> deny_;
  bool allowPrivate_ = false;
};

// Lower-case, without a trailing dot or IPv6 brackets: the form hosts are compared in.
std::string normalizeHost(std::string_view host);

}  // namespace wisp::io
