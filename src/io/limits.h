// Resource limits: plain configuration data. The counters live in RequestContext; enforcement
// happens in four places only: the Watchdog (CPU and wall time), the near-heap-limit callback
// and the counting ArrayBuffer allocator (js/isolate.cc), and RequestContext::newSubrequest().
#pragma once

#include <cstddef>
#include <cstdint>

namespace wisp::io {

struct Limits {
  double cpuMs = 30'000;              // CPU time per invocation (Workers' default for paid plans)
  double wallMs = 60'000;             // wall time per invocation, including waitUntil
  size_t heapBytes = 128u << 20;      // per isolate: V8 heap + ArrayBuffer backing stores
  uint32_t subrequests = 1000;        // per invocation
};

}  // namespace wisp::io
