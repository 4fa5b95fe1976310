// io::WorkerLoader: the dynamic Workers one host Worker has loaded through its Worker Loader
// bindings (env.LOADER). They are io::Workers on the host's event loop (same thread, no
// cross-thread calls). Named ones (`get(name)`) live in a WorkerCache keyed by (loader namespace,
// name), bounded with every other cache of the process (worker-cache.h); unnamed ones
// (`get(null)`, `load()`) go when the invocation that loaded them ends. Which Worker a
// `get(name)` reuses is decided by the binding's JS half (js/worker-loader.js), which also holds
// getCode and its result; it reaches Workers here by a numeric handle and asks again
// (getCode again) once workerAlive() says the handle's Worker was unloaded.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include <boost/asio/io_context.hpp>

#include "api/worker-loader.h"
#include "io/limits.h"
#include "io/request-context.h"
#include "io/worker-code.h"

namespace wisp::io {

class Worker;
class WorkerCache;
class WorkerInstance;
class CacheBudget;

// "Dynamic Worker env size (N bytes) exceeds the maximum allowed size of 1048576 bytes."
constexpr size_t kMaxEnvSize = 1u << 20;

struct LoaderSettings {
  // Count and memory budget shared by every cache of the process; null: the loader gets one of
  // its own (10000 Workers, 1 GiB).
  std::shared_ptr<CacheBudget> budget;
  // A named dynamic Worker unused this long is unloaded (0: never); the next call with its name
  // runs getCode again, as after a reload on Cloudflare.
  double idleSeconds = 300;
  // Dynamic-Worker calls one host invocation may have in flight; further calls wait in line
  // (first come, first served) for one of them to be answered. They never fail for it.
  uint32_t maxConcurrentPerRequest = 6;
};

class WorkerLoader final : public api::WorkerLoaderHost {
 public:
  // `host` owns this loader; dynamic Workers never get more than `serverLimits`.
  WorkerLoader(Worker& host, boost::asio::io_context& ioc, Limits serverLimits,
               std::function<void(const LogEntry&)> onLog, LoaderSettings settings = {});
  ~WorkerLoader() override;

  uint64_t loadWorker(WorkerCode code, std::string envJson, api::DynamicLimits limits, std::string ns,
                      std::optional<std::string> name) override;
  bool workerAlive(uint64_t id) override;
  js::Value fetchWorker(js::Lock& js, uint64_t id, HttpRequest request, std::string entrypoint, std::string propsJson,
                        api::DynamicLimits limits) override;

  // The host's invocation `ctx` is over: its unnamed Workers are unloaded (after any request
  // still in flight on them) and its calls still waiting in line are dropped.
  void invocationFinished(const RequestContext* ctx);

  // Unloads the named Worker `name` of loader namespace `ns`; false if it is not loaded.
  bool evict(const std::string& ns, const std::string& name);
  // The memory of that Worker as last measured, if it is loaded.
  std::optional<uint64_t> loadedBytes(const std::string& ns, const std::string& name) const;

  // Live handles: named Workers in the cache plus unnamed ones.
  size_t size() const { return handles_.size(); }

 private:
  struct Handle {
    std::string key;                          // named: its cache key
    std::weak_ptr<WorkerInstance> named;      // named: the cache holds it
    std::shared_ptr<WorkerInstance> unnamed;  // unnamed: held here until its invocation ends
    const RequestContext* owner = nullptr;    // unnamed: the invocation it lives for
  };
  // One host invocation's dynamic-Worker calls: how many run, which wait.
  struct CallLine {
    uint32_t running = 0;
    std::deque<std::function<void(std::shared_ptr<void> slot)>> waiting;
  };

  std::shared_ptr<WorkerInstance> resolve(uint64_t id);
  // Runs `call` with a slot of `ctx`'s line now, or when one frees; dropping the slot frees it.
  void admit(const RequestContext* ctx, std::function<void(std::shared_ptr<void> slot)> call);
  std::shared_ptr<void> takeSlot(const std::shared_ptr<CallLine>& line);

  Worker& host_;
  boost::asio::io_context& ioc_;
  Limits serverLimits_;
  std::function<void(const LogEntry&)> onLog_;
  LoaderSettings settings_;
  uint64_t nextId_ = 1;
  std::map<uint64_t, Handle> handles_;
  std::unordered_map<std::string, uint64_t> idOfKey_;  // named: the handle of each cached key
  std::map<const RequestContext*, std::shared_ptr<CallLine>> lines_;
  std::unique_ptr<WorkerCache> cache_;
};

// The lower of `base` and what `limits` asks for.
Limits lowerLimits(Limits base, const api::DynamicLimits& limits);

// The cache key of named Worker `name` in loader namespace `ns`.
std::string loaderCacheKey(const std::string& ns, const std::string& name);

}  // namespace wisp::io
