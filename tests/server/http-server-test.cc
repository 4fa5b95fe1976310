// The HTTP server over real loopback sockets: a raw/Beast client (and curl) against a server with
// test handlers. Each test is named after what a client must be able to rely on.
#include <gtest/gtest.h>

#include <unistd.h>

#include <array>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "server/http-server.h"

namespace wisp::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

using Response = http::response<http::string_body>;

// A blocking client with deadlines: every read runs its own io_context for at most `timeout`.
struct Client {
  asio::io_context ioc;
  tcp::socket socket{ioc};
  beast::flat_buffer buffer;

  explicit Client(uint16_t port) { socket.connect({asio::ip::make_address("127.0.0.1"), port}); }

  void send(std::string_view data) { asio::write(socket, asio::buffer(data.data(), data.size())); }

  // One response, de-chunked by Beast's parser; nullopt on timeout, EOF or a parse error.
  std::optional<Response> response(std::chrono::milliseconds timeout = 5s) {
    Response res;
    boost::system::error_code result = asio::error::timed_out;
    bool done = false;
    http::async_read(socket, buffer, res, [&](boost::system::error_code ec, size_t) {
      result = ec;
      done = true;
    });
    run(done, timeout);
    if (result) return std::nullopt;
    return res;
  }

  // Raw bytes as they come (whatever is buffered first); "" on EOF, error or timeout.
  std::string readSome(std::chrono::milliseconds timeout = 5s) {
    if (buffer.size() > 0) {
      std::string s = beast::buffers_to_string(buffer.data());
      buffer.consume(buffer.size());
      return s;
    }
    std::array<char, 8192> chunk;
    size_t got = 0;
    bool done = false;
    socket.async_read_some(asio::buffer(chunk), [&](boost::system::error_code ec, size_t n) {
      got = ec ? 0 : n;
      done = true;
    });
    run(done, timeout);
    return std::string(chunk.data(), got);
  }

  // Reads until `needle` has arrived (or EOF/timeout); returns everything read.
  std::string readUntil(std::string_view needle, std::chrono::milliseconds timeout = 5s) {
    std::string all;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (all.find(needle) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      std::string piece = readSome(timeout);
      if (piece.empty()) break;
      all += piece;
    }
    return all;
  }

  // True if the server closes the connection (EOF or reset) within `timeout`.
  bool closedByServer(std::chrono::milliseconds timeout = 5s) {
    buffer.consume(buffer.size());
    for (auto deadline = std::chrono::steady_clock::now() + timeout;
         std::chrono::steady_clock::now() < deadline;) {
      std::array<char, 4096> chunk;
      boost::system::error_code result = asio::error::timed_out;
      bool done = false;
      socket.async_read_some(asio::buffer(chunk), [&](boost::system::error_code ec, size_t) {
        result = ec;
        done = true;
      });
      run(done, timeout);
      if (result == asio::error::timed_out) return false;
      if (result) return true;  // eof, reset
    }
    return false;
  }

  void run(bool& done, std::chrono::milliseconds timeout) {
    ioc.restart();
    ioc.run_for(timeout);
    if (!done) {
      boost::system::error_code ignored;
      socket.cancel(ignored);
      ioc.restart();
      ioc.run();
    }
  }
};

std::string get(std::string_view path, std::string_view extra = "") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: test.local\r\n" + std::string(extra) +
         "\r\n";
}

bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 5s) {
  for (auto deadline = std::chrono::steady_clock::now() + timeout;
       std::chrono::steady_clock::now() < deadline;) {
    if (condition()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return condition();
}

// Runs `fn` on the handler's loop after `delay`.
void later(asio::io_context& loop, std::chrono::milliseconds delay, std::function<void()> fn) {
  auto timer = std::make_shared<asio::steady_timer>(loop, delay);
  timer->async_wait([timer, fn = std::move(fn)](boost::system::error_code) { fn(); });
}

std::string runCommand(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  std::array<char, 4096> buf;
  while (size_t n = fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
  pclose(pipe);
  return out;
}

struct Logs {
  std::mutex mutex;
  std::vector<std::string> errors;
  std::vector<std::string> access;  // JSON lines

  void attach(HttpServerOptions& o) {
    o.errorLog = [this](std::string_view m) {
      std::lock_guard lock(mutex);
      errors.emplace_back(m);
    };
    o.accessLog = [this](const AccessLogEntry& e) {
      std::lock_guard lock(mutex);
      access.push_back(accessLogJson(e));
    };
  }
  std::string allErrors() {
    std::lock_guard lock(mutex);
    std::string all;
    for (auto& e : errors) all += e + "\n";
    return all;
  }
};

HttpServerOptions testOptions() {
  HttpServerOptions o;
  o.port = 0;
  o.threads = 2;
  return o;
}

std::unique_ptr<HttpServer> serve(HttpServer::Handler handler, HttpServerOptions o = testOptions()) {
  auto server = std::make_unique<HttpServer>(std::move(o), std::move(handler));
  server->start();
  return server;
}

// A handler that answers "<method> <target>" with a Content-Length.
void echoTarget(Request req, Responder res) {
  res.send(200, {{"content-type", "text/plain"}}, req.method + " " + req.target);
}

TEST(HttpServer, GivesTheHandlerTheRequestHead) {
  std::mutex mutex;
  Request seen;
  bool onLoop = false;
  auto server = serve([&](Request req, Responder res) {
    {
      std::lock_guard lock(mutex);
      onLoop = req.loop && req.loop->get_executor().running_in_this_thread();
      seen = req;
    }
    res.send(201, {{"x-answer", "42"}}, "made", "Made It");
  });
  Client c(server->port());
  c.send("POST /a/b?c=1 HTTP/1.1\r\nHost: example.com:8080\r\nX-Dup: 1\r\nx-dup: 2\r\n"
         "Content-Length: 0\r\n\r\n");
  auto r = c.response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 201);
  EXPECT_EQ(r->reason(), "Made It");
  EXPECT_EQ((*r)["x-answer"], "42");
  EXPECT_FALSE((*r)["date"].empty());
  EXPECT_EQ(r->body(), "made");

  std::lock_guard lock(mutex);
  EXPECT_TRUE(onLoop);
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/a/b?c=1");
  EXPECT_EQ(seen.url, "http://example.com:8080/a/b?c=1");
  EXPECT_EQ(seen.version, 11);
  EXPECT_EQ(seen.remoteAddress, "127.0.0.1");
  EXPECT_NE(seen.remotePort, 0);
  EXPECT_FALSE(seen.body.present());
  io::HeaderList expected = {
      {"Host", "example.com:8080"}, {"X-Dup", "1"}, {"x-dup", "2"}, {"Content-Length", "0"}};
  EXPECT_EQ(seen.headers, expected);
}

TEST(HttpServer, KeepAliveServesSeveralRequestsOnOneConnection) {
  std::mutex mutex;
  std::set<uint16_t> ports;
  auto server = serve([&](Request req, Responder res) {
    {
      std::lock_guard lock(mutex);
      ports.insert(req.remotePort);
    }
    echoTarget(std::move(req), std::move(res));
  });
  Client c(server->port());
  for (int i = 0; i < 3; ++i) {
    c.send(get("/n" + std::to_string(i)));
    auto r = c.response();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->body(), "GET /n" + std::to_string(i));
    EXPECT_TRUE(r->keep_alive());
  }
  std::lock_guard lock(mutex);
  EXPECT_EQ(ports.size(), 1u);
}

TEST(HttpServer, CurlReusesTheConnection) {
  auto server = serve(echoTarget);
  auto base = "http://127.0.0.1:" + std::to_string(server->port());
  // One transfer line per URL: the second must not have opened a new connection.
  auto out = runCommand("curl -s -o /dev/null -o /dev/null -w '%{http_code} %{num_connects}\\n' " + base +
                        "/a " + base + "/b");
  EXPECT_EQ(out, "200 1\n200 0\n");
}

TEST(HttpServer, PipelinedRequestsAreAnsweredInOrder) {
  auto server = serve([](Request req, Responder res) {
    auto delay = req.target == "/slow" ? 80ms : 0ms;
    auto* loop = req.loop;
    later(*loop, delay, [req = std::move(req), res]() mutable { echoTarget(std::move(req), res); });
  });
  Client c(server->port());
  c.send(get("/slow") + get("/fast") + get("/third"));
  for (std::string path : {"/slow", "/fast", "/third"}) {
    auto r = c.response();
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->body(), "GET " + path);
  }
}

