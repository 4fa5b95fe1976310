#include "io/worker-cache.h"

#include <algorithm>
#include <chrono>
#include <list>
#include <unordered_map>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace wisp::io {

using Clock = std::chrono::steady_clock;

struct CacheBudget::Member {
  boost::asio::io_context* ioc;
  std::weak_ptr<WorkerCache::Core> core;
  std::atomic<bool> trimPosted{false};  // one trim request in the loop's queue at a time
};

struct WorkerCache::Core : std::enable_shared_from_this<WorkerCache::Core> {
  struct Entry {
    std::string key;
    std::shared_ptr<WorkerInstance> worker;
    uint64_t bytes = 0;  // last measured, counted in the budget
    Clock::time_point lastUsed = Clock::now();
  };
  using Iterator = std::list<Entry>::iterator;

  Core(boost::asio::io_context& ioc, std::shared_ptr<CacheBudget> budget, double idleSeconds,
       std::function<void(const std::string&)> onUnload)
      : ioc(ioc), budget(std::move(budget)), idleSeconds(idleSeconds), onUnload(std::move(onUnload)), sweepTimer(ioc) {}

  boost::asio::io_context& ioc;
  std::shared_ptr<CacheBudget> budget;
  double idleSeconds;
  std::function<void(const std::string&)> onUnload;
  std::list<Entry> lru;  // most recently used first
  std::unordered_map<std::string, Iterator> index;
  boost::asio::steady_timer sweepTimer;
  std::shared_ptr<CacheBudget::Member> member;

  void touch(Iterator it) {
    it->lastUsed = Clock::now();
    lru.splice(lru.begin(), lru, it);
  }

  void measure(Iterator it) {
    uint64_t now = it->worker->memoryBytes();
    budget->add(static_cast<int64_t>(now) - static_cast<int64_t>(it->bytes), 0);
    it->bytes = now;
  }

  // Takes the entry out of the cache; the Worker goes after this turn of the loop (never inside an
  // entry into JS), or once the requests still in flight on it are answered.
  std::shared_ptr<WorkerInstance> remove(Iterator it) {
    auto worker = std::move(it->worker);
    worker->onIdle = nullptr;
    budget->add(-static_cast<int64_t>(it->bytes), -1);
    index.erase(it->key);
    lru.erase(it);
    return worker;
  }

  void unload(Iterator it) {
    std::string key = it->key;
    boost::asio::post(ioc, [gone = remove(it)] {});
    if (onUnload) onUnload(key);
  }

  // The Worker under `key` went idle: measure it, count it as used now, and make room.
  void settled(const std::string& key, const WorkerInstance* worker) {
    auto found = index.find(key);
    if (found == index.end() || found->second->worker.get() != worker) return;
    measure(found->second);
    touch(found->second);
    trim(true, worker);
  }

  // `keep`: the Worker that was just used, unloaded only when another loop asks (an older idle
  // Worker elsewhere should go first).
  void trim(bool askOthers, const WorkerInstance* keep) {
    while (budget->exceeded()) {
      auto victim = lru.end();
      for (auto it = lru.end(); it != lru.begin();) {
        --it;
        if (!it->worker->busy() && it->worker.get() != keep) {
          victim = it;
          break;
        }
      }
      if (victim == lru.end()) break;  // everything here is busy
      unload(victim);
    }
    if (askOthers && budget->exceeded()) budget->askOthers(member.get());
  }

  void armSweep() {
    if (idleSeconds <= 0) return;
    auto period = std::chrono::duration<double>(std::clamp(idleSeconds / 4, 0.05, 30.0));
    sweepTimer.expires_after(std::chrono::duration_cast<Clock::duration>(period));
    sweepTimer.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      auto self = weak.lock();
      if (ec || !self) return;  // cancelled: the cache is going away
      self->sweep();
      self->armSweep();
    });
  }

  void sweep() {
    auto cutoff = Clock::now() - std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(idleSeconds));
    for (auto it = lru.end(); it != lru.begin();) {
      --it;
      if (it->lastUsed >= cutoff) break;  // the rest were used later
      if (it->worker->busy()) continue;
      auto victim = it;
      ++it;  // past the victim, toward the older entries already seen: `--it` goes on from there
      unload(victim);
    }
  }
};

