#include "server/serve.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <mutex>
#include <vector>

#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "io/isolate-pool.h"
#include "io/worker-cache.h"
#include "io/worker.h"
#include "server/admin-api.h"
#include "server/config.h"
#include "server/every-loop.h"
#include "server/execute-api.h"
#include "server/hop-by-hop.h"
#include "server/http-server.h"
#include "server/worker-bodies.h"

namespace wisp::server {
namespace {

std::mutex gLogMutex;

void logLine(const std::string& line) {
  std::lock_guard lock(gLogMutex);
  std::cerr << line << "\n";
}

// Each isolate holds about 20 memory mappings, and V8 aborts the process when mmap fails at
// vm.max_map_count (65530 by default: about 3,600 isolates). The cache's count is kept below what
// the kernel allows, with room for the host Workers, the pool and unnamed Workers, so eviction
// happens before that abort.
uint32_t cachedWorkersTheKernelAllows(uint32_t configured) {
  constexpr long kMapsPerIsolate = 24, kReserved = 8192;
  long maxMaps = 65530;
  if (std::ifstream f("/proc/sys/vm/max_map_count"); f) f >> maxMaps;
  long allowed = std::max(64L, (maxMaps - kReserved) / kMapsPerIsolate);
  if (configured <= allowed) return configured;
  if (configured != CacheSettings{}.maxWorkers)  // said only when the operator asked for more
    logLine(nlohmann::json{{"type", "warning"},
                         {"message", "wisp.cache.maxWorkers lowered from " + std::to_string(configured) + " to " +
                                         std::to_string(allowed) + ": vm.max_map_count (" + std::to_string(maxMaps) +
                                         ") allows about that many live isolates; raise it with sysctl to keep more"}}
              .dump());
  return static_cast<uint32_t>(allowed);
}

// A loader binding's namespace: bindings with the same `id` share their cached Workers.
std::string loaderNamespace(const LoaderBinding& l) { return l.id.value_or("binding:" + l.binding); }

// The configured host Worker, one instance per event loop (an isolate runs on one thread). A
// condemned instance (a limit was breached) is replaced before the next request.
class HostWorkers final : public LoaderDirectory {
 public:
  HostWorkers(const Config& config, HttpServer& server, std::shared_ptr<io::CacheBudget> budget)
      : config_(config), budget_(std::move(budget)) {
    for (size_t i = 0; i < server.loopCount(); i++) loops_.push_back(std::make_unique<Loop>(server.loop(i)));
  }

  size_t loopCount() const override { return loops_.size(); }