// Reads a body piece by piece, then answers with what it got.
struct Collect : std::enable_shared_from_this<Collect> {
  RequestBody body;
  Responder res;
  std::string data;
  std::atomic<int>* pieces = nullptr;

  void next() {
    body.read([self = shared_from_this()](BodyChunk chunk) {
      if (chunk.error != BodyError::none) {
        self->res.send(500, {}, std::string(describe(chunk.error)));
      } else if (chunk.end()) {
        self->res.send(200, {}, self->data);
      } else {
        ++*self->pieces;
        self->data += chunk.data;
        self->next();
      }
    });
  }
};

TEST(HttpServer, ReadsAChunkedRequestBodyIncrementally) {
  std::atomic<int> pieces = 0;
  auto server = serve([&](Request req, Responder res) {
    EXPECT_TRUE(req.body.present());
    EXPECT_FALSE(req.body.contentLength());
    auto collect = std::make_shared<Collect>();
    collect->body = req.body;
    collect->res = res;
    collect->pieces = &pieces;
    collect->next();
  });
  Client c(server->port());
  c.send("POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
  std::this_thread::sleep_for(30ms);
  c.send("6\r\n world\r\n");
  std::this_thread::sleep_for(30ms);
  c.send("1\r\n!\r\n0\r\n\r\n");
  auto r = c.response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
  EXPECT_EQ(r->body(), "hello world!");
  EXPECT_GE(pieces.load(), 2);
}

TEST(HttpServer, ReadAllCollectsAContentLengthBody) {
  auto server = serve([](Request req, Responder res) {
    EXPECT_EQ(req.body.contentLength(), std::optional<uint64_t>(11));
    req.body.readAll([res](std::string body, BodyError error) mutable {
      res.send(200, {}, error == BodyError::none ? "got " + body : "error");
    });
  });
  Client c(server->port());
  c.send("PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello ");
  std::this_thread::sleep_for(20ms);
  c.send("world");
  auto r = c.response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body(), "got hello world");
}

TEST(HttpServer, ABodyThatArrivedWithItsHeadIsHandedOverWhole) {
  auto server = serve([](Request req, Responder res) {
    auto arrived = req.body.takeArrived();
    bool again = req.body.takeArrived().has_value();
    res.send(200, {}, (arrived ? "whole " + *arrived : "none") + (again ? " twice" : ""));
  });
  Client c(server->port());
  // Both requests in one write: the second waits in the buffer behind the first one's body.
  c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloPOST / HTTP/1.1\r\nHost: x\r\n"
         "Content-Length: 3\r\n\r\nabc");
  auto r = c.response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body(), "whole hello");
  r = c.response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body(), "whole abc");
}

// Reads the body piece by piece and answers with it, saying whether the piece that completed it
// was marked last.
struct CollectUntilLast : std::enable_shared_from_this<CollectUntilLast> {
  RequestBody body;
  Responder res;
  std::string data;

  void next() {
    body.read([self = shared_from_this()](BodyChunk chunk) {
      if (chunk.error != BodyError::none || chunk.end()) return void(self->res.send(200, {}, self->data + " (unmarked)"));
      self->data += chunk.data;
      if (chunk.last) return void(self->res.send(200, {}, self->data + " (last)"));
      self->next();
    });
  }
};

TEST(HttpServer, ABodyStillOnItsWayIsReadAndItsLastPieceMarked) {
  std::atomic<bool> handled = false;
  auto server = serve([&](Request req, Responder res) {
    EXPECT_FALSE(req.body.takeArrived());  // only part of it is here
    handled = true;
    auto collect = std::make_shared<CollectUntilLast>();
    collect->body = req.body;
    collect->res = res;
    collect->next();
  });
  Client c(server->port());
  c.send("PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello ");
  for (int i = 0; i < 500 && !handled; i++) std::this_thread::sleep_for(10ms);
  c.send("world");  // only once the handler has looked
  auto r = c.response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body(), "hello world (last)");
}

