#include "api/websocket-ops.h"

#include <cmath>

#include "api/host.h"
#include "js/error.h"

namespace wisp::api {
namespace {

uint64_t idFrom(double id) {
  if (!(id >= 1) || id != std::floor(id)) throw js::TypeError("Invalid WebSocket id.");
  return static_cast<uint64_t>(id);
}

}  // namespace

void WebSocketOps::webSocketSend(js::Lock& js, double id, js::Value data) {
  auto& host = Host::current(js);
  if (data.isString()) return host.webSocketSend(idFrom(id), js.toString(data), true);
  host.webSocketSend(idFrom(id), js.toBytes(data), false);
}

void WebSocketOps::webSocketClose(js::Lock& js, double id, double code, std::string reason) {
  if (!(code >= 1000 && code < 5000) || code != std::floor(code)) throw js::TypeError("Invalid WebSocket close code.");
  Host::current(js).webSocketClose(idFrom(id), static_cast<int>(code), std::move(reason));
}

// Hosts without a client to bridge to (test doubles): nothing leaves the isolate.
void Host::webSocketSend(uint64_t, std::string, bool) {}
void Host::webSocketClose(uint64_t, int, std::string) {}

}  // namespace wisp::api
