// io::WorkerLoader: the dynamic Workers one host Worker has loaded through its Worker Loader
// bindings (env.LOADER). They are io::Workers on the host's event loop (same thread, no
// cross-thread calls). Named ones (`get(name)`) live in a WorkerCache keyed by (loader namespace,
// name), bounded with every other cache of the process (worker-cache.h). Unnamed ones
// (`get(null)`, `load()`) are in the same cache under a key of their own, so they count toward
// the same budget and an idle one may be unloaded for room; they go for good once their JS stubs
// are collected (a WorkerLease, see releaserOf) and no request on them is in flight. Which
// Worker a `get(name)` reuses is decided by the binding's JS half (js/worker-loader.js), which
// also holds getCode and its result; it reaches Workers here by a numeric handle and asks again
// (getCode again, or the code load() kept) once workerAlive() says the handle's Worker was
// unloaded. A dynamic Worker's fetch() goes where its code's globalOutbound says: the host's
// own outbound, nowhere, or an entrypoint of the host (io/outbound/entrypoint-outbound.h).
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

  uint64_t loadWorker(WorkerCode code, std::shared_ptr<const api::RpcMessage> env, api::DynamicLimits limits, std::string ns,
                      std::optional<std::string> name, api::DynamicOutbound outbound) override;
  std::function<void()> releaserOf(uint64_t id) override;
  bool workerAlive(uint64_t id) override;
  js::Value fetchWorker(js::Lock& js, uint64_t id, HttpRequest request, std::string entrypoint,
                        std::shared_ptr<const api::RpcMessage> props, api::DynamicLimits limits) override;
  // Defined in io/rpc.cc.
  js::Value callWorker(js::Lock& js, uint64_t id, std::string entrypoint, std::shared_ptr<const api::RpcMessage> props,
                       api::DynamicLimits limits, api::RpcCall call,
                       std::shared_ptr<api::RpcPipeline> pipeline) override;

  // The host's invocation `ctx` is over: its calls still waiting in line are dropped.
  void invocationFinished(const RequestContext* ctx);

  // Unloads unnamed Worker `id`: no stub holds it any more. Requests still in flight on it
  // finish first (they hold it). A no-op for a named or unknown id.
  void release(uint64_t id);

  // Unloads the named Worker `name` of loader namespace `ns`; false if it is not loaded.
  bool evict(const std::string& ns, const std::string& name);
  // The memory of that Worker as last measured, if it is loaded.
  std::optional<uint64_t> loadedBytes(const std::string& ns, const std::string& name) const;

  // Live handles: the Workers in the cache, named and unnamed.
  size_t size() const { return handles_.size(); }

 private:
  struct Handle {
    std::string key;                        // its cache key
    std::weak_ptr<WorkerInstance> instance;  // the cache holds it
    bool named = false;
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
  std::unordered_map<std::string, uint64_t> idOfKey_;  // the handle of each cached key
  std::map<const RequestContext*, std::shared_ptr<CallLine>> lines_;
  std::unique_ptr<WorkerCache> cache_;
  // Releasers (releaserOf) may outlive this loader; they hold a weak copy.
  std::shared_ptr<WorkerLoader*> self_;
};

// The lower of `base` and what `limits` asks for.
Limits lowerLimits(Limits base, const api::DynamicLimits& limits);

// The cache key of named Worker `name` in loader namespace `ns`.
std::string loaderCacheKey(const std::string& ns, const std::string& name);

}  // namespace wisp::io
