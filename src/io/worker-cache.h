// io::WorkerCache: warm Workers by key on one event loop (a host's named dynamic Workers, the
// built-in API's uploaded and `id`-ed Workers), in least-recently-used order.
//
// Every cache of the process shares one CacheBudget: a count of cached Workers and a memory
// budget (each Worker's isolate heap in use plus its ArrayBuffer bytes, measured whenever it goes
// idle). When the process is over either, a cache unloads its own least recently used idle
// Workers first, except the one just used; if that is not enough it asks the caches on the other
// loops, which unload their least recently used idle Workers (LRU is per loop, the budget is
// process-wide).
// A busy Worker (starting, or with a request in flight) is never unloaded for room or
// idleness: serving goes on, over the budget for a moment if it must. evict() drops a Worker
// whatever its state; requests in flight on it still finish (they hold it).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "io/worker-instance.h"

namespace wisp::io {

class CacheBudget {
 public:
  CacheBudget(uint64_t maxBytes, uint64_t maxWorkers) : maxBytes_(maxBytes), maxWorkers_(maxWorkers) {}

  uint64_t maxBytes() const { return maxBytes_; }
  uint64_t maxWorkers() const { return maxWorkers_; }
  // What the caches hold now, all loops together.
  uint64_t bytes() const { return bytes_.load(); }
  uint64_t workers() const { return workers_.load(); }
  bool exceeded() const { return bytes() > maxBytes_ || workers() > maxWorkers_; }

 private:
  friend class WorkerCache;
  struct Member;
  void add(int64_t bytes, int64_t workers);
  void join(std::shared_ptr<Member> member);
  void leave(const Member* member);
  // Posts a trim to every other cache's loop (one at a time per cache).
  void askOthers(const Member* asking);

  const uint64_t maxBytes_;
  const uint64_t maxWorkers_;
  std::atomic<int64_t> bytes_{0};
  std::atomic<int64_t> workers_{0};
  std::mutex mutex_;
  std::vector<std::shared_ptr<Member>> members_;
};

class WorkerCache {
 public:
  // `idleSeconds`: a Worker unused this long is unloaded (0: never). `onUnload` runs for each key
  // the cache drops by itself or through evict() (not for insert() replacing a key).
  WorkerCache(boost::asio::io_context& ioc, std::shared_ptr<CacheBudget> budget, double idleSeconds,
              std::function<void(const std::string& key)> onUnload = {});
  ~WorkerCache();
  WorkerCache(const WorkerCache&) = delete;
  WorkerCache& operator=(const WorkerCache&) = delete;

  // The Worker cached under `key` (now the most recently used), or null.
  std::shared_ptr<WorkerInstance> find(const std::string& key);
  // The same, without counting as a use.
  std::shared_ptr<WorkerInstance> peek(const std::string& key) const;
  // Caches `worker` under `key`, replacing what was there, then makes room if the process is over
  // its budget.
  void insert(const std::string& key, std::shared_ptr<WorkerInstance> worker);
  // Drops the Worker cached under `key`; false if there is none.
  bool evict(const std::string& key);
  // Drops every Worker whose key matches; returns how many.
  size_t evictIf(const std::function<bool(const std::string& key)>& match);

  // Unloads least recently used idle Workers while the process is over its budget; asks the other
  // loops' caches when this one has nothing left to give.
  void trim();

  size_t size() const;
  // The last measured size of the Worker under `key` (0 when unknown or not measured yet).
  uint64_t memoryBytes(const std::string& key) const;

  struct Core;

 private:
  std::shared_ptr<Core> core_;
};

}  // namespace wisp::io
