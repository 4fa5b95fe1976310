// The process's settings for outbound fetch() (wisp.egress in the config, egress flags of
// `wisp run`): the egress policy and the limits every outbound request gets.
#pragma once

#include <cstdint>

#include "io/outbound/egress-policy.h"

namespace wisp::io {

struct OutboundSettings {
  EgressPolicy policy;
  uint64_t maxResponseBytes = 100u << 20;  // a larger response body fails its read
  double timeoutMs = 30'000;               // first connect to last body byte, redirects included
  uint32_t maxRedirects = 20;              // the fetch standard's limit
};

}  // namespace wisp::io