// ---- CacheBudget ----

void CacheBudget::add(int64_t bytes, int64_t workers) {
  bytes_ += bytes;
  workers_ += workers;
}

void CacheBudget::join(std::shared_ptr<Member> member) {
  std::lock_guard lock(mutex_);
  members_.push_back(std::move(member));
}

void CacheBudget::leave(const Member* member) {
  std::lock_guard lock(mutex_);
  std::erase_if(members_, [&](const auto& m) { return m.get() == member; });
}

void CacheBudget::askOthers(const Member* asking) {
  std::lock_guard lock(mutex_);
  for (auto& m : members_) {
    if (m.get() == asking || m->trimPosted.exchange(true)) continue;
    boost::asio::post(*m->ioc, [m] {
      m->trimPosted = false;
      // Asked by another loop: trim here, but do not ask back (that could go round forever).
      if (auto core = m->core.lock()) core->trim(false, nullptr);
    });
  }
}

// ---- WorkerCache ----

WorkerCache::WorkerCache(boost::asio::io_context& ioc, std::shared_ptr<CacheBudget> budget, double idleSeconds,
                         std::function<void(const std::string& key)> onUnload)
    : core_(std::make_shared<Core>(ioc, std::move(budget), idleSeconds, std::move(onUnload))) {
  core_->member = std::make_shared<CacheBudget::Member>();
  core_->member->ioc = &ioc;
  core_->member->core = core_;
  core_->budget->join(core_->member);
  core_->armSweep();
}

WorkerCache::~WorkerCache() {
  core_->budget->leave(core_->member.get());
  core_->sweepTimer.cancel();
  while (!core_->lru.empty()) core_->remove(core_->lru.begin());
}

std::shared_ptr<WorkerInstance> WorkerCache::find(const std::string& key) {
  auto it = core_->index.find(key);
  if (it == core_->index.end()) return nullptr;
  core_->touch(it->second);
  return it->second->worker;
}

std::shared_ptr<WorkerInstance> WorkerCache::peek(const std::string& key) const {
  auto it = core_->index.find(key);
  return it == core_->index.end() ? nullptr : it->second->worker;
}

void WorkerCache::insert(const std::string& key, std::shared_ptr<WorkerInstance> worker) {
  auto& core = *core_;
  if (auto old = core.index.find(key); old != core.index.end()) boost::asio::post(core.ioc, [gone = core.remove(old->second)] {});
  core.lru.push_front({key, std::move(worker)});
  auto it = core.lru.begin();
  core.index[key] = it;
  core.budget->add(0, 1);
  it->worker->onIdle = [weak = std::weak_ptr<Core>(core_), key, raw = it->worker.get()] {
    if (auto core = weak.lock()) core->settled(key, raw);
  };
  if (!it->worker->busy()) core.measure(it);
  core.trim(true, it->worker.get());
}

bool WorkerCache::evict(const std::string& key) {
  auto it = core_->index.find(key);
  if (it == core_->index.end()) return false;
  core_->unload(it->second);
  return true;
}

size_t WorkerCache::evictIf(const std::function<bool(const std::string& key)>& match) {
  std::vector<std::string> keys;
  for (auto& e : core_->lru)
    if (match(e.key)) keys.push_back(e.key);
  for (auto& k : keys) evict(k);
  return keys.size();
}

void WorkerCache::trim() { core_->trim(true, nullptr); }

size_t WorkerCache::size() const { return core_->lru.size(); }

uint64_t WorkerCache::memoryBytes(const std::string& key) const {
  auto it = core_->index.find(key);
  return it == core_->index.end() ? 0 : it->second->bytes;
}

}  // namespace wisp::io
