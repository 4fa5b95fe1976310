// io::IsolatePool: blank isolates from the startup snapshot, made ahead of time on a thread of
// their own, so that starting a Worker skips V8's isolate and context creation (most of a cold
// start: page faults of fresh heap pages and deserialising the snapshot). The thread runs at a
// low priority and refills the pool after each take, off the request path.
//
// One pool per process, started by `wisp serve`: while one exists, Worker creation takes its
// isolates from it (when the options match) and otherwise creates them itself.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "js/isolate.h"

namespace wisp::io {

class IsolatePool {
 public:
  // Keeps up to `capacity` isolates made with `options` ready; starts filling at once.
  IsolatePool(size_t capacity, js::IsolateOptions options);
  // Stops the thread and frees the isolates not taken. Before V8 shuts down.
  ~IsolatePool();
  IsolatePool(const IsolatePool&) = delete;
  IsolatePool& operator=(const IsolatePool&) = delete;

  // An isolate for `options`: a ready one from the process's pool when there is one with the
  // same options, else a new one made now on the calling thread.
  static std::unique_ptr<js::Isolate> take(const js::IsolateOptions& options);

  // How many isolates the pool handed out ready, and how many takes found it empty.
  struct Stats {
    size_t ready = 0;
    uint64_t hits = 0;
    uint64_t misses = 0;
  };
  Stats stats();

 private:
  std::unique_ptr<js::Isolate> takeReady(const js::IsolateOptions& options);
  void refill();

  static std::atomic<IsolatePool*> current_;

  const size_t capacity_;
  const js::IsolateOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<js::Isolate>> ready_;
  bool stopping_ = false;
  uint64_t hits_ = 0, misses_ = 0;
  std::thread thread_;
};

}  // namespace wisp::io
