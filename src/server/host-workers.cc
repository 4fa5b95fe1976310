#include "server/host-workers.h"

#include <iostream>
#include <mutex>

#include <nlohmann/json.hpp>

#include "server/every-loop.h"
#include "server/hop-by-hop.h"
#include "server/websocket-session.h"
#include "server/worker-bodies.h"

namespace wisp::server {

namespace {
std::mutex gLogMutex;
}

void logLine(const std::string& line) {
  std::lock_guard lock(gLogMutex);
  std::cerr << line << "\n";
}

void answerInternalError(Responder& responder, const io::Failure& f) {
  logLine(nlohmann::json{{"type", "error"}, {"message", f.text()}, {"stack", f.stack}}.dump());
  responder.send(500, {{"content-type", "text/plain;charset=UTF-8"}}, "Internal Server Error\n");
}

struct HostWorkers::Loop {
  explicit Loop(boost::asio::io_context& c) : ioc(c) {}
  boost::asio::io_context& ioc;
  std::shared_ptr<io::Worker> worker;
  bool ready = false;
  std::vector<Ready> waiting;
};

HostWorkers::HostWorkers(CodeSource code, io::Worker::Options options,
                         const std::vector<boost::asio::io_context*>& loops)
    : code_(std::move(code)), options_(std::move(options)) {
  for (auto* ioc : loops) loops_.push_back(std::make_unique<Loop>(*ioc));
}

HostWorkers::~HostWorkers() = default;

HostWorkers::Loop* HostWorkers::loopOf(boost::asio::io_context& ioc) {
  for (auto& l : loops_)
    if (&l->ioc == &ioc) return l.get();
  return nullptr;
}

void HostWorkers::forEachLoader(std::function<void(size_t, io::WorkerLoader*)> each,
                                boost::asio::io_context& origin, std::function<void()> done) {
  std::vector<boost::asio::io_context*> iocs;
  for (auto& l : loops_) iocs.push_back(&l->ioc);
  onEveryLoop(
      iocs,
      [this, each = std::move(each)](size_t i) {
        auto& worker = loops_[i]->worker;
        each(i, worker ? static_cast<io::WorkerLoader*>(worker->workerLoader()) : nullptr);
      },
      origin, std::move(done));
}

void HostWorkers::handle(Request request, Responder responder) {
  if (!request.loop || !loopOf(*request.loop)) return responder.fail();
  // Hop-by-hop fields describe this connection, not the request: the Worker does not see them,
  // but for a WebSocket upgrade's Upgrade and Connection, as in Workers (server/websocket-session.h).
  auto upgrade = webSocketUpgradeOf(request);
  io::HeaderList headers;
  for (auto& [name, value] : request.headers) {
    bool shown = upgrade && (strcasecmp(name.c_str(), "upgrade") == 0 || strcasecmp(name.c_str(), "connection") == 0);
    if (shown || !isHopByHop(name)) headers.emplace_back(name, value);
  }
  // The Worker runs as soon as the head is in; it reads the body from the socket as it goes,
  // and its response body is written as it is produced (server/worker-bodies.h).
  io::HttpRequest req{request.method, request.url, headers, {}};
  attachRequestBody(request, req);
  withWorker(*request.loop, [req = std::move(req), responder, upgrade = std::move(upgrade)](
                                 std::shared_ptr<io::Worker> worker, std::optional<io::Failure> failure) mutable {
    if (failure) return answerInternalError(responder, *failure);
    io::Worker::FetchOptions options;
    options.streamResponse = true;
    options.acceptWebSocket = true;  // a 101 webSocket response is bridged (serveWebSocket)
    worker->fetch(
        std::move(req), "default",
        [responder, upgrade = std::move(upgrade)](io::FetchResult r) mutable {
          if (r.error) return answerInternalError(responder, *r.error);
          if (r.response->webSocket) return serveWebSocket(std::move(upgrade), responder, std::move(*r.response));
          sendResponse(responder, std::move(*r.response));
        },
        std::move(options));
  });
}

void HostWorkers::withWorker(boost::asio::io_context& ioc, Ready ready) {
  Loop* found = loopOf(ioc);
  if (!found) {
    return ready(nullptr, io::Failure{io::Failure::Kind::Exception, "Error", "not one of this host's loops", "", ""});
  }
  Loop& loop = *found;
  if (loop.worker && loop.ready && !loop.worker->condemned()) return ready(loop.worker, std::nullopt);
  loop.waiting.push_back(std::move(ready));
  if (loop.worker && !loop.ready) return;  // starting
  try {
    loop.worker = io::Worker::create(loop.ioc, code_(), options_);
  } catch (const std::exception& e) {
    return flush(loop, io::Failure{io::Failure::Kind::Exception, "Error", e.what(), "", ""});
  }
  loop.ready = false;
  loop.worker->start([this, &loop](std::optional<io::Failure> f) {
    if (f) {
      loop.worker.reset();
      return flush(loop, f);
    }
    loop.ready = true;
    flush(loop, std::nullopt);
  });
}

void HostWorkers::flush(Loop& loop, std::optional<io::Failure> failure) {
  auto waiting = std::move(loop.waiting);
  loop.waiting.clear();
  for (auto& w : waiting) w(failure ? nullptr : loop.worker, failure);
}

}  // namespace wisp::server
