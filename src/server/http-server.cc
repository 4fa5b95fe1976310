// The HTTP/1.1 server: accept loop, connections, and the request/response handles. The header
// explains the threading and the error policy.
#include "server/http-server.h"

#include <atomic>
#include <cstdio>
#include <ctime>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <nlohmann/json.hpp>

namespace wisp::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::string_view kLastChunk = "0\r\n\r\n";
constexpr std::string_view kCrlf = "\r\n";
// After a response that closes the connection, unread request bytes are drained this long so the
// client is not hit by a reset (which can destroy the response in its receive buffer).
constexpr std::chrono::seconds kLinger{2};
constexpr size_t kMaxReadPiece = 1 << 20;
constexpr size_t kDiscardPiece = 64 * 1024;
constexpr size_t kMaxBeastRead = 64 * 1024;  // the most one Beast read asks the socket for

bool isTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool isToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!isTokenChar(c)) return false;
  return true;
}

// Field values and reason phrases: no control characters but tab (CR/LF would split the response).
bool isFieldText(std::string_view s) {
  for (unsigned char c : s)
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  return true;
}

// A Host header that can go into a URL as is: reg-name, IPv4 or [IPv6], optional port.
bool isHostValue(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("-._~%:[]").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

bool startsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && beast::iequals(s.substr(0, prefix.size()), prefix);
}

std::optional<uint64_t> parseLength(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + uint64_t(c - '0');
  }
  return v;
}

std::string hex(size_t n) {
  char buf[20];
  int len = std::snprintf(buf, sizeof buf, "%zx", n);
  return std::string(buf, size_t(len));
}

std::string_view reasonPhrase(int status) {
  switch (status) {  // RFC 9110 names where they changed since Beast's table
    case 413: return "Content Too Large";
    case 422: return "Unprocessable Content";
    default: break;
  }
  auto reason = http::obsolete_reason(http::int_to_status(unsigned(status)));
  if (reason.empty() || reason.front() == '<') return {};  // "<unknown-status>"
  return {reason.data(), reason.size()};
}

// IMF-fixdate, formatted by hand (strftime follows the locale); cached per thread and second.
const std::string& httpDate() {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  thread_local std::time_t cachedAt = -1;
  thread_local std::string cached;
  std::time_t now = std::time(nullptr);
  if (now != cachedAt) {
    std::tm t{};
    gmtime_r(&now, &t);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[t.tm_wday],
                  t.tm_mday, kMonths[t.tm_mon], t.tm_year + 1900, t.tm_hour, t.tm_min, t.tm_sec);
    cached = buf;
    cachedAt = now;
  }
  return cached;
}

// Framing and connection-scoped headers belong to the server, not to the handler.
bool isHopByHop(std::string_view name) {
  for (std::string_view h : {"connection", "keep-alive", "transfer-encoding", "upgrade",
                             "proxy-connection", "te", "trailer"})
    if (beast::iequals(name, h)) return true;
  return false;
}

bool isParseError(const error_code& ec) {
  if (ec.category() != http::make_error_code(http::error::bad_method).category()) return false;
  return ec != http::error::end_of_stream && ec != http::error::partial_message &&
         ec != http::error::short_read && ec != http::error::need_more &&
         ec != http::error::need_buffer;
}

}  // namespace

std::string_view describe(BodyError error) {
  switch (error) {
    case BodyError::none: return "none";
    case BodyError::tooLarge: return "request body too large";
    case BodyError::malformed: return "malformed request body";
    case BodyError::timeout: return "timed out reading the request body";
    case BodyError::disconnected: return "client disconnected";
    case BodyError::unavailable: return "request body unavailable";
  }
  return "unknown";
}