  void forEachLoader(std::function<void(size_t, io::WorkerLoader*)> each, boost::asio::io_context& origin,
                     std::function<void()> done) override {
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

  void handle(Request request, Responder responder) {
    Loop* loop = nullptr;
    for (auto& l : loops_)
      if (&l->ioc == request.loop) loop = l.get();
    if (!loop) return responder.fail();
    auto method = request.method, url = request.url;
    // Hop-by-hop fields describe this connection, not the request: the Worker does not see them.
    io::HeaderList headers;
    for (auto& [name, value] : request.headers) {
      if (!isHopByHop(name)) headers.emplace_back(name, value);
    }
    // The Worker runs as soon as the head is in; it reads the body from the socket as it goes,
    // and its response body is written as it is produced (server/worker-bodies.h).
    io::HttpRequest req{method, url, headers, {}};
    attachRequestBody(request, req);
    withWorker(*loop, [this, req = std::move(req), responder](std::shared_ptr<io::Worker> worker,
                                                              std::optional<io::Failure> failure) mutable {
      if (failure) return internalError(responder, *failure);
      io::Worker::FetchOptions options;
      options.streamResponse = true;
      worker->fetch(
          std::move(req), "default",
          [responder](io::FetchResult r) mutable {
            if (r.error) return internalError(responder, *r.error);
            sendResponse(responder, std::move(*r.response));
          },
          std::move(options));
    });
  }

 private:
  struct Loop {
    explicit Loop(boost::asio::io_context& c) : ioc(c) {}
    boost::asio::io_context& ioc;
    std::shared_ptr<io::Worker> worker;
    bool ready = false;
    std::vector<std::function<void(std::shared_ptr<io::Worker>, std::optional<io::Failure>)>> waiting;
  };

  using Ready = std::function<void(std::shared_ptr<io::Worker>, std::optional<io::Failure>)>;

  // Gives `ready` this loop's started host Worker, starting (or replacing) it first if needed.
  void withWorker(Loop& loop, Ready ready) {
    if (loop.worker && loop.ready && !loop.worker->condemned()) return ready(loop.worker, std::nullopt);
    loop.waiting.push_back(std::move(ready));
    if (loop.worker && !loop.ready) return;  // starting
    io::Worker::Options options;
    options.limits = config_.wisp.limits.toLimits();
    options.envJson = config_.vars.dump();
    options.loader.budget = budget_;
    options.loader.idleSeconds = config_.wisp.cache.idleSeconds;
    options.loader.maxConcurrentPerRequest = config_.wisp.loader.maxConcurrentPerRequest;
    for (auto& l : config_.workerLoaders) options.workerLoaders.push_back({l.binding, loaderNamespace(l)});
    options.outbound = config_.wisp.egress.toOutbound();  // fetch() reaches the network (wisp.egress)
    options.onLog = [](const io::LogEntry& e) {
      logLine(nlohmann::json{{"type", "console"}, {"level", api::logLevelName(e.level)}, {"time", e.timeMs},
                             {"message", e.message}}.dump());
    };
    try {
      loop.worker = io::Worker::create(loop.ioc, io::loadWorkerCodeFromPath(config_.main), options);
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

  void flush(Loop& loop, std::optional<io::Failure> failure) {
    auto waiting = std::move(loop.waiting);
    loop.waiting.clear();
    for (auto& w : waiting) w(failure ? nullptr : loop.worker, failure);
  }

  // The client gets a plain 500 that leaks nothing; the operator gets the details.
  static void internalError(Responder& responder, const io::Failure& f) {
    logLine(nlohmann::json{{"type", "error"}, {"message", f.text()}, {"stack", f.stack}}.dump());
    responder.send(500, {{"content-type", "text/plain;charset=UTF-8"}}, "Internal Server Error\n");
  }

  const Config& config_;
  std::shared_ptr<io::CacheBudget> budget_;
  std::vector<std::unique_ptr<Loop>> loops_;
};

}  // namespace

int runServe(const ServeFlags& flags) {
  Config config;
  try {
    if (auto loaded = loadConfig(flags.dir)) {
      for (auto& w : loaded->warnings) std::cerr << "warning: " << w.message << "\n";
      config = std::move(loaded->config);
    }
    if (flags.listen) {
      std::string error;
      auto addr = parseListenAddress(*flags.listen, &error);
      if (!addr) throw ConfigError("--listen: " + error);
      config.wisp.listen = *addr;
    }
    if (config.main.empty() && !config.wisp.listen.isLoopback() && config.wisp.apiToken.empty()) {
      throw ConfigError("listening on " + config.wisp.listen.toString() +
                        " (not loopback) needs an API token: set wisp.apiToken (or wisp.apiTokenEnv).");
    }
  } catch (const ConfigError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }

  HttpServerOptions options;
  options.address = config.wisp.listen.host;
  options.port = config.wisp.listen.port;
  options.threads = config.wisp.threadCount();
  options.maxHeaderBytes = config.wisp.maxHeaderBytes;
  options.maxBodyBytes = config.wisp.maxBodyBytes;
  options.accessLog = [](const AccessLogEntry& e) { logLine(accessLogJson(e)); };
  options.errorLog = [](std::string_view message) {
    logLine(nlohmann::json{{"type", "error"}, {"message", std::string(message)}}.dump());
  };

  // Ready, blank isolates for cold starts: wisp.poolSize per event loop, refilled by one
  // low-priority thread. Declared before the server, so it outlives every Worker.
  js::IsolateOptions blankIsolate;
  blankIsolate.heapLimitBytes = config.wisp.limits.toLimits().heapBytes;
  io::IsolatePool pool(size_t{config.wisp.poolSize} * config.wisp.threadCount(), blankIsolate);

  // Every cached Worker of the process (all loops, all loaders) counts against one budget.
  auto budget = std::make_shared<io::CacheBudget>(config.wisp.cache.memoryBudgetBytes(),
                                                  cachedWorkersTheKernelAllows(config.wisp.cache.maxWorkers));
  std::unique_ptr<HostWorkers> host;
  std::unique_ptr<ExecuteApi> api;
  HttpServer server(options, [&](Request request, Responder responder) {
    if (host) host->handle(std::move(request), std::move(responder));
    else api->handle(std::move(request), std::move(responder));
  });
  if (!config.main.empty()) {
    host = std::make_unique<HostWorkers>(config, server, budget);
  } else {
    std::vector<boost::asio::io_context*> loops;
    for (size_t i = 0; i < server.loopCount(); i++) loops.push_back(&server.loop(i));
    api = std::make_unique<ExecuteApi>(
        ExecuteApiOptions{config.wisp.limits.toLimits(), config.wisp.apiToken, budget, config.wisp.cache.idleSeconds,
                          config.wisp.egress.toOutbound()},
        loops);
  }

  // The admin listener, on an address of its own (off unless configured).
  std::unique_ptr<AdminApi> adminApi;
  std::unique_ptr<HttpServer> admin;
  if (config.wisp.admin.listen) {
    AdminApiOptions adminOptions{config.wisp.apiToken, budget, {}, host.get()};
    for (auto& l : config.workerLoaders) adminOptions.loaderNamespaces[l.binding] = loaderNamespace(l);
    adminApi = std::make_unique<AdminApi>(std::move(adminOptions));
    HttpServerOptions o = options;
    o.address = config.wisp.admin.listen->host;
    o.port = config.wisp.admin.listen->port;
    o.threads = 1;
    admin = std::make_unique<HttpServer>(o, [&](Request request, Responder responder) {
      adminApi->handle(std::move(request), std::move(responder));
    });
  }
  server.stopOnSignals(std::chrono::seconds(10), [&](int) {
    if (admin) admin->shutdown(std::chrono::seconds(1));
  });
  try {
    server.start();
  } catch (const std::exception& e) {
    std::cerr << "error: cannot listen on " << config.wisp.listen.toString() << ": " << e.what() << "\n";
    return 1;
  }
  if (admin) {
    try {
      admin->start();
    } catch (const std::exception& e) {
      std::cerr << "error: cannot listen on " << config.wisp.admin.listen->toString() << " (wisp.admin.listen): "
                << e.what() << "\n";
      server.stop();
      return 1;
    }
  }
  std::cerr << "wisp serving " << (config.main.empty() ? "the built-in execute API" : config.main) << " on http://"
            << config.wisp.listen.host << ":" << server.port() << " (" << server.loopCount() << " threads)\n";
  if (admin) std::cerr << "wisp admin listener on http://" << config.wisp.admin.listen->host << ":" << admin->port() << "\n";
  server.wait();
  if (admin) admin->stop();
  // Workers go while their loops' io_contexts (and the isolate pool) still exist.
  adminApi.reset();
  api.reset();
  host.reset();
  return 0;
}

}  // namespace wisp::server
