// `wisp.egress` in the config: the egress policy and limits of outbound fetch() (docs/config.md,
// "Outbound fetch"). Read by config.cc through readEgress(); turned into the runtime's
// io::OutboundSettings by toOutbound().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/outbound/outbound-settings.h"

namespace wisp::server {

struct EgressSettings {
  std::vector<std::string> allow;  // host names ("*.example.com", "*"), addresses, CIDR ranges
  std::vector<std::string> deny;
  bool allowPrivate = false;       // loopback, RFC 1918, link-local... (refused by default)
  uint64_t maxResponseBytes = io::OutboundSettings{}.maxResponseBytes;
  double timeoutMs = io::OutboundSettings{}.timeoutMs;

  // Throws std::invalid_argument for an entry that does not parse (readEgress checks them).
  std::shared_ptr<const io::OutboundSettings> toOutbound() const;
};

// How readEgress reports to the config reader: `expected` and `fail` throw (an invalid value),
// `unknownKey` warns.
struct EgressConfigReport {
  std::function<void(const std::string& path, std::string_view what, const nlohmann::json& got)> expected;
  std::function<void(const std::string& path, std::string_view what)> fail;
  std::function<void(const std::string& path, std::string_view what)> unknownKey;
};

// Reads the `wisp.egress` table `value` (at key path `path`) into `out`.
void readEgress(const nlohmann::json& value, const std::string& path, EgressSettings& out,
                const EgressConfigReport& report);

}  // namespace wisp::server