std::string accessLogJson(const AccessLogEntry& e) {
  nlohmann::json j = {{"method", e.method}, {"path", e.target},     {"status", e.status},
                      {"bytes", e.bytes},   {"ms", e.durationMs},   {"remote", e.remote},
                      {"completed", e.completed}};
  // Request targets are client bytes: never let invalid UTF-8 make the logger throw.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// ---- loops and the server's shared state ----

struct Loop {
  std::unordered_set<Connection*> connections;  // every live Connection of this loop
  // False once the server is torn down; shared so that a Connection a handler still holds
  // afterwards knows not to touch its loop.
  std::shared_ptr<std::atomic<bool>> alive = std::make_shared<std::atomic<bool>>(true);
  std::thread thread;
  asio::io_context ioc{1};  // after `connections`: destroyed first, while the set still exists
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
};

struct HttpServer::Impl {
  HttpServerOptions options;
  Handler handler;
  std::vector<std::unique_ptr<Loop>> loops;
  std::optional<tcp::acceptor> acceptor;  // on loop 0, like everything below
  std::optional<asio::steady_timer> acceptRetry;
  std::optional<asio::steady_timer> graceTimer;
  std::optional<asio::signal_set> signals;
  tcp::endpoint bound;
  size_t nextLoop = 0;
  bool started = false;
  bool shutdownBegun = false;  // loop 0 only
  bool stopping = false;       // loop 0 only
  int signalsSeen = 0;
  std::chrono::milliseconds signalGrace{0};
  std::function<void(int)> onSignal;
  std::atomic<bool> draining{false};
  std::atomic<size_t> openConnections{0};
  std::mutex joinMutex;

  void logError(std::string_view message) {
    if (!options.errorLog) return;
    try {
      options.errorLog(message);
    } catch (...) {
    }
  }
  void accept();
  void beginShutdown(std::chrono::milliseconds grace);
  void connectionClosed();
  void checkDrained();
  void cutAll();
  void stopLoops();
  void teardown();
  void waitForSignal();
};

// What the handler's Responder copies share. When the last copy goes, an unfinished response is
// finished by the server.
struct Exchange {
  std::shared_ptr<Connection> connection;
  uint64_t id = 0;
  bool started = false;
  bool finished = false;
  bool cancelled = false;
  std::vector<std::function<void()>> onCancel;

  Exchange(std::shared_ptr<Connection> c, uint64_t i) : connection(std::move(c)), id(i) {}
  ~Exchange();
};

// ---- one connection ----

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(HttpServer::Impl& server, Loop& loop, tcp::socket socket)
      : server_(server), loop_(loop), alive_(loop.alive), socket_(std::move(socket)),
        readTimer_(loop.ioc), writeTimer_(loop.ioc) {}
  ~Connection() {
    if (registered_ && *alive_) loop_.connections.erase(this);
  }

  bool alive() const { return *alive_; }
  asio::io_context& ioc() { return loop_.ioc; }

  // On the connection's loop (the constructor ran on the acceptor's).
  void start() {
    loop_.connections.insert(this);
    registered_ = true;
    error_code ec;
    socket_->set_option(tcp::no_delay(true), ec);
    auto remote = socket_->remote_endpoint(ec);
    if (ec) return closeSocket();
    remoteAddress_ = remote.address().to_string();
    remotePort_ = remote.port();
    auto local = socket_->local_endpoint(ec);
    if (!ec) {
      auto a = local.address();
      localHost_ = (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" +
                   std::to_string(local.port());
    }
    readHead();
  }

  // Server shutdown: an idle connection closes now; a busy one after its response; an upgraded
  // one when its owner has wound down.
  void drain() {
    if (phase_ == Phase::idle) closeSocket();
    if (phase_ == Phase::upgraded) stopUpgraded(UpgradedConnection::Stop::drain);
  }

  // Closes now. An unfinished exchange is cancelled; pending callbacks get `reason` / false.
  void abort(BodyError reason) {
    if (phase_ == Phase::closed) return;
    if (phase_ == Phase::upgrading) return handOver(false);
    if (phase_ == Phase::upgraded) return stopUpgraded(UpgradedConnection::Stop::cut);
    bool active = ex_.active;
    closeSocket();
    if (ex_.bodyCallback) {
      auto cb = std::exchange(ex_.bodyCallback, nullptr);
      postUser([cb = std::move(cb), reason] { cb(BodyChunk{{}, reason}); }, ex_.id);
    }
    if (ex_.bodyError == BodyError::none && active) ex_.bodyError = reason;
    for (auto& p : inflight_) postDone(std::move(p.done), false);
    for (auto& p : queue_) postDone(std::move(p.done), false);
    inflight_.clear();
    queue_.clear();
    if (active) {
      cancelExchange();
      logAccess(false);
      ex_.active = false;
    }
  }

  // After the server's loops have stopped and before their io_contexts go: drop the Asio objects
  // (their pending operations are destroyed with the io_context, never run).
  void release() {
    if (phase_ == Phase::upgraded) stopUpgraded(UpgradedConnection::Stop::release);
    upgradeTake_ = nullptr;
    stopHook_ = nullptr;
    closeSocket();
    // Callbacks that will never run may hold Responders (and so this connection): drop them.
    ex_.bodyCallback = nullptr;
    queue_.clear();
    inflight_.clear();
    if (auto e = exchange_.lock()) e->onCancel.clear();
    socket_.reset();
    readTimer_.reset();
    writeTimer_.reset();
  }

  // ---- for RequestBody ----

  void readBody(uint64_t id, size_t maxBytes, std::function<void(BodyChunk)> cb) {
    auto answer = [&](BodyChunk chunk) {
      postUser([cb = std::move(cb), chunk = std::move(chunk)]() mutable { cb(std::move(chunk)); },
               id);
    };
    if (ex_.id == id && ex_.bodyError != BodyError::none) return answer({{}, ex_.bodyError});
    if (phase_ == Phase::closed) return answer({{}, BodyError::disconnected});
    if (ex_.id != id || !ex_.active || ex_.bodyCallback || afterResponse_)
      return answer({{}, BodyError::unavailable});
    if (bodyDone_) return answer({});
    ex_.bodyCallback = std::move(cb);
    pieceSize_ = std::clamp<size_t>(maxBytes, 1, kMaxReadPiece);
    if (ex_.expectContinue && !ex_.continueSent && !ex_.started) {
      ex_.continueSent = true;
      enqueue(Piece{std::string(kContinue), {}, {}, nullptr, false});
    }
    readBodySome();
  }

  std::optional<std::string> takeArrivedBody(uint64_t id) {
    if (!isCurrent(id) || bodyDone_ || readPending_ || ex_.bodyCallback || afterResponse_) return std::nullopt;
    auto length = parser_->content_length();
    if (!length || *length > kMaxReadPiece || buffer_.size() < *length) return std::nullopt;
    std::string body(static_cast<size_t>(*length), '\0');
    auto& b = parser_->get().body();
    b.data = body.data();
    b.size = body.size();
    b.more = true;
    error_code ec;
    buffer_.consume(parser_->put(buffer_.data(), ec));
    if (ec == http::error::need_buffer) ec = {};
    if (ec || !parser_->is_done()) {
      bodyFailed(ec ? ec : http::error::partial_message);
      return std::nullopt;
    }
    bodyDone_ = true;
    watchForDisconnect();
    return body;
  }

  // ---- protocol switches (Responder::upgrade, UpgradedConnection) ----

  bool upgrade(uint64_t id, std::function<void(std::unique_ptr<UpgradedConnection>)> take) {
    if (!take || !isCurrent(id) || ex_.started || !bodyDone_ || readPending_ || writing_ || !queue_.empty())
      return false;
    ex_.started = true;
    ex_.ended = true;
    ex_.status = 101;
    if (auto e = exchange_.lock()) {
      e->started = true;
      e->finished = true;
      e->onCancel.clear();  // never fire: the exchange is the new owner's now
    }
    phase_ = Phase::upgrading;
    upgradeTake_ = std::move(take);
    disarmReadTimer();
    disarmWriteTimer();
    if (bgReadPending_) {
      // Its completion (onBackgroundRead) hands the socket over, with anything it read.
      error_code ignored;
      socket_->cancel(ignored);
      return true;
    }
    asio::post(loop_.ioc, [self = shared_from_this()] { self->handOver(true); });
    return true;
  }

  void setStopHook(std::function<void(UpgradedConnection::Stop)> hook) {
    stopHook_ = std::move(hook);
    // A drain that began while the socket was being handed over.
    if (server_.draining && phase_ == Phase::upgraded)
      postUser([self = shared_from_this()] { self->stopUpgraded(UpgradedConnection::Stop::drain); });
  }

  // The new owner is done with the connection.
  void upgradeEnded() { closeSocket(); }

  // ---- for Responder ----

  bool startResponse(uint64_t id, int status, io::HeaderList headers, std::string_view reason) {
    if (!isCurrent(id) || ex_.started) return false;
    if (status < 200 || status > 999) {
      failResponse(id, "handler error: invalid response status " + std::to_string(status));
      return false;
    }
    for (auto& [name, value] : headers) {
      if (!isToken(name) || !isFieldText(value)) {
        failResponse(id, "handler error: invalid response header '" + name + "'");
        return false;
      }
    }
    if (!isFieldText(reason)) reason = {};
    if (reason.empty()) reason = reasonPhrase(status);

    std::optional<uint64_t> length;
    bool badLength = false;
    bool hasDate = false;
    for (auto& [name, value] : headers) {
      if (beast::iequals(name, "content-length")) {
        auto v = parseLength(value);
        if (!v || (length && *length != *v)) badLength = true;
        else length = v;
      } else if (beast::iequals(name, "date")) {
        hasDate = true;
      }
    }
    if (badLength || status == 204) length.reset();

    ex_.started = true;
    ex_.status = status;
    ex_.bodyAllowed = status != 204 && status != 304 && ex_.method != "HEAD";
    ex_.contentLength = length;
    ex_.chunked = ex_.bodyAllowed && !length && ex_.version == 11;
    if (ex_.bodyAllowed && !length && ex_.version == 10) ex_.keepAlive = false;  // close-delimited
    // The client may still be waiting to send the body we never asked for: don't reuse.
    if (ex_.expectContinue && !ex_.continueSent && !bodyDone_) ex_.keepAlive = false;
    if (server_.draining) ex_.keepAlive = false;
    if (auto e = exchange_.lock()) e->started = true;

    std::string head = "HTTP/1.1 " + std::to_string(status) + " ";
    head += reason;
    head += kCrlf;
    for (auto& [name, value] : headers) {
      if (isHopByHop(name) || beast::iequals(name, "content-length")) continue;
      head += name;
      head += ": ";
      head += value;
      head += kCrlf;
    }
    if (!hasDate) head += "date: " + httpDate() + "\r\n";
    if (length) head += "content-length: " + std::to_string(*length) + "\r\n";
    if (ex_.chunked) head += "transfer-encoding: chunked\r\n";
    if (!ex_.keepAlive) head += "connection: close\r\n";
    else if (ex_.version == 10) head += "connection: keep-alive\r\n";
    head += kCrlf;
    enqueue(Piece{std::move(head), {}, {}, nullptr, false});
    return true;
  }

  bool writeBody(uint64_t id, std::string data, std::function<void(bool)> done) {
    if (!isCurrent(id) || !ex_.started || ex_.ended) {
      postDone(std::move(done), false);
      return false;
    }
    if (!ex_.bodyAllowed) data.clear();  // HEAD, 204, 304: the body is not sent
    if (ex_.contentLength && data.size() > *ex_.contentLength - ex_.bytesSent) {
      if (!ex_.overflowLogged)
        server_.logError("handler error: response body longer than its Content-Length; the excess "
                         "was dropped (" + ex_.method + " " + ex_.target + ")");
      ex_.overflowLogged = true;
      data.resize(size_t(*ex_.contentLength - ex_.bytesSent));
    }
    if (data.empty()) {
      postDone(std::move(done), true);
      return true;
    }
    ex_.bytesSent += data.size();
    Piece p{{}, std::move(data), {}, std::move(done), false};
    if (ex_.chunked) {
      p.head = hex(p.data.size()) + "\r\n";
      p.tail = kCrlf;
    }
    enqueue(std::move(p));
    return true;
  }

  bool endResponse(uint64_t id, std::function<void(bool)> done) {
    if (!isCurrent(id) || !ex_.started || ex_.ended) {
      postDone(std::move(done), false);
      return false;
    }
    ex_.ended = true;
    if (auto e = exchange_.lock()) e->finished = true;
    if (ex_.bodyAllowed && ex_.contentLength && ex_.bytesSent < *ex_.contentLength) {
      // The client would wait for the missing bytes: the connection must end with the response.
      server_.logError("handler error: response body shorter than its Content-Length (" +
                       ex_.method + " " + ex_.target + ")");
      ex_.truncated = true;
    }
    enqueue(Piece{{}, {}, ex_.chunked ? kLastChunk : std::string_view(), std::move(done), true});
    return true;
  }

  void failResponse(uint64_t id, std::string_view why) {
    if (!isCurrent(id) || ex_.ended) return;
    server_.logError(std::string(why) + " (" + ex_.method + " " + ex_.target + ")");
    if (!ex_.started) answer(500);
    else abort(BodyError::disconnected);
  }

  template <typename F>
  void invokeUser(uint64_t id, F&& f) {
    try {
      f();
    } catch (const std::exception& e) {
      callbackFailed(id, std::string("handler callback threw: ") + e.what());
    } catch (...) {
      callbackFailed(id, "handler callback threw a non-standard exception");
    }
  }

  void callbackFailed(uint64_t id, const std::string& why) {
    if (isCurrent(id) && !ex_.ended) failResponse(id, why);
    else server_.logError(why);
  }

  void abandoned(uint64_t id) {
    failResponse(id, "handler error: the Responder was dropped before the response ended");
  }

  // Runs a handler callback later on the loop. If it throws, exchange `id` fails like a throwing
  // handler (0: no exchange to fail, the error is only logged).
  void postUser(std::function<void()> fn, uint64_t id = 0) {
    if (!*alive_) return;  // the server is gone: nobody runs callbacks any more
    asio::post(loop_.ioc, [self = shared_from_this(), fn = std::move(fn), id] {
      self->invokeUser(id, fn);
    });
  }

 private:
  // upgrading: the socket is being handed over (Responder::upgrade); upgraded: it has been.
  enum class Phase { idle, exchange, closing, closed, upgrading, upgraded };

  struct Piece {
    std::string head;
    std::string data;
    std::string_view tail;  // static text only
    std::function<void(bool)> done;
    bool last = false;  // the end of a response
  };

  // Per-request state, reset with every request head.
  struct ExchangeState {
    uint64_t id = 0;
    bool active = false;  // from the request head until the response is written or cut
    std::string method;
    std::string target;
    int version = 11;
    bool keepAlive = false;
    bool expectContinue = false;
    bool continueSent = false;
    BodyError bodyError = BodyError::none;
    std::function<void(BodyChunk)> bodyCallback;  // the handler's pending read
    bool started = false;
    bool ended = false;
    bool bodyAllowed = true;
    bool chunked = false;
    bool truncated = false;
    bool overflowLogged = false;
    bool logged = false;
    std::optional<uint64_t> contentLength;
    uint64_t bytesSent = 0;
    int status = 0;
    SteadyClock::time_point began;
  };

  bool isCurrent(uint64_t id) const {
    return phase_ != Phase::closed && ex_.active && ex_.id == id;
  }

  // ---- reading requests ----

  void readHead() {
    phase_ = Phase::idle;
    if (server_.draining) return closeSocket();
    parser_.emplace();
    parser_->header_limit(uint32_t(std::min<size_t>(server_.options.maxHeaderBytes, UINT32_MAX)));
    parser_->body_limit(server_.options.maxBodyBytes);
    bodyDone_ = false;
    discard_ = false;
    armReadTimer(server_.options.idleTimeout);
    readPending_ = true;
    http::async_read_header(*socket_, buffer_, *parser_,
                            [self = shared_from_this()](error_code ec, size_t) {
                              self->readPending_ = false;
                              self->onHead(ec);
                            });
  }

  void onHead(error_code ec) {
    disarmReadTimer();
    if (phase_ == Phase::closed) return;
    if (ec == http::error::header_limit) return reject(431);
    if (ec == http::error::body_limit) return reject(413);
    if (isParseError(ec)) return reject(400);
    if (ec) return closeSocket();  // EOF between requests, reset, timeout

    auto& msg = parser_->get();
    beginExchange();
    ex_.method = std::string(msg.method_string());
    ex_.target = std::string(msg.target());
    ex_.version = int(msg.version());  // 10 or 11: Beast rejects other versions (400)

    // Only "chunked" alone is understood; anything else could desynchronise the framing.
    size_t teCount = msg.count(http::field::transfer_encoding);
    if (teCount > 0 && (teCount > 1 || !parser_->chunked() ||
                        !beast::iequals(msg[http::field::transfer_encoding], "chunked")))
      return answer(400);

    size_t hosts = msg.count(http::field::host);
    if (hosts > 1 || (hosts == 0 && ex_.version == 11)) return answer(400);
    std::string host = hosts ? std::string(msg[http::field::host]) : localHost_;
    if (!isHostValue(host)) return answer(400);

    Request request;
    if (!ex_.target.empty() && ex_.target.front() == '/') {
      request.url = "http://" + host + ex_.target;
    } else if (startsWithNoCase(ex_.target, "http://") || startsWithNoCase(ex_.target, "https://")) {
      request.url = ex_.target;  // absolute-form wins over Host (RFC 9112 §3.2.2)
    } else {
      return answer(400);  // authority-form (CONNECT) and asterisk-form are not served
    }

    ex_.keepAlive = msg.keep_alive();
    ex_.expectContinue = ex_.version == 11 && msg.count(http::field::expect) > 0 &&
                         beast::iequals(msg[http::field::expect], "100-continue");
    bodyDone_ = parser_->is_done();
    request.method = ex_.method;
    request.target = ex_.target;
    request.version = ex_.version;
    request.headers.reserve(size_t(std::distance(msg.begin(), msg.end())));
    for (auto& field : msg)
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    std::optional<uint64_t> length;
    if (auto cl = parser_->content_length()) length = *cl;
    request.body = RequestBody(shared_from_this(), ex_.id, !bodyDone_, length);
    request.loop = &loop_.ioc;
    request.remoteAddress = remoteAddress_;
    request.remotePort = remotePort_;

    auto exchange = std::make_shared<Exchange>(shared_from_this(), ex_.id);
    exchange_ = exchange;
    watchForDisconnect();
    uint64_t id = ex_.id;
    try {
      server_.handler(std::move(request), Responder(std::move(exchange)));
    } catch (const std::exception& e) {
      failResponse(id, std::string("handler threw: ") + e.what());
    } catch (...) {
      failResponse(id, "handler threw a non-standard exception");
    }
  }

  void beginExchange() {
    ex_ = ExchangeState{};
    ex_.id = ++exchangeCount_;
    ex_.active = true;
    ex_.began = SteadyClock::now();
    exchange_.reset();
    phase_ = Phase::exchange;
  }

  // A request the server answers itself, without calling the handler; the connection ends after.
  void reject(int status) {
    beginExchange();
    auto& msg = parser_->get();
    ex_.method = std::string(msg.method_string());
    ex_.target = std::string(msg.target());
    answer(status);
  }

  // The server answers in the handler's place (or without one) with a generic text body.
  void answer(int status) {
    if (status != 500) ex_.keepAlive = false;  // the request stream can't be trusted any more
    if (ex_.expectContinue && !ex_.continueSent && !bodyDone_) ex_.keepAlive = false;
    if (server_.draining) ex_.keepAlive = false;
    std::string body(reasonPhrase(status));
    ex_.started = true;
    ex_.ended = true;
    ex_.status = status;
    ex_.bodyAllowed = ex_.method != "HEAD";
    std::string head = "HTTP/1.1 " + std::to_string(status) + " " + body + "\r\n";
    head += "content-type: text/plain; charset=utf-8\r\n";
    head += "content-length: " + std::to_string(body.size()) + "\r\n";
    head += "date: " + httpDate() + "\r\n";
    if (!ex_.keepAlive) head += "connection: close\r\n";
    head += kCrlf;
    if (!ex_.bodyAllowed) body.clear();
    ex_.bytesSent = body.size();
    cancelExchange();
    enqueue(Piece{std::move(head), std::move(body), {}, nullptr, true});
  }

  // ---- the request body ----

  void readBodySome() {
    bodyBuf_.resize(discard_ ? kDiscardPiece : pieceSize_);
    // Beast reads no more than the read buffer's free capacity: without room, a body arrives in
    // pieces of a few hundred bytes, each a separate read (and a separate trip into the Worker).
    buffer_.reserve(buffer_.size() + std::min<size_t>(bodyBuf_.size(), kMaxBeastRead));
    auto& b = parser_->get().body();
    b.data = bodyBuf_.data();
    b.size = bodyBuf_.size();
    b.more = true;
    armReadTimer(server_.options.readTimeout);
    readPending_ = true;
    http::async_read_some(*socket_, buffer_, *parser_,
                          [self = shared_from_this()](error_code ec, size_t) {
                            self->readPending_ = false;
                            self->onBodyRead(ec);
                          });
  }

  void onBodyRead(error_code ec) {
    if (phase_ == Phase::closed) return;
    if (phase_ == Phase::closing) return ec ? closeSocket() : linger();
    disarmReadTimer();
    if (ec == http::error::need_buffer) ec = {};
    size_t got = bodyBuf_.size() - parser_->get().body().size;
    if (ec) return bodyFailed(ec);
    if (parser_->is_done()) {
      bodyDone_ = true;
      buffer_.shrink_to_fit();  // an idle keep-alive connection keeps no body-sized buffer
    }
    if (afterResponse_) return continueAfterResponse();
    if (discard_) {
      if (bodyDone_) return readHead();
      return readBodySome();
    }
    if (got == 0 && !bodyDone_) return readBodySome();
    bodyBuf_.resize(got);
    auto cb = std::exchange(ex_.bodyCallback, nullptr);
    if (bodyDone_) watchForDisconnect();
    if (!cb) return;
    uint64_t id = ex_.id;
    invokeUser(id, [&] { cb(BodyChunk{std::move(bodyBuf_), BodyError::none, bodyDone_}); });
  }

  void bodyFailed(error_code ec) {
    if (afterResponse_ || discard_) return closeSocket();  // the response is out already
    BodyError error = BodyError::disconnected;
    if (ec == http::error::body_limit) error = BodyError::tooLarge;
    else if (isParseError(ec)) error = BodyError::malformed;
    if (error == BodyError::disconnected) return abort(error);
    ex_.bodyError = error;
    ex_.keepAlive = false;
    auto cb = std::exchange(ex_.bodyCallback, nullptr);
    uint64_t id = ex_.id;
    if (!ex_.started) {
      if (auto e = exchange_.lock()) e->finished = true;
      answer(error == BodyError::tooLarge ? 413 : 400);
    }
    if (cb) invokeUser(id, [&] { cb(BodyChunk{{}, error}); });
  }

  // With the body fully read and the handler still working, a read notices the client leaving.
  void watchForDisconnect() {
    if (bgReadPending_ || readPending_ || phase_ != Phase::exchange || !bodyDone_ ||
        buffer_.size() > 0)
      return;
    bgReadPending_ = true;
    socket_->async_read_some(buffer_.prepare(4096),
                             [self = shared_from_this()](error_code ec, size_t n) {
                               self->bgReadPending_ = false;
                               self->onBackgroundRead(ec, n);
                             });
  }

  void onBackgroundRead(error_code ec, size_t n) {
    if (phase_ == Phase::upgrading) {
      if (!ec) buffer_.commit(n);
      return handOver(!ec || ec == asio::error::operation_aborted);
    }
    if (phase_ == Phase::closed) return;
    if (phase_ == Phase::closing) return ec ? closeSocket() : linger();
    if (ec) {
      if (ex_.active) return abort(BodyError::disconnected);
      return closeSocket();
    }
    buffer_.commit(n);  // the next (pipelined) request has begun; it waits in the buffer
    if (afterResponse_) continueAfterResponse();
  }

  // ---- writing ----

  void enqueue(Piece piece) {
    queue_.push_back(std::move(piece));
    if (!writing_) flush();
  }

  void flush() {
    if (queue_.empty() || phase_ == Phase::closed) return;
    inflight_.clear();
    while (!queue_.empty()) {
      inflight_.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    buffers_.clear();
    for (auto& p : inflight_) {
      if (!p.head.empty()) buffers_.emplace_back(p.head.data(), p.head.size());
      if (!p.data.empty()) buffers_.emplace_back(p.data.data(), p.data.size());
      if (!p.tail.empty()) buffers_.emplace_back(p.tail.data(), p.tail.size());
    }
    writing_ = true;
    armWriteTimer();
    asio::async_write(*socket_, buffers_, [self = shared_from_this()](error_code ec, size_t) {
      self->onWritten(ec);
    });
  }

  void onWritten(error_code ec) {
    writing_ = false;
    disarmWriteTimer();
    if (phase_ == Phase::closed) return;
    if (ec) return abort(BodyError::disconnected);
    auto done = std::move(inflight_);
    inflight_.clear();
    bool last = false;
    uint64_t id = ex_.id;
    for (auto& p : done) {
      last = last || p.last;
      if (p.done) invokeUser(id, [&] { p.done(true); });
    }
    if (phase_ == Phase::closed) return;
    if (last) return finishExchange();
    flush();
  }

  // The response is on the wire: log it, then close or go on to the next request.
  void finishExchange() {
    logAccess(true);
    ex_.active = false;
    if (auto e = exchange_.lock()) {
      e->finished = true;
      e->onCancel.clear();  // delivered: they can never fire, and may hold the Responder
    }
    if (ex_.bodyCallback) {
      auto cb = std::exchange(ex_.bodyCallback, nullptr);
      postUser([cb = std::move(cb)] { cb(BodyChunk{{}, BodyError::unavailable}); }, ex_.id);
    }
    if (ex_.truncated) return closeSocket();
    if (!ex_.keepAlive || server_.draining) return closeGracefully();
    afterResponse_ = true;
    if (bgReadPending_) {
      phase_ = Phase::idle;  // idle from now on: waiting for the client's next bytes
      armReadTimer(server_.options.idleTimeout);
      return;
    }
    if (readPending_) return;  // a body read is in flight; its completion continues
    continueAfterResponse();
  }

  void continueAfterResponse() {
    afterResponse_ = false;
    disarmReadTimer();
    if (!ex_.keepAlive || server_.draining) return closeGracefully();
    if (!bodyDone_) {
      discard_ = true;  // the handler did not read it all: skip the rest, bounded by the limit
      return readBodySome();
    }
    readHead();
  }

  // ---- handing the socket over ----

  void handOver(bool ok) {
    if (phase_ != Phase::upgrading) return;
    auto take = std::exchange(upgradeTake_, nullptr);
    if (!ok) {  // the client went away (or the server stopped) first
      logAccess(false);
      ex_.active = false;
      closeSocket();
      postUser([take = std::move(take)] { take(nullptr); });
      return;
    }
    logAccess(true);
    ex_.active = false;
    std::string received(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    buffer_.consume(buffer_.size());
    phase_ = Phase::upgraded;
    std::unique_ptr<UpgradedConnection> upgraded(
        new UpgradedConnection(shared_from_this(), std::move(*socket_), std::move(received)));
    invokeUser(0, [&] { take(std::move(upgraded)); });
  }

  void stopUpgraded(UpgradedConnection::Stop how) {
    if (!stopHook_) return;
    auto hook = stopHook_;
    invokeUser(0, [&] { hook(how); });
  }

  // ---- closing ----

  // Sends FIN, then reads and drops what the client still sends until it closes too (or the
  // linger time is up). A read already in flight takes over the lingering when it completes.
  void closeGracefully() {
    phase_ = Phase::closing;
    error_code ignored;
    socket_->shutdown(tcp::socket::shutdown_send, ignored);
    armReadTimer(kLinger);
    if (!readPending_ && !bgReadPending_) linger();
  }

  void linger() {
    bodyBuf_.resize(kDiscardPiece);
    socket_->async_read_some(asio::buffer(bodyBuf_),
                             [self = shared_from_this()](error_code ec, size_t) {
                               if (self->phase_ == Phase::closed) return;
                               if (ec) return self->closeSocket();
                               self->linger();
                             });
  }

  void closeSocket() {
    if (phase_ == Phase::closed) return;
    phase_ = Phase::closed;
    error_code ignored;
    if (socket_) socket_->close(ignored);
    if (readTimer_) readTimer_->cancel();
    if (writeTimer_) writeTimer_->cancel();
    server_.connectionClosed();
  }

  void cancelExchange() {
    auto e = exchange_.lock();
    if (!e || e->cancelled) return;
    e->cancelled = true;
    e->finished = true;
    for (auto& cb : e->onCancel) postUser(std::move(cb), e->id);
    e->onCancel.clear();
  }

  // ---- timers: a generation number tells a stale expiry from a live one ----

  void armReadTimer(std::chrono::steady_clock::duration d) {
    uint64_t gen = ++readGen_;
    readTimer_->expires_after(d);
    readTimer_->async_wait([self = shared_from_this(), gen](error_code ec) {
      if (ec || gen != self->readGen_ || self->phase_ == Phase::closed) return;
      if (self->ex_.active) return self->abort(BodyError::timeout);
      self->closeSocket();
    });
  }
  void disarmReadTimer() {
    ++readGen_;
    if (readTimer_) readTimer_->cancel();
  }
  void armWriteTimer() {
    uint64_t gen = ++writeGen_;
    writeTimer_->expires_after(server_.options.writeTimeout);
    writeTimer_->async_wait([self = shared_from_this(), gen](error_code ec) {
      if (ec || gen != self->writeGen_ || self->phase_ == Phase::closed) return;
      self->abort(BodyError::timeout);
    });
  }
  void disarmWriteTimer() {
    ++writeGen_;
    if (writeTimer_) writeTimer_->cancel();
  }

  // ---- helpers ----


  void postDone(std::function<void(bool)> done, bool ok) {
    if (done) postUser([done = std::move(done), ok] { done(ok); }, ex_.id);
  }

  void logAccess(bool completed) {
    if (ex_.logged || !server_.options.accessLog) return;
    ex_.logged = true;
    AccessLogEntry entry;
    entry.method = ex_.method.empty() ? std::string_view("-") : std::string_view(ex_.method);
    entry.target = ex_.target;
    entry.status = ex_.started ? ex_.status : 0;
    entry.bytes = ex_.bytesSent;
    entry.durationMs =
        std::chrono::duration<double, std::milli>(SteadyClock::now() - ex_.began).count();
    entry.remote = remoteAddress_;
    entry.completed = completed;
    try {
      server_.options.accessLog(entry);
    } catch (...) {
    }
  }

  HttpServer::Impl& server_;
  Loop& loop_;
  std::shared_ptr<std::atomic<bool>> alive_;
  bool registered_ = false;
  std::optional<tcp::socket> socket_;
  std::optional<asio::steady_timer> readTimer_;
  std::optional<asio::steady_timer> writeTimer_;
  uint64_t readGen_ = 0;
  uint64_t writeGen_ = 0;
  Phase phase_ = Phase::idle;
  std::string remoteAddress_;
  uint16_t remotePort_ = 0;
  std::string localHost_ = "localhost";

  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::buffer_body>> parser_;
  std::string bodyBuf_;
  size_t pieceSize_ = 64 * 1024;
  bool readPending_ = false;    // a parser read (head or body)
  bool bgReadPending_ = false;  // the disconnect watch
  bool bodyDone_ = false;
  bool discard_ = false;        // skipping an unread body after the response
  bool afterResponse_ = false;  // the response is done; continue once pending reads settle

  std::deque<Piece> queue_;
  std::vector<Piece> inflight_;
  std::vector<asio::const_buffer> buffers_;
  bool writing_ = false;

  uint64_t exchangeCount_ = 0;
  ExchangeState ex_;
  std::weak_ptr<Exchange> exchange_;

  std::function<void(std::unique_ptr<UpgradedConnection>)> upgradeTake_;
  std::function<void(UpgradedConnection::Stop)> stopHook_;
};

// ---- UpgradedConnection ----

UpgradedConnection::UpgradedConnection(std::shared_ptr<Connection> connection, tcp::socket s, std::string r)
    : socket(std::move(s)), received(std::move(r)), connection_(std::move(connection)) {}

UpgradedConnection::~UpgradedConnection() {
  error_code ignored;
  socket.close(ignored);
  if (connection_->alive()) connection_->upgradeEnded();
}

void UpgradedConnection::onStop(std::function<void(Stop)> callback) {
  if (connection_->alive()) connection_->setStopHook(std::move(callback));
}

Exchange::~Exchange() {
  if (finished || !connection || !connection->alive()) return;
  auto& ioc = connection->ioc();
  asio::post(ioc, [c = std::move(connection), id = id] { c->abandoned(id); });
}

// ---- RequestBody ----

RequestBody::RequestBody(std::shared_ptr<Connection> connection, uint64_t exchange, bool present,
                         std::optional<uint64_t> contentLength)
    : connection_(std::move(connection)), exchange_(exchange), present_(present),
      contentLength_(contentLength) {}

void RequestBody::read(std::function<void(BodyChunk)> callback, size_t maxBytes) {
  if (!callback) return;
  if (!connection_) {
    // A default-constructed body (a Request made by hand): empty. No loop to post to, so answer
    // at once; only tests build these.
    callback(BodyChunk{});
    return;
  }
  connection_->readBody(exchange_, maxBytes, std::move(callback));
}

namespace {
struct ReadAll : std::enable_shared_from_this<ReadAll> {
  RequestBody body;
  std::string data;
  std::function<void(std::string, BodyError)> done;

  void next() {
    body.read(
        [self = shared_from_this()](BodyChunk chunk) {
          if (chunk.error != BodyError::none) return self->done({}, chunk.error);
          if (chunk.end()) return self->done(std::move(self->data), BodyError::none);
          self->data += chunk.data;
          self->next();
        },
        256 * 1024);
  }
};
}  // namespace

std::optional<std::string> RequestBody::takeArrived() {
  if (!connection_ || !present_) return std::nullopt;
  return connection_->takeArrivedBody(exchange_);
}

void RequestBody::readAll(std::function<void(std::string, BodyError)> callback) {
  if (!callback) return;
  auto op = std::make_shared<ReadAll>();
  op->body = *this;
  if (contentLength_) op->data.reserve(size_t(std::min<uint64_t>(*contentLength_, 1 << 20)));
  op->done = std::move(callback);
  op->next();
}

// ---- Responder ----

bool Responder::start(int status, io::HeaderList headers, std::string_view statusText) {
  return exchange_ &&
         exchange_->connection->startResponse(exchange_->id, status, std::move(headers), statusText);
}

bool Responder::write(std::string data, std::function<void(bool)> done) {
  if (!exchange_) return false;
  return exchange_->connection->writeBody(exchange_->id, std::move(data), std::move(done));
}

bool Responder::end(std::function<void(bool)> done) {
  if (!exchange_) return false;
  return exchange_->connection->endResponse(exchange_->id, std::move(done));
}

bool Responder::send(int status, io::HeaderList headers, std::string body,
                     std::string_view statusText) {
  std::erase_if(headers, [](auto& h) { return beast::iequals(h.first, "content-length"); });
  headers.emplace_back("content-length", std::to_string(body.size()));
  if (!start(status, std::move(headers), statusText)) return false;
  write(std::move(body));
  return end();
}

void Responder::fail(std::string_view why) {
  if (!exchange_) return;
  exchange_->connection->failResponse(
      exchange_->id, why.empty() ? std::string("handler reported a failure") : "handler failed: " + std::string(why));
}

bool Responder::upgrade(std::function<void(std::unique_ptr<UpgradedConnection>)> take) {
  return exchange_ && exchange_->connection->upgrade(exchange_->id, std::move(take));
}

void Responder::onCancel(std::function<void()> callback) {
  if (!exchange_ || !callback) return;
  if (exchange_->cancelled)
    return exchange_->connection->postUser(std::move(callback), exchange_->id);
  exchange_->onCancel.push_back(std::move(callback));
}

bool Responder::started() const { return exchange_ && exchange_->started; }
bool Responder::finished() const { return exchange_ && exchange_->finished; }
bool Responder::cancelled() const { return exchange_ && exchange_->cancelled; }

// ---- HttpServer ----

void HttpServer::Impl::accept() {
  Loop& target = *loops[nextLoop++ % loops.size()];
  acceptor->async_accept(target.ioc, [this, &target](error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
    if (ec) {
      // Out of descriptors or memory: back off instead of spinning on the same error.
      if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
          ec == asio::error::no_memory) {
        logError("accept failed: " + ec.message());
        acceptRetry->expires_after(std::chrono::milliseconds(100));
        acceptRetry->async_wait([this](error_code e) {
          if (!e && acceptor->is_open()) accept();
        });
        return;
      }
      return accept();
    }
    try {
      auto connection = std::make_shared<Connection>(*this, target, std::move(socket));
      ++openConnections;
      asio::post(target.ioc, [connection] { connection->start(); });
    } catch (const std::exception& e) {  // out of memory: drop this one, keep accepting
      logError(std::string("could not set up a connection: ") + e.what());
    }
    accept();
  });
}

void HttpServer::Impl::beginShutdown(std::chrono::milliseconds grace) {
  if (stopping) return;
  if (shutdownBegun) {
    if (grace.count() <= 0) cutAll();
    return;
  }
  shutdownBegun = true;
  draining = true;
  error_code ignored;
  if (acceptor) acceptor->close(ignored);
  if (acceptRetry) acceptRetry->cancel();
  for (auto& loop : loops) {
    Loop* l = loop.get();
    asio::post(l->ioc, [l] {
      std::vector<std::shared_ptr<Connection>> live;
      for (auto* c : l->connections)
        if (auto s = c->weak_from_this().lock()) live.push_back(std::move(s));
      for (auto& c : live) c->drain();
    });
  }
  if (grace.count() <= 0) return cutAll();
  graceTimer->expires_after(grace);
  graceTimer->async_wait([this](error_code ec) {
    if (!ec) cutAll();
  });
  checkDrained();
}

void HttpServer::Impl::connectionClosed() {
  if (--openConnections == 0 && draining)
    asio::post(loops[0]->ioc, [this] { checkDrained(); });
}

void HttpServer::Impl::checkDrained() {
  if (!stopping && shutdownBegun && openConnections == 0) stopLoops();
}

// The grace period is over: cut every connection (their handlers' cancel callbacks still run),
// then stop.
void HttpServer::Impl::cutAll() {
  if (stopping) return;
  for (auto& loop : loops) {
    Loop* l = loop.get();
    asio::post(l->ioc, [l] {
      std::vector<std::shared_ptr<Connection>> live;
      for (auto* c : l->connections)
        if (auto s = c->weak_from_this().lock()) live.push_back(std::move(s));
      for (auto& c : live) c->abort(BodyError::disconnected);
    });
  }
  stopLoops();
}

void HttpServer::Impl::stopLoops() {
  stopping = true;
  if (graceTimer) graceTimer->cancel();
  if (signals) {
    error_code ignored;
    signals->cancel(ignored);
  }
  for (auto& loop : loops) {
    Loop* l = loop.get();
    // Posted twice: callbacks posted by the work already queued on that loop still run first.
    asio::post(l->ioc, [l] {
      l->work.reset();
      asio::post(l->ioc, [l] { l->ioc.stop(); });
    });
  }
}

void HttpServer::Impl::teardown() {
  for (auto& loop : loops) {
    std::vector<std::shared_ptr<Connection>> live;
    for (auto* c : loop->connections)
      if (auto s = c->weak_from_this().lock()) live.push_back(std::move(s));
    for (auto& c : live) c->release();
  }
  for (auto& loop : loops) *loop->alive = false;
  signals.reset();
  graceTimer.reset();
  acceptRetry.reset();
  acceptor.reset();
  for (auto& loop : loops) loop->work.reset();
  loops.clear();
}

HttpServer::HttpServer(HttpServerOptions options, Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
  unsigned n = impl_->options.threads;
  if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i) impl_->loops.push_back(std::make_unique<Loop>());
  auto& ioc0 = impl_->loops[0]->ioc;
  impl_->acceptRetry.emplace(ioc0);
  impl_->graceTimer.emplace(ioc0);
}

HttpServer::~HttpServer() {
  if (impl_->started) {
    shutdown(std::chrono::milliseconds(0));
    wait();
  }
  impl_->teardown();
}

void HttpServer::start() {
  auto& impl = *impl_;
  if (impl.started) throw std::logic_error("HttpServer::start() called twice");
  auto& ioc0 = impl.loops[0]->ioc;
  tcp::endpoint endpoint;
  error_code ec;
  auto address = asio::ip::make_address(impl.options.address, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, impl.options.port);
  } else {
    tcp::resolver resolver(ioc0);
    auto results = resolver.resolve(impl.options.address, std::to_string(impl.options.port));
    endpoint = results.begin()->endpoint();  // resolve() throws when there is no result
  }
  impl.acceptor.emplace(ioc0);
  impl.acceptor->open(endpoint.protocol());
  impl.acceptor->set_option(tcp::acceptor::reuse_address(true));
  impl.acceptor->bind(endpoint);
  impl.acceptor->listen(impl.options.backlog);
  impl.bound = impl.acceptor->local_endpoint();
  impl.started = true;
  for (auto& loop : impl.loops) {
    Loop* l = loop.get();
    l->work.emplace(l->ioc.get_executor());
    l->thread = std::thread([l, &impl] {
      for (;;) {
        try {
          l->ioc.run();
          return;
        } catch (const std::exception& e) {
          impl.logError(std::string("uncaught exception on an event loop: ") + e.what());
        } catch (...) {
          impl.logError("uncaught exception on an event loop");
        }
      }
    });
  }
  asio::post(ioc0, [&impl] {
    if (!impl.shutdownBegun) impl.accept();
  });
}

