#include "server/websocket-session.h"

#include <strings.h>

#include <memory>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include "io/js-web-socket.h"
#include "server/hop-by-hop.h"
#include "server/host-workers.h"

namespace wisp::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

constexpr const char* kDisconnected = "WebSocket disconnected without sending Close frame.";
constexpr std::chrono::seconds kHandshakeTimeout{30};

bool hasToken(std::string_view list, std::string_view token) {
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string_view::npos) end = list.size();
    auto item = list.substr(start, end - start);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item.size() == token.size() && strncasecmp(item.data(), token.data(), token.size()) == 0) return true;
    start = end + 1;
  }
  return false;
}

// A close frame carries at most 123 bytes of reason; cut at a UTF-8 character boundary.
std::string closeReason(std::string reason) {
  if (reason.size() <= 123) return reason;
  size_t n = 123;
  while (n > 0 && (static_cast<unsigned char>(reason[n]) & 0xC0) == 0x80) n--;
  reason.resize(n);
  return reason;
}

// Response fields the handshake owns (Beast sets them) or that describe no WebSocket response.
bool isHandshakeField(const std::string& name) {
  for (const char* f : {"sec-websocket-accept", "content-length", "server"})
    if (strcasecmp(name.c_str(), f) == 0) return true;
  return isHopByHop(name);
}

// One bridged connection: the Beast stream on one side, the Worker's end on the other. Kept
// alive by its pending operations; the Worker's end keeps only a weak reference (its wake).
class WebSocketSession : public std::enable_shared_from_this<WebSocketSession> {
 public:
  WebSocketSession(std::unique_ptr<UpgradedConnection> connection, std::shared_ptr<io::JsWebSocket> end)
      : connection_(std::move(connection)), end_(std::move(end)) {}

  void start(const WebSocketUpgrade& upgrade, const io::HeaderList& responseHeaders) {
    std::weak_ptr<WebSocketSession> weak = weak_from_this();
    connection_->onStop([weak](UpgradedConnection::Stop how) {
      if (auto self = weak.lock()) self->stop(how);
    });
    if (!connection_->received.empty()) {
      // The client spoke before the switch: its frames cannot be told apart from the request.
      return finish(1002, "The client sent data before the WebSocket handshake completed.", false);
    }
    ws_.emplace(std::move(connection_->socket));
    websocket::stream_base::timeout timeouts;
    timeouts.handshake_timeout = kHandshakeTimeout;
    timeouts.idle_timeout = kIdleTimeout;
    timeouts.keep_alive_pings = true;  // a ping at half the idle time: a live client answers
    ws_->set_option(timeouts);
    ws_->read_message_max(kMaxMessageBytes);
    ws_->set_option(websocket::stream_base::decorator([responseHeaders](websocket::response_type& res) {
      res.erase(http::field::server);
      for (auto& [name, value] : responseHeaders)
        if (!isHandshakeField(name)) res.set(name, value);
    }));
    request_.method_string(upgrade.method);
    request_.target(upgrade.target);
    request_.version(static_cast<unsigned>(upgrade.version));
    for (auto& [name, value] : upgrade.headers) request_.insert(name, value);
    ws_->async_accept(request_, [self = shared_from_this()](error_code ec) { self->onAccepted(ec); });
  }

 private:
  void onAccepted(error_code ec) {
    if (done_) return;
    // Beast has answered a request it could not accept (400, or 426 for another version).
    if (ec) return finish(1006, cutReason_.value_or("The WebSocket handshake failed: " + ec.message()), false);
    accepted_ = true;
    std::weak_ptr<WebSocketSession> weak = weak_from_this();
    end_->connect([weak] {
      if (auto self = weak.lock()) self->pump();
    });
    read();
    pump();
  }

  // ---- from the client ----

  void read() {
    ws_->async_read(buffer_, [self = shared_from_this()](error_code ec, size_t) { self->onRead(ec); });
  }

  void onRead(error_code ec) {
    if (done_) return;
    if (!ec) {
      io::WebSocketMessage message{beast::buffers_to_string(buffer_.data()), ws_->got_text()};
      buffer_.consume(buffer_.size());
      end_->receive(std::move(message));  // enters the Worker now: the next read waits for it
      if (!done_) read();
      return;
    }
    if (ec == websocket::error::closed) return finishWithPeersClose();
    // Beast has sent the client a close frame with 1009.
    if (ec == websocket::error::message_too_big) return finish(1009, "Message is too large", false);
    // Our close frame is out: its completion reports the client's answer (the read may end first).
    if (closing_ && !cutReason_) return;
    finish(1006, cutReason_.value_or(kDisconnected), false);
  }

  // ---- to the client ----

