// HttpServer: HTTP/1.1 in front of the runtime (Boost.Beast parses, Asio moves the bytes). It knows
// nothing of Workers: a Handler gets a Request (head + a body read on demand) and a Responder
// (status, headers, then body pieces as they come), both plain C++.
//
// Threads. `threads` event loops, each an io_context run by its own thread. One acceptor, on loop
// 0, hands every accepted socket to the next loop round-robin; the connection then lives on that
// loop for good, and so does its handler call. One acceptor rather than an SO_REUSEPORT listener
// per loop: the kernel spreads reuseport connections by a hash of the address pair, blind to how
// busy each loop is; closing one of those listeners resets the connections still queued on it, which
// breaks a graceful drain; and port 0 would need bind-then-rebind. Accepting is cheap next to
// running JavaScript, so the single acceptor is not the bottleneck.
//
// Connections. One request at a time per connection: the next request head is only read once the
// current response has been written and the current request body consumed (or discarded), so
// pipelined requests wait in the read buffer and their responses leave in order. Body and response
// can flow at the same time (an echo handler streams). While the handler works and the body is
// complete, a one-shot background read watches for the client going away (EOF or reset), as Go's
// net/http does: the Responder's cancel callback fires and later sends are no-ops.
//
// Errors. Malformed requests get 400 (HTTP versions other than 1.0 and 1.1 too), oversized heads
// 431, bodies over the limit 413 (also in the middle of a chunked body); each closes the
// connection. A handler that throws, calls fail(), or drops its Responder without finishing gets
// a generic 500 (nothing of the exception reaches the client; its text goes to the error log),
// or, if the response had already started, the connection is cut. Stalled reads and writes close
// the socket.
//
// Protocol switches. A handler may take the connection over instead of answering
// (Responder::upgrade, e.g. for a WebSocket, server/websocket-session.h): the socket is handed to
// it and the server writes nothing more on it, but still counts the connection, so a drain waits
// for it and tells its new owner to wind down (then, past the grace period, to stop at once).
//
// Threading contract for handlers: Request's body and the Responder must be used on the loop
// thread of their connection (Request::loop). Every callback they take runs later on that loop,
// never inside the call that registered it. Once the server is destroyed they may still be held
// and called: they do nothing, and their callbacks are dropped.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "io/http.h"