tcp::endpoint HttpServer::endpoint() const { return impl_->bound; }

size_t HttpServer::loopCount() const { return impl_->loops.size(); }

asio::io_context& HttpServer::loop(size_t index) { return impl_->loops.at(index)->ioc; }

void HttpServer::shutdown(std::chrono::milliseconds grace) {
  auto* impl = impl_.get();
  asio::post(impl->loops[0]->ioc, [impl, grace] { impl->beginShutdown(grace); });
}

void HttpServer::wait() {
  for (auto& loop : impl_->loops)
    if (loop->ioc.get_executor().running_in_this_thread())
      throw std::logic_error("HttpServer::wait() called from one of its event loops");
  std::lock_guard lock(impl_->joinMutex);
  for (auto& loop : impl_->loops)
    if (loop->thread.joinable()) loop->thread.join();
}

void HttpServer::stopOnSignals(std::chrono::milliseconds grace,
                               std::function<void(int)> onSignal) {
  auto& impl = *impl_;
  if (impl.started) throw std::logic_error("HttpServer::stopOnSignals() must come before start()");
  impl.signalGrace = grace;
  impl.onSignal = std::move(onSignal);
  impl.signals.emplace(impl.loops[0]->ioc, SIGINT, SIGTERM);
  impl.waitForSignal();
}

void HttpServer::Impl::waitForSignal() {
  signals->async_wait([this](error_code ec, int signal) {
    if (ec) return;
    if (onSignal) {
      try {
        onSignal(signal);
      } catch (...) {
      }
    }
    beginShutdown(++signalsSeen == 1 ? signalGrace : std::chrono::milliseconds(0));
    if (!stopping) waitForSignal();
  });
}

}  // namespace wisp::server
