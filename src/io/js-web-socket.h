// io::JsWebSocket: the runtime's handle on a WebSocket end that a Worker's JavaScript returned in
// a 101 response (`new Response(null, {status: 101, webSocket: client})`, js/websocket/). The
// server bridges it to the client's connection (server/websocket-session.h): what the client
// sends enters the Worker as events on the peer end, for the invocation that returned the
// response; what the peer end sends is queued here for the connection to take.
//
// The invocation lasts while the socket is open, and while it is, each entry into its JS (a
// message, a timer...) starts a fresh CPU and wall-time budget (Worker::enter): the limits apply
// per event, not to the socket's life; waiting for messages is not a wall-time breach.
// What JS sends and the client has not taken yet is capped at kMaxBufferedBytes: past it the
// connection is cut (JS cannot be slowed down: send() does not wait), so a client that does not
// read costs bounded memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "io/request-context.h"

namespace wisp::io {

class Worker;

struct WebSocketMessage {
  std::string data;
  bool text = true;  // a text message (UTF-8), else binary
};

// What the Worker sent for the client, in order.
struct WebSocketOutgoing {
  enum class Kind {
    message,
    close,  // a close frame with `code` (1005: without a code) and `reason`; nothing follows
    cut,    // end the connection at once (too much unsent data); `reason` says why
  };
  Kind kind = Kind::message;
  WebSocketMessage message;
  int code = 1005;
  std::string reason;
};

class JsWebSocket final : public std::enable_shared_from_this<JsWebSocket> {
 public:
  static constexpr size_t kMaxBufferedBytes = 16u << 20;

  // `id`: the end's id in JS (exportWebSocket). Counts as an open WebSocket of `ctx` from now on.
  JsWebSocket(std::weak_ptr<Worker> worker, boost::asio::io_context& ioc, std::shared_ptr<RequestContext> ctx,
              uint64_t id);
  // Never connected or never closed: JS gets a close event (1006) and the invocation may end.
  ~JsWebSocket();
  JsWebSocket(const JsWebSocket&) = delete;
  JsWebSocket& operator=(const JsWebSocket&) = delete;

  // ---- the connection's side ----

  // `wake` runs (posted, on the loop) whenever something is queued for the client; what was
  // queued before is there to take at once.
  void connect(std::function<void()> wake);
  // The next thing to send to the client, if any.
  std::optional<WebSocketOutgoing> take();
  // A message from the client: delivered into the Worker now.
  void receive(WebSocketMessage message);
  // The connection is over; JS gets a close event with these values. Runs once (later calls
  // and calls after abandon() do nothing).
  void closed(int code, std::string reason, bool clean);

  // ---- the Worker's side ----

  // From JS (the peer end's send() / close()).
  void send(WebSocketMessage message);
  void close(int code, std::string reason);
  // The Worker can no longer serve this socket (a limit ended the isolate, the Worker went):
  // the client gets a close frame with `code`; JS is not told.
  void abandon(int code, std::string reason);

  const RequestContext* context() const { return ctx_.get(); }
  uint64_t id() const { return id_; }

 private:
  void push(WebSocketOutgoing item);
  // The socket no longer keeps the invocation open.
  void release();

  std::weak_ptr<Worker> worker_;
  boost::asio::io_context& ioc_;
  std::shared_ptr<RequestContext> ctx_;
  uint64_t id_;
  std::deque<WebSocketOutgoing> queue_;
  size_t queuedBytes_ = 0;
  std::function<void()> wake_;
  bool outgoingDone_ = false;  // a close or a cut is queued: nothing more goes out
  bool released_ = false;
};

}  // namespace wisp::io