TEST(HttpServer, StreamsAChunkedResponseInPieces) {
  std::atomic<bool> clientSawFirst = false;
  auto server = serve([&](Request req, Responder res) {
    res.start(200, {{"content-type", "text/plain"}});
    res.write("first|");
    // The rest waits until the client has received the first piece: proof that it streamed.
    auto poll = std::make_shared<std::function<void()>>();
    auto* loop = req.loop;
    *poll = [&clientSawFirst, res, loop, weak = std::weak_ptr(poll)]() mutable {
      if (!clientSawFirst) {
        if (auto p = weak.lock()) later(*loop, 5ms, [p] { (*p)(); });
        return;
      }
      res.write("second");
      res.end();
    };
    later(*loop, 0ms, [poll] { (*poll)(); });
  });
  Client c(server->port());
  c.send(get("/stream"));
  std::string head = c.readUntil("first|");
  ASSERT_NE(head.find("first|"), std::string::npos) << head;
  EXPECT_NE(head.find("transfer-encoding: chunked"), std::string::npos) << head;
  EXPECT_EQ(head.find("second"), std::string::npos);
  clientSawFirst = true;
  std::string rest = c.readUntil("0\r\n\r\n");
  EXPECT_NE(rest.find("6\r\nsecond\r\n"), std::string::npos) << rest;
  EXPECT_NE(rest.find("0\r\n\r\n"), std::string::npos) << rest;
  // The connection is still good for another request.
  c.send(get("/again"));
  // (the chunked response was consumed raw; Beast's buffer is empty)
  auto again = c.response();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->result_int(), 200);
}

TEST(HttpServer, RejectsOversizedHeadersWith431) {
  std::atomic<bool> called = false;
  auto o = testOptions();
  o.maxHeaderBytes = 1024;
  auto server = serve([&](Request req, Responder res) { called = true; echoTarget(req, res); }, o);
  Client c(server->port());
  c.send(get("/", "X-Big: " + std::string(4000, 'a') + "\r\n"));
  auto r = c.response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 431);
  EXPECT_FALSE(r->keep_alive());
  EXPECT_TRUE(c.closedByServer());
  EXPECT_FALSE(called);
}

TEST(HttpServer, RejectsADeclaredBodyOverTheLimitWith413) {
  std::atomic<bool> called = false;
  auto o = testOptions();
  o.maxBodyBytes = 100;
  auto server = serve([&](Request req, Responder res) { called = true; echoTarget(req, res); }, o);
  Client c(server->port());
  c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n");
  auto r = c.response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 413);
  EXPECT_FALSE(called);
}

TEST(HttpServer, RejectsAChunkedBodyThatGrowsOverTheLimitWith413) {
  std::atomic<int> error = -1;
  std::atomic<bool> cancelled = false;
  auto o = testOptions();
  o.maxBodyBytes = 100;
  auto server = serve(
      [&](Request req, Responder res) {
        res.onCancel([&] { cancelled = true; });
        req.body.readAll([&, res](std::string, BodyError e) mutable {
          error = int(e);
          EXPECT_FALSE(res.send(200, {}, "too late"));  // the server answered already
        });
      },
      o);
  Client c(server->port());
  std::string chunk = "40\r\n" + std::string(64, 'x') + "\r\n";
  c.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk);
  std::this_thread::sleep_for(20ms);
  c.send(chunk + chunk);
  auto r = c.response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 413);
  EXPECT_EQ(r->body(), "Content Too Large");
  EXPECT_TRUE(waitFor([&] { return error == int(BodyError::tooLarge); }));
  EXPECT_TRUE(waitFor([&] { return cancelled.load(); }));
}

