// io::WorkerLoader: the dynamic Workers one host Worker has loaded through its Worker Loader
// bindings (env.LOADER), by id. They are io::Workers on the host's event loop (same thread, no
// cross-thread calls); requests made while one is still starting wait for it, and a start
// failure (a top-level throw) fails every request. Which id a `get(name)` reuses is decided by
// the binding's JS half (js/worker-loader.js), which also holds getCode and its result.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "api/worker-loader.h"
#include "io/limits.h"
#include "io/request-context.h"
#include "io/worker-code.h"

namespace wisp::io {

class Worker;

// "Dynamic Worker env size (N bytes) exceeds the maximum allowed size of 1048576 bytes."
constexpr size_t kMaxEnvSize = 1u << 20;

// How many named dynamic Workers a host keeps loaded, and for how long without use. Beyond
// either, a Worker is unloaded (requests in flight on it finish first); the next call with its
// name runs getCode again, as after a reload on Cloudflare.
struct LoaderCache {
  uint32_t maxWorkers = 10'000;
  double idleSeconds = 300;  // 0: never expires
};

class WorkerLoader final : public api::WorkerLoaderHost {
 public:
  // `host` owns this loader; dynamic Workers never get more than `serverLimits`.
  WorkerLoader(Worker& host, boost::asio::io_context& ioc, Limits serverLimits,
               std::function<void(const LogEntry&)> onLog, LoaderCache cache = {});
  ~WorkerLoader() override;

  uint64_t loadWorker(WorkerCode code, std::string envJson, api::DynamicLimits limits, bool transient) override;
  bool workerAlive(uint64_t id) override;
  js::Value fetchWorker(js::Lock& js, uint64_t id, HttpRequest request, std::string entrypoint, std::string propsJson,
                        api::DynamicLimits limits) override;

  // The host's invocation `ctx` is over: its transient Workers are unloaded (after any request
  // still in flight on them).
  void invocationFinished(const RequestContext* ctx);

  size_t size() const { return workers_.size(); }

 private:
  struct Entry;
  // Unloads the least recently used named Workers beyond maxWorkers.
  void evictBeyondCount();
  void armIdleSweep();
  void sweepIdle();

  Worker& host_;
  boost::asio::io_context& ioc_;
  Limits serverLimits_;
  std::function<void(const LogEntry&)> onLog_;
  uint64_t nextId_ = 1;
  std::map<uint64_t, std::shared_ptr<Entry>> workers_;
  LoaderCache cache_;
  boost::asio::steady_timer idleSweep_;
};

// The lower of `base` and what `limits` asks for.
Limits lowerLimits(Limits base, const api::DynamicLimits& limits);

}  // namespace wisp::io
