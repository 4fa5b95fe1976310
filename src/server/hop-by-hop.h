// Hop-by-hop header fields describe one connection, not the request: a Worker never sees them.
#pragma once

#include <strings.h>

#include <string>

namespace wisp::server {

inline bool isHopByHop(const std::string& name) {
  static const char* const kHopByHop[] = {"connection", "keep-alive", "proxy-connection", "transfer-encoding",
                                          "te", "trailer", "upgrade"};
  for (const char* h : kHopByHop)
    if (strcasecmp(name.c_str(), h) == 0) return true;
  return false;
}

}  // namespace wisp::server