TEST(HttpServer, RejectsMalformedRequestsWith400) {
  std::atomic<int> calls = 0;
  auto server = serve([&](Request req, Responder res) {
    ++calls;
    req.body.readAll([res](std::string body, BodyError e) mutable { res.send(200, {}, body); });
  });
  struct Case {
    std::string name, request;
    int status;
  };
  std::vector<Case> cases = {
      {"garbage", "GARBAGE\r\n\r\n", 400},
      {"space in target", "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"no Host", "GET / HTTP/1.1\r\n\r\n", 400},
      {"two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
      {"Host with a path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400},
      {"bad header name", "GET / HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n", 400},
      {"length and chunked",
       "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"unknown coding", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 400},
      {"bad length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400},
      {"bad chunk size",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", 400},
      {"asterisk target", "GET * HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"HTTP/2.0", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 400},
  };
  for (auto& k : cases) {
    Client c(server->port());
    c.send(k.request);
    auto r = c.response();
    ASSERT_TRUE(r) << k.name;
    EXPECT_EQ(r->result_int(), k.status) << k.name;
    EXPECT_FALSE(r->keep_alive()) << k.name;
    EXPECT_TRUE(c.closedByServer()) << k.name;
  }
  EXPECT_EQ(calls.load(), 1);  // only the bad chunk reached the handler (the body broke later)
}

TEST(HttpServer, AHandlerThatThrowsGetsAGeneric500) {
  Logs logs;
  auto o = testOptions();
  logs.attach(o);
  auto server = serve(
      [](Request req, Responder res) {
        if (req.target == "/throw") throw std::runtime_error("secret database password");
        if (req.target == "/drop") return;  // the Responder is dropped unanswered
        if (req.target == "/fail") return res.fail();
        echoTarget(req, res);
      },
      o);
  Client c(server->port());
  for (std::string path : {"/throw", "/drop", "/fail"}) {
    c.send(get(path));
    auto r = c.response();
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->result_int(), 500) << path;
    EXPECT_EQ(r->body(), "Internal Server Error") << path;
    for (auto& f : *r) EXPECT_EQ(std::string(f.value()).find("secret"), std::string::npos);
  }
  // The connection survives a handler failure.
  c.send(get("/ok"));
  auto ok = c.response();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->body(), "GET /ok");
  EXPECT_NE(logs.allErrors().find("secret database password"), std::string::npos);
}

TEST(HttpServer, AThrowAfterTheResponseStartedCutsTheConnection) {
  auto server = serve([](Request req, Responder res) {
    res.start(200, {});
    res.write("partial", [](bool) { throw std::runtime_error("boom"); });
  });
  Client c(server->port());
  c.send(get("/"));
  std::string got = c.readUntil("never");
  EXPECT_NE(got.find("partial"), std::string::npos);
  EXPECT_EQ(got.find("0\r\n\r\n"), std::string::npos);  // no clean end of the chunked body
}

TEST(HttpServer, InvalidResponseHeadersNeverReachTheWire) {
  auto server = serve([](Request req, Responder res) {
    res.send(200, {{"x-evil", "a\r\nset-cookie: stolen=1"}}, "body");
  });
  Client c(server->port());
  c.send(get("/"));
  auto r = c.response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 500);
  EXPECT_EQ((*r)["set-cookie"], "");
}

TEST(HttpServer, AClientThatDisconnectsMidResponseCancelsIt) {
  std::atomic<bool> cancelled = false;
  std::atomic<bool> writeFailed = false;
  auto server = serve([&](Request req, Responder res) {
    res.onCancel([&] { cancelled = true; });
    res.start(200, {});
    auto tick = std::make_shared<std::function<void()>>();
    auto* loop = req.loop;
    *tick = [&, res, loop, weak = std::weak_ptr(tick)]() mutable {
      bool ok = res.write(std::string(16 * 1024, 'z'), [&](bool ok) {
        if (!ok) writeFailed = true;
      });
      if (!ok) {
        writeFailed = true;
        return;
      }
      if (auto t = weak.lock()) later(*loop, 2ms, [t] { (*t)(); });
    };
    (*tick)();
  });
  {
    Client c(server->port());
    c.send(get("/stream"));
    c.readUntil("zzzz");
  }  // closed
  EXPECT_TRUE(waitFor([&] { return cancelled && writeFailed; }));
  // The server is unharmed.
  Client d(server->port());
  d.send(get("/"));
  d.readUntil("zzzz");
}

TEST(HttpServer, AClientThatLeavesWhileTheHandlerWaitsCancelsIt) {
  std::atomic<bool> cancelled = false;
  std::atomic<bool> called = false;
  auto server = serve([&](Request req, Responder res) {
    res.onCancel([&] { cancelled = true; });
    called = true;
    later(*req.loop, 1s, [res]() mutable { res.send(200, {}, "late"); });
  });
  {
    Client c(server->port());
    c.send(get("/"));
    ASSERT_TRUE(waitFor([&] { return called.load(); }));
  }
  EXPECT_TRUE(waitFor([&] { return cancelled.load(); }, 900ms));
}

TEST(HttpServer, IdleConnectionsAreClosedAfterTheTimeout) {
  auto o = testOptions();
  o.idleTimeout = 100ms;
  auto server = serve(echoTarget, o);
  Client c(server->port());
  auto begin = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.closedByServer(3s));
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 2s);
  // Also between keep-alive requests.
  Client d(server->port());
  d.send(get("/"));
  ASSERT_TRUE(d.response());
  EXPECT_TRUE(d.closedByServer(3s));
}

TEST(HttpServer, AStalledBodyTimesOut) {
  std::atomic<int> error = -1;
  auto o = testOptions();
  o.readTimeout = 100ms;
  auto server = serve(
      [&](Request req, Responder res) {
        req.body.readAll([&, res](std::string, BodyError e) { error = int(e); });
      },
      o);
  Client c(server->port());
  c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
  EXPECT_TRUE(c.closedByServer(3s));
  EXPECT_TRUE(waitFor([&] { return error == int(BodyError::timeout); }));
}

TEST(HttpServer, AClientThatStopsReadingTimesOut) {
  std::atomic<bool> cancelled = false;
  auto o = testOptions();
  o.writeTimeout = 200ms;
  auto server = serve(
      [&](Request req, Responder res) {
        res.onCancel([&] { cancelled = true; });
        res.start(200, {});
        // Far more than the socket buffers hold; the callback keeps the Responder alive.
        res.write(std::string(64 << 20, 'x'), [res](bool) {});
      },
      o);
  Client c(server->port());
  c.send(get("/"));
  EXPECT_TRUE(waitFor([&] { return cancelled.load(); }, 5s));
}

TEST(HttpServer, ServesManyConnectionsAtOnce) {
  auto o = testOptions();
  o.threads = 3;
  auto server = serve(
      [](Request req, Responder res) {
        req.body.readAll([req, res](std::string body, BodyError) mutable {
          later(*req.loop, 1ms, [res, body]() mutable { res.send(200, {}, body); });
        });
      },
      o);
  std::atomic<int> ok = 0;
  std::vector<std::thread> clients;
  for (int t = 0; t < 16; ++t) {
    clients.emplace_back([&, t] {
      Client c(server->port());
      for (int i = 0; i < 20; ++i) {
        std::string body = std::to_string(t) + "-" + std::to_string(i);
        c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
               "\r\n\r\n" + body);
        auto r = c.response();
        if (r && r->body() == body) ++ok;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 16 * 20);
}

TEST(HttpServer, SurvivesGarbage) {
  auto server = serve(echoTarget);
  std::mt19937 random(42);
  for (int i = 0; i < 100; ++i) {
    std::string junk(size_t(random() % 300), '\0');
    for (auto& ch : junk) ch = char(random() % 256);
    if (i % 3 == 0) junk = "GET / HTTP/1.1\r\n" + junk;
    if (i % 5 == 0) junk = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + junk;
    Client c(server->port());
    c.send(junk);
    c.readUntil("never", 30ms);
  }
  Client c(server->port());
  c.send(get("/still-here"));
  auto r = c.response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body(), "GET /still-here");
}

TEST(HttpServer, UnreadBodiesAreSkippedBeforeTheNextRequest) {
  auto server = serve(echoTarget);
  Client c(server->port());
  c.send("POST /first HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" + get("/second"));
  auto a = c.response();
  auto b = c.response();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->body(), "POST /first");
  EXPECT_EQ(b->body(), "GET /second");
}

TEST(HttpServer, HeadAndHttp10AreFramedCorrectly) {
  auto server = serve([](Request req, Responder res) {
    res.start(200, {});  // no Content-Length
    res.write("streamed");
    res.end();
  });
  {
    Client c(server->port());
    c.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n" + get("/after"));
    std::string all = c.readUntil("streamed");
    // The HEAD answer has no body and no chunked framing; the GET after it does.
    auto second = all.find("HTTP/1.1 200", 1);
    ASSERT_NE(second, std::string::npos) << all;
    std::string head = all.substr(0, second);
    EXPECT_EQ(head.find("streamed"), std::string::npos) << head;
    EXPECT_EQ(head.find("transfer-encoding"), std::string::npos) << head;
  }
  {
    Client c(server->port());
    c.send("GET / HTTP/1.0\r\n\r\n");
    std::string all = c.readUntil("never", 2s);  // close-delimited: read to EOF
    EXPECT_NE(all.find("connection: close"), std::string::npos) << all;
    EXPECT_EQ(all.find("transfer-encoding"), std::string::npos) << all;
    EXPECT_EQ(all.substr(all.size() - 8), "streamed");
  }
}

TEST(HttpServer, AnswersExpect100ContinueWhenTheBodyIsRead) {
  auto server = serve([](Request req, Responder res) {
    req.body.readAll([res](std::string body, BodyError) mutable { res.send(200, {}, body); });
  });
  auto url = "http://127.0.0.1:" + std::to_string(server->port()) + "/";
  auto begin = std::chrono::steady_clock::now();
  // curl waits up to a second for "100 Continue" before sending the body anyway.
  auto out = runCommand("curl -s -H 'Expect: 100-continue' --data-binary hello " + url);
  EXPECT_EQ(out, "hello");
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 900ms);
}

TEST(HttpServer, LogsEveryResponse) {
  Logs logs;
  auto o = testOptions();
  logs.attach(o);
  auto server = serve(echoTarget, o);
  Client c(server->port());
  c.send(get("/logged?q=1"));
  ASSERT_TRUE(c.response());
  ASSERT_TRUE(waitFor([&] {
    std::lock_guard lock(logs.mutex);
    return !logs.access.empty();
  }));
  std::lock_guard lock(logs.mutex);
  auto& line = logs.access.front();
  EXPECT_NE(line.find(R"("method":"GET")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("path":"/logged?q=1")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("status":200)"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("bytes":15)"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("remote":"127.0.0.1")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("completed":true)"), std::string::npos) << line;
}

TEST(HttpServer, StopLetsAnInFlightRequestFinish) {
  std::atomic<bool> started = false;
  auto server = serve([&](Request req, Responder res) {
    if (req.target != "/slow") return echoTarget(req, res);
    started = true;
    later(*req.loop, 300ms, [res]() mutable { res.send(200, {}, "slow done"); });
  });
  Client idle(server->port());
  idle.send(get("/quick"));
  ASSERT_TRUE(idle.response());

  std::optional<Response> slow;
  std::thread client([&] {
    Client c(server->port());
    c.send(get("/slow"));
    slow = c.response();
  });
  ASSERT_TRUE(waitFor([&] { return started.load(); }));
  auto begin = std::chrono::steady_clock::now();
  server->stop(5s);
  auto took = std::chrono::steady_clock::now() - begin;
  client.join();
  ASSERT_TRUE(slow);
  EXPECT_EQ(slow->body(), "slow done");
  EXPECT_FALSE(slow->keep_alive());  // connection: close while draining
  EXPECT_LT(took, 3s);
  EXPECT_GE(took, 150ms);
  EXPECT_TRUE(idle.closedByServer(1s));
  // Nobody is listening any more.
  boost::system::error_code ec;
  asio::io_context ioc;
  tcp::socket s(ioc);
  s.connect({asio::ip::make_address("127.0.0.1"), server->port()}, ec);
  EXPECT_TRUE(ec);
}

TEST(HttpServer, StopCutsWhatOutlivesTheGracePeriod) {
  std::atomic<bool> cancelled = false;
  std::atomic<bool> started = false;
  std::vector<Responder> held;  // touched on the loop only
  auto o = testOptions();
  o.threads = 1;
  auto server = serve(
      [&](Request req, Responder res) {
        res.onCancel([&] { cancelled = true; });
        held.push_back(res);  // never answered
        started = true;
      },
      o);
  Client c(server->port());
  c.send(get("/hang"));
  ASSERT_TRUE(waitFor([&] { return started.load(); }));
  auto begin = std::chrono::steady_clock::now();
  server->stop(100ms);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 2s);
  EXPECT_TRUE(cancelled);
  EXPECT_TRUE(c.closedByServer(1s));
  server.reset();
  // Held past the server's life: harmless.
  EXPECT_FALSE(held.front().send(200, {}, "late"));
  held.clear();
}

TEST(HttpServer, StopOnSignalsDrainsOnSigterm) {
  auto o = testOptions();
  HttpServer server(o, echoTarget);
  std::atomic<int> got = 0;
  server.stopOnSignals(1s, [&](int s) { got = s; });
  server.start();
  Client c(server.port());
  c.send(get("/"));
  ASSERT_TRUE(c.response());
  ::kill(::getpid(), SIGTERM);
  server.wait();
  EXPECT_EQ(got.load(), SIGTERM);
}

}  // namespace
}  // namespace wisp::server
