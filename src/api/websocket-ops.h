// The ops behind a WebSocket end that JS handed to the runtime in a 101 response
// (js/websocket/websocket.js): what its peer sends goes to the client's connection through
// Host::webSocketSend / Host::webSocketClose (io/js-web-socket.h).
#pragma once

#include <string>

#include "js/lock.h"
#include "js/value.h"

namespace wisp::api {

struct WebSocketOps {
  // `data`: a string (a text message) or a Uint8Array (a binary one).
  static void webSocketSend(js::Lock& js, double id, js::Value data);
  // `code` 1005 sends a close frame without a code.
  static void webSocketClose(js::Lock& js, double id, double code, std::string reason);
};

}  // namespace wisp::api
