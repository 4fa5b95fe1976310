#include "io/watchdog.h"

#include <algorithm>

namespace wisp::io {

using Clock = std::chrono::steady_clock;

double threadCpuMs(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) * 1000.0 + static_cast<double>(ts.tv_nsec) / 1e6;
}

clockid_t currentThreadCpuClock() {
  clockid_t id;
  pthread_getcpuclockid(pthread_self(), &id);
  return id;
}

Watchdog& Watchdog::instance() {
  static Watchdog dog;
  return dog;
}

Watchdog::Watchdog() : thread_([this] { loop(); }) {}

Watchdog::~Watchdog() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

Watchdog::Guard Watchdog::arm(js::Isolate& isolate, double cpuBudgetMs, Clock::time_point wallDeadline) {
  auto clock = currentThreadCpuClock();
  Entry e{&isolate, clock, threadCpuMs(clock), std::max(0.0, cpuBudgetMs), wallDeadline, {}};
  // CPU time cannot run faster than the wall clock: the first check is due when the whole
  // budget could have been spent, so an idle watchdog never polls.
  e.nextCheck = std::min(wallDeadline, Clock::now() + std::chrono::microseconds(static_cast<int64_t>(e.cpuBudgetMs * 1000)));
  uint64_t id;
  bool wake;
  {
    std::lock_guard lock(mutex_);
    id = nextId_++;
    entries_.emplace(id, e);
    // Most entries end long before their first check is due: only wake the thread (a context
    // switch per entry into JS) when this check comes before its next wake-up.
    wake = e.nextCheck < nextWake_;
    if (wake) nextWake_ = e.nextCheck;
  }
  if (wake) wake_.notify_all();
  return Guard(id);
}

Watchdog::Guard::~Guard() {
  if (id_) Watchdog::instance().disarm(id_);
}

void Watchdog::disarm(uint64_t id) {
  std::lock_guard lock(mutex_);
  entries_.erase(id);
}

void Watchdog::loop() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    if (entries_.empty()) {
      nextWake_ = Clock::time_point::max();
      wake_.wait(lock);
      continue;
    }
    auto now = Clock::now();
    auto next = Clock::time_point::max();
    for (auto it = entries_.begin(); it != entries_.end();) {
      Entry& e = it->second;
      if (now >= e.nextCheck) {
        if (now >= e.wallDeadline) {
          e.isolate->terminate(js::TerminationReason::WallTime);
          it = entries_.erase(it);
          continue;
        }
        double used = threadCpuMs(e.cpuClock) - e.cpuStartMs;
        if (used >= e.cpuBudgetMs) {
          e.isolate->terminate(js::TerminationReason::CpuTime);
          it = entries_.erase(it);
          continue;
        }
        auto remaining = std::chrono::microseconds(static_cast<int64_t>((e.cpuBudgetMs - used) * 1000) + 100);
        e.nextCheck = std::min(e.wallDeadline, now + remaining);
      }
      next = std::min(next, e.nextCheck);
      ++it;
    }
    nextWake_ = next;
    if (next != Clock::time_point::max()) wake_.wait_until(lock, next);
  }
}

}  // namespace wisp::io
