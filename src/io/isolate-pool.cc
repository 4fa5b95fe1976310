#include "io/isolate-pool.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>

namespace wisp::io {

std::atomic<IsolatePool*> IsolatePool::current_{nullptr};

namespace {

// Only plain snapshot isolates are pooled; the heap limit is fixed when an isolate is made.
bool sameOptions(const js::IsolateOptions& a, const js::IsolateOptions& b) {
  return a.fromSnapshot && b.fromSnapshot && !a.install && !b.install && a.heapLimitBytes == b.heapLimitBytes &&
         a.allowCodeGeneration == b.allowCodeGeneration;
}

}  // namespace

IsolatePool::IsolatePool(size_t capacity, js::IsolateOptions options)
    : capacity_(capacity), options_(std::move(options)) {
  IsolatePool* none = nullptr;
  if (capacity_ == 0 || !current_.compare_exchange_strong(none, this)) return;  // one per process
  thread_ = std::thread([this] { refill(); });
}

IsolatePool::~IsolatePool() {
  IsolatePool* self = this;
  current_.compare_exchange_strong(self, nullptr);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  ready_.clear();
}

std::unique_ptr<js::Isolate> IsolatePool::take(const js::IsolateOptions& options) {
  if (IsolatePool* pool = current_.load()) {
    if (auto isolate = pool->takeReady(options)) return isolate;
  }
  return js::Isolate::create(options);
}

std::unique_ptr<js::Isolate> IsolatePool::takeReady(const js::IsolateOptions& options) {
  if (!sameOptions(options, options_)) return nullptr;
  std::unique_ptr<js::Isolate> isolate;
  {
    std::lock_guard lock(mutex_);
    if (ready_.empty()) {
      misses_++;
    } else {
      hits_++;
      isolate = std::move(ready_.front());
      ready_.pop_front();
    }
  }
  wake_.notify_one();
  return isolate;
}

IsolatePool::Stats IsolatePool::stats() {
  std::lock_guard lock(mutex_);
  return {ready_.size(), hits_, misses_};
}

void IsolatePool::refill() {
  // Below the event loops: under a burst of cold starts the loops make isolates themselves,
  // and the pool catches up when they are idle.
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || ready_.size() < capacity_; });
    if (stopping_) return;
    lock.unlock();
    std::unique_ptr<js::Isolate> isolate;
    try {
      isolate = js::Isolate::create(options_);
    } catch (const std::exception& e) {
      // Out of memory or maps: say so and stop refilling; Workers then make their own.
      std::fprintf(stderr, "wisp: the isolate pool stopped: %s\n", e.what());
      lock.lock();
      return;
    }
    lock.lock();
    ready_.push_back(std::move(isolate));
  }
}

}  // namespace wisp::io
