// WebSockets served by a Worker, as in Cloudflare Workers: a request with `Upgrade: websocket`
// reaches the Worker as a normal request (the Upgrade header visible); if it answers 101 with a
// `webSocket` (one end of a WebSocketPair), the server completes the handshake with Boost.Beast
// on that connection and bridges frames both ways between the client and that end
// (io/js-web-socket.h): text and binary messages, close frames with their code and reason; Beast
// answers pings. Any other answer is a normal HTTP response.
//
// Reusable by every server-side host of a Worker (the configured host, built-in embedded Workers):
// keep webSocketUpgradeOf(request) before handing the request on, fetch with
// Worker::FetchOptions::acceptWebSocket, and when the Worker's response carries a webSocket, give
// both to serveWebSocket() instead of sending the response (as server/host-workers.cc does).
//
// Limits (docs/websockets.md): a message from the client may be at most kMaxMessageBytes (1 MiB,
// as in Workers); a bigger one closes the socket with 1009 "Message is too large". A client that
// answers no ping for kIdleTimeout is taken as gone (the Worker sees 1006). What the Worker
// sends and the client has not read is capped (io::JsWebSocket::kMaxBufferedBytes); past it the
// connection is cut. A server shutdown closes each socket with 1001 and waits for the close
// handshake within the drain's grace period.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "io/http.h"
#include "server/http-server.h"

namespace wisp::server {

constexpr size_t kMaxMessageBytes = 1u << 20;
constexpr std::chrono::seconds kIdleTimeout{60};

// What the handshake needs of an upgrade request (the Worker gets the request itself).
struct WebSocketUpgrade {
  std::string method;
  std::string target;
  int version = 11;
  io::HeaderList headers;  // as the client sent them, hop-by-hop fields included
};

// The WebSocket upgrade `request` asks for (an `Upgrade` header naming websocket); nullopt if none.
std::optional<WebSocketUpgrade> webSocketUpgradeOf(const Request& request);

// Answers with a Worker's 101 response whose `webSocket` is set: completes the handshake on the
// connection (the response's headers, such as Sec-WebSocket-Protocol, go with it) and bridges the
// socket to that end until either side closes. Without an upgrade request, the client gets a 500
// and the end is closed in JS (1006), as workerd refuses such a response.
void serveWebSocket(std::optional<WebSocketUpgrade> upgrade, Responder responder, io::HttpResponse response);

}  // namespace wisp::server