namespace wisp::server {

class Connection;
struct Exchange;

// One line of the access log, reported when a response is over (delivered or not).
struct AccessLogEntry {
  std::string_view method;  // "-" when the request head could not be parsed
  std::string_view target;  // the request-target as sent ("/path?query")
  int status = 0;           // 0 if no status line was sent
  uint64_t bytes = 0;       // response body bytes sent
  double durationMs = 0;    // from the end of the request head to the end of the response
  std::string_view remote;  // client IP address
  bool completed = false;   // false: cut short (client gone, timeout, stop, handler failure)
};

// The entry as one JSON object (no trailing newline), e.g. for a JSON-lines log on stderr.
std::string accessLogJson(const AccessLogEntry& entry);

struct HttpServerOptions {
  std::string address = "127.0.0.1";  // an IP address or a host name to resolve
  uint16_t port = 8787;                // 0: any free port (read it back with port())
  unsigned threads = 0;                // event loops; 0: one per hardware thread
  size_t maxHeaderBytes = 32 * 1024;   // request line + header fields; beyond: 431
  uint64_t maxBodyBytes = 100u << 20;  // request body, declared or streamed; beyond: 413
  // How long a connection may wait for a complete request head (a new connection, or between
  // keep-alive requests); then it is closed.
  std::chrono::milliseconds idleTimeout{30'000};
  std::chrono::milliseconds readTimeout{30'000};   // a body read that gets no data
  std::chrono::milliseconds writeTimeout{30'000};  // a write the client does not take
  int backlog = 1024;
  // Called on loop threads (several at once): must be thread-safe. Nothing is written to stdout.
  std::function<void(const AccessLogEntry&)> accessLog;
  std::function<void(std::string_view message)> errorLog;  // handler exceptions, accept errors
};

enum class BodyError {
  none,
  tooLarge,      // the body went over maxBodyBytes (the server has answered 413)
  malformed,     // bad chunked encoding (the server has answered 400)
  timeout,       // the client stopped sending (connection closed)
  disconnected,  // the client went away, or the server stopped
  unavailable,   // read after the response ended, or while another read is pending
};
std::string_view describe(BodyError error);

// One result of RequestBody::read: a piece of the body, the end (empty data, no error), or an
// error. `last`: the body is complete with this piece (the next read gets the end).
struct BodyChunk {
  std::string data;
  BodyError error = BodyError::none;
  bool last = false;
  bool end() const { return data.empty() && error == BodyError::none; }
};

// The request body, read from the socket only when asked (so a slow consumer slows the client
// down instead of buffering). A cheap handle; copies share the one stream.
class RequestBody {
 public:
  RequestBody() = default;

  // Whether the request has a body at all (a non-zero Content-Length, or chunked).
  bool present() const { return present_; }
  // The declared Content-Length, if any (a chunked body has none).
  std::optional<uint64_t> contentLength() const { return contentLength_; }

  // Reads the next piece, at most `maxBytes`. One read at a time.
  void read(std::function<void(BodyChunk)> callback, size_t maxBytes = 64 * 1024);
  // Reads to the end (bounded by maxBodyBytes) and hands over the whole body.
  void readAll(std::function<void(std::string body, BodyError error)> callback);
  // The whole body at once if it arrived with the head (a small request: all of it is in the
  // read buffer already, of a declared length); nullopt otherwise, or once reading has begun.
  std::optional<std::string> takeArrived();

 private:
  friend class Connection;
  RequestBody(std::shared_ptr<Connection> connection, uint64_t exchange, bool present,
              std::optional<uint64_t> contentLength);

  std::shared_ptr<Connection> connection_;
  uint64_t exchange_ = 0;
  bool present_ = false;
  std::optional<uint64_t> contentLength_;
};

struct Request {
  std::string method;
  std::string target;  // as sent: "/path?query" (or an absolute URL)
  std::string url;     // absolute: "http://" + Host + target
  int version = 11;    // 10 or 11
  io::HeaderList headers;  // in arrival order, names as sent, duplicates kept
  RequestBody body;
  boost::asio::io_context* loop = nullptr;  // this connection's event loop (the handler runs on it)
  std::string remoteAddress;                // client IP
  uint16_t remotePort = 0;
};

// A connection taken over after a protocol switch (Responder::upgrade). Use it on the
// connection's loop. Dropping it tells the server the connection is over (the socket is closed
// if its owner has not done so).
class UpgradedConnection {
 public:
  ~UpgradedConnection();
  UpgradedConnection(const UpgradedConnection&) = delete;
  UpgradedConnection& operator=(const UpgradedConnection&) = delete;

  // The socket, to be moved out and driven by the new owner.
  boost::asio::ip::tcp::socket socket;
  // What the client sent after the request head, already read from the socket (normally nothing:
  // a client waits for the switch before speaking the new protocol).
  std::string received;

  enum class Stop {
    drain,    // the server shuts down: close cleanly (the grace period runs)
    cut,      // the grace period is over: close now
    release,  // the server is being destroyed: drop the socket now, with no I/O
  };
  // How the server asks the owner to stop; runs on the connection's loop. Set once.
  void onStop(std::function<void(Stop)> callback);

 private:
  friend class Connection;
  UpgradedConnection(std::shared_ptr<Connection> connection, boost::asio::ip::tcp::socket socket, std::string received);
  std::shared_ptr<Connection> connection_;
};

// Sends one response: start() with the status and headers, then write() body pieces, then end().
// Without a valid Content-Length header the body goes out chunked (close-delimited for an
// HTTP/1.0 client); framing headers the handler sets (Transfer-Encoding, Connection, ...) are
// replaced by the server's own. Calls return false once the response can no longer be sent
// (client gone, already ended, or misuse) and then do nothing. A cheap handle; when the last
// copy is dropped before end(), the server finishes the exchange itself (500 or cut connection).
class Responder {
 public:
  Responder() = default;  // detached: every call returns false
  bool start(int status, io::HeaderList headers, std::string_view statusText = {});
  // `done(ok)` runs once the piece has been handed to the socket: wait for it to apply
  // backpressure. Bytes beyond a declared Content-Length are dropped.
  bool write(std::string data, std::function<void(bool ok)> done = {});
  bool end(std::function<void(bool ok)> done = {});
  // The whole response at once (sets Content-Length).
  bool send(int status, io::HeaderList headers, std::string body, std::string_view statusText = {});
  // The handler failed: a generic 500 if nothing was sent yet, else the connection is cut. `why`
  // goes to the error log (never to the client).
  void fail(std::string_view why = {});

  // Switches protocols: the handler writes the 101 response itself, on the socket handed to `take`
  // (later, on the loop, once no read of the server's is pending on it; with nullptr if the client
  // went away meanwhile). The exchange is logged with status 101. Only before start() and with
  // the request body fully read (an upgrade request has none); returns false otherwise.
  bool upgrade(std::function<void(std::unique_ptr<UpgradedConnection>)> take);

  // Runs once if this response will not be delivered as the handler wrote it: the client went
  // away, a timeout or stop() closed the connection, or the server answered in the handler's
  // place (413/400 on a broken body, 500 after fail()). Registered late, it runs at once (posted).
  // It should not capture this Responder: until the response ends, that copy would count as the
  // handler still holding it.
  void onCancel(std::function<void()> callback);

  bool started() const;
  bool finished() const;   // end() was called, or the server answered instead
  bool cancelled() const;  // the cancel callbacks have fired (or would have)

 private:
  friend class Connection;
  explicit Responder(std::shared_ptr<Exchange> exchange) : exchange_(std::move(exchange)) {}
  std::shared_ptr<Exchange> exchange_;
};

class HttpServer {
 public:
  using Handler = std::function<void(Request, Responder)>;

  HttpServer(HttpServerOptions options, Handler handler);
  ~HttpServer();  // stops at once if still running
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the loop threads. Throws std::system_error if the address cannot be
  // bound.
  void start();

  boost::asio::ip::tcp::endpoint endpoint() const;
  uint16_t port() const { return endpoint().port(); }

  // The event loops, for placing per-loop state (e.g. Workers) next to the connections.
  size_t loopCount() const;
  boost::asio::io_context& loop(size_t index);

  // Begins a graceful drain, from any thread (a signal handler's loop too): stop accepting, close
  // idle connections, let in-flight requests finish (their responses carry `Connection: close`),
  // and after `grace` cut whatever is left; then the loops stop. Calling it again with a zero
  // grace cuts at once.
  void shutdown(std::chrono::milliseconds grace);
  // Blocks until the loops have stopped. Not from a loop thread.
  void wait();
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(0)) {
    shutdown(grace);
    wait();
  }

  // SIGTERM and SIGINT begin shutdown(grace); a second signal cuts at once. `onSignal` (optional)
  // runs first, on loop 0. Call before start().
  void stopOnSignals(std::chrono::milliseconds grace, std::function<void(int signal)> onSignal = {});

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace wisp::server
