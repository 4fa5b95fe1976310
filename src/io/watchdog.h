// The watchdog thread: stops JavaScript that runs past its CPU or wall-time budget by calling
// TerminateExecution on its isolate (so a synchronous `while(true){}` ends). One per process.
#pragma once

#include <pthread.h>
#include <time.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>

#include "js/isolate.h"

namespace wisp::io {

// Thread CPU time in milliseconds.
double threadCpuMs(clockid_t clock);
clockid_t currentThreadCpuClock();

class Watchdog {
 public:
  static Watchdog& instance();
  ~Watchdog();

  // While a Guard lives, `isolate` is terminated if the calling thread spends more than
  // `cpuBudgetMs` of CPU time, or once the steady clock passes `wallDeadline`.
  class Guard {
   public:
    Guard(Guard&& o) noexcept : id_(std::exchange(o.id_, 0)) {}
    ~Guard();

   private:
    friend class Watchdog;
    explicit Guard(uint64_t id) : id_(id) {}
    uint64_t id_;
  };
  Guard arm(js::Isolate& isolate, double cpuBudgetMs, std::chrono::steady_clock::time_point wallDeadline);

 private:
  Watchdog();
  void loop();
  void disarm(uint64_t id);

  struct Entry {
    js::Isolate* isolate;
    clockid_t cpuClock;
    double cpuStartMs;
    double cpuBudgetMs;
    std::chrono::steady_clock::time_point wallDeadline;
    std::chrono::steady_clock::time_point nextCheck;
  };
  std::mutex mutex_;
  std::condition_variable wake_;
  std::map<uint64_t, Entry> entries_;
  uint64_t nextId_ = 1;
  bool stop_ = false;
  // When the watchdog thread will next wake up by itself; arm() only wakes it earlier if needed.
  std::chrono::steady_clock::time_point nextWake_ = std::chrono::steady_clock::time_point::max();
  std::thread thread_;
};

}  // namespace wisp::io
