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
#include "server/execute-api.h"
#include "server/host-workers.h"
#include "server/http-server.h"

namespace wisp::server {
namespace {

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

// The configured host Worker's options: limits, `vars`, its Worker Loader bindings, the network.
io::Worker::Options hostOptions(const Config& config, std::shared_ptr<io::CacheBudget> budget) {
  io::Worker::Options options;
  options.limits = config.wisp.limits.toLimits();
  options.envJson = config.vars.dump();
  options.loader.budget = std::move(budget);
  options.loader.idleSeconds = config.wisp.cache.idleSeconds;
  options.loader.maxConcurrentPerRequest = config.wisp.loader.maxConcurrentPerRequest;
  for (auto& l : config.workerLoaders) options.workerLoaders.push_back({l.binding, loaderNamespace(l)});
  options.outbound = config.wisp.egress.toOutbound();  // fetch() reaches the network (wisp.egress)
  options.onLog = [](const io::LogEntry& e) {
    logLine(nlohmann::json{{"type", "console"}, {"level", api::logLevelName(e.level)}, {"time", e.timeMs},
                           {"message", e.message}}.dump());
  };
  return options;
}

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
  std::vector<boost::asio::io_context*> loops;
  for (size_t i = 0; i < server.loopCount(); i++) loops.push_back(&server.loop(i));
  if (!config.main.empty()) {
    host = std::make_unique<HostWorkers>([main = config.main] { return io::loadWorkerCodeFromPath(main); },
                                         hostOptions(config, budget), loops);
  } else {
    api = std::make_unique<ExecuteApi>(
        ExecuteApiOptions{config.wisp.limits.toLimits(), config.wisp.apiToken, budget, config.wisp.cache.idleSeconds,
                          config.wisp.egress.toOutbound(), config.wisp.mcp.upstreams},
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