  // Writes the next thing the Worker queued, one at a time.
  void pump() {
    if (done_ || busy_ || !ws_) return;
    if (drainPending_) {
      drainPending_ = false;
      return sendClose(1001, "The server is shutting down.");
    }
    auto item = end_->take();
    while (item && item->kind == io::WebSocketOutgoing::Kind::message && closing_)
      item = end_->take();  // after a close frame nothing more goes out
    if (!item) return;
    switch (item->kind) {
      case io::WebSocketOutgoing::Kind::message:
        busy_ = true;
        writing_ = std::move(item->message);
        ws_->text(writing_.text);
        ws_->async_write(asio::buffer(writing_.data), [self = shared_from_this()](error_code ec, size_t) {
          self->busy_ = false;
          self->writing_ = {};
          if (!ec) self->pump();  // on failure the pending read reports the end
        });
        return;
      case io::WebSocketOutgoing::Kind::close: return sendClose(item->code, std::move(item->reason));
      case io::WebSocketOutgoing::Kind::cut: return cut(std::move(item->reason));
    }
  }

  // The client answers with its own close frame; then the close handshake is complete.
  void sendClose(int code, std::string reason) {
    if (closing_ || done_) return;
    closing_ = true;
    busy_ = true;
    websocket::close_reason frame;
    if (code != 1005) frame.code = static_cast<websocket::close_code>(code);
    frame.reason = closeReason(std::move(reason));
    ws_->async_close(frame, [self = shared_from_this()](error_code ec) {
      self->busy_ = false;
      if (self->done_) return;
      if (!ec) return self->finishWithPeersClose();
      self->finish(1006, self->cutReason_.value_or(kDisconnected), false);
    });
  }

  // A clean end: the Worker's end gets the code and reason of the client's close frame.
  void finishWithPeersClose() {
    auto why = ws_->reason();
    int code = why.code == websocket::close_code::none ? 1005 : static_cast<int>(why.code);
    finish(code, std::string(why.reason.data(), why.reason.size()), true);
  }

  // Ends the connection at once; the pending operation reports the end with `reason`.
  void cut(std::string reason) {
    if (done_) return;
    if (!cutReason_) cutReason_ = std::move(reason);
    error_code ignored;
    if (ws_) beast::get_lowest_layer(*ws_).close(ignored);
    else finish(1006, *cutReason_, false);
  }

  void stop(UpgradedConnection::Stop how) {
    switch (how) {
      case UpgradedConnection::Stop::drain:
        if (!accepted_) return cut("The server is shutting down.");
        if (busy_) drainPending_ = true;
        else sendClose(1001, "The server is shutting down.");
        return;
      case UpgradedConnection::Stop::cut: return cut("The server stopped.");
      case UpgradedConnection::Stop::release:
        done_ = true;
        ws_.reset();
        connection_.reset();
        return;
    }
  }

  // The connection is over: the Worker's end gets its close event, the server its connection back.
  void finish(int code, std::string reason, bool clean) {
    if (done_) return;
    done_ = true;
    if (ws_) {
      error_code ignored;
      beast::get_lowest_layer(*ws_).close(ignored);
    }
    end_->closed(code, std::move(reason), clean);
    connection_.reset();
  }

  std::unique_ptr<UpgradedConnection> connection_;
  std::shared_ptr<io::JsWebSocket> end_;
  std::optional<websocket::stream<tcp::socket>> ws_;
  http::request<http::empty_body> request_;  // the upgrade request, for the handshake
  beast::flat_buffer buffer_;
  io::WebSocketMessage writing_;  // the message being written (owns its bytes)
  bool busy_ = false;             // a write or the close frame is in flight
  bool closing_ = false;          // the close frame has been sent (or is being sent)
  bool drainPending_ = false;     // the server shuts down: close once the current write is done
  bool accepted_ = false;         // the handshake is complete
  bool done_ = false;
  std::optional<std::string> cutReason_;
};

}  // namespace

std::optional<WebSocketUpgrade> webSocketUpgradeOf(const Request& request) {
  bool asked = false;
  for (auto& [name, value] : request.headers)
    if (strcasecmp(name.c_str(), "upgrade") == 0 && hasToken(value, "websocket")) asked = true;
  if (!asked) return std::nullopt;
  return WebSocketUpgrade{request.method, request.target, request.version, request.headers};
}

void serveWebSocket(std::optional<WebSocketUpgrade> upgrade, Responder responder, io::HttpResponse response) {
  auto end = std::move(response.webSocket);
  if (!upgrade) {
    logLine(nlohmann::json{{"type", "error"},
                           {"message", "Worker tried to return a WebSocket in a response to a request which did not "
                                       "contain the header \"Upgrade: websocket\"."}}
                .dump());
    responder.send(500, {{"content-type", "text/plain;charset=UTF-8"}}, "Internal Server Error\n");
    return;  // `end` goes: JS sees its close (1006)
  }
  auto take = [upgrade = std::move(*upgrade), headers = std::move(response.headers),
               end](std::unique_ptr<UpgradedConnection> connection) {
    if (!connection) return end->closed(1006, kDisconnected, false);
    auto session = std::make_shared<WebSocketSession>(std::move(connection), end);
    session->start(upgrade, headers);
  };
  if (!responder.upgrade(std::move(take))) responder.fail("the connection could not switch to the WebSocket protocol");
}

}  // namespace wisp::server
