// The warm-Worker cache: least recently used first, bounded by a count and a memory budget that
// every cache of the process shares, idle expiry, explicit evict, and Workers with requests in
// flight never unloaded under them.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "io/worker-cache.h"
#include "io/worker-instance.h"

namespace wisp::io {
namespace {

constexpr uint64_t kMiB = 1u << 20;

std::shared_ptr<WorkerInstance> load(boost::asio::io_context& ioc, const std::string& source = "export default {};") {
  return WorkerInstance::load(ioc, buildWorkerCode("main.js", {{"main.js", source, {}}}), {});
}

// Runs the loop until `w` has started and the cache has seen it go idle (it is measured then).
void settle(boost::asio::io_context& ioc, const std::shared_ptr<WorkerInstance>& w) {
  while (!w->started() && ioc.run_one()) {
  }
  ioc.poll();
  ioc.restart();
}

// A Worker that keeps `mib` MiB of ArrayBuffer memory alive.
std::string holding(int mib) { return "globalThis.keep = new Uint8Array(" + std::to_string(mib) + " << 20); export default {};"; }

TEST(WorkerCache, FindsWhatWasInserted) {
  boost::asio::io_context ioc;
  auto budget = std::make_shared<CacheBudget>(kMiB << 10, 100);
  WorkerCache cache(ioc, budget, 0);
  auto a = load(ioc);
  cache.insert("a", a);
  settle(ioc, a);
  EXPECT_EQ(cache.find("a"), a);
  EXPECT_EQ(cache.find("b"), nullptr);
  EXPECT_EQ(budget->workers(), 1u);
  EXPECT_GT(cache.memoryBytes("a"), 0u);  // measured once idle
  EXPECT_EQ(budget->bytes(), cache.memoryBytes("a"));
}

TEST(WorkerCache, BeyondTheCountTheLeastRecentlyUsedGoes) {
  boost::asio::io_context ioc;
  auto budget = std::make_shared<CacheBudget>(kMiB << 10, 2);
  std::vector<std::string> unloaded;
  WorkerCache cache(ioc, budget, 0, [&](const std::string& key) { unloaded.push_back(key); });
  for (const char* key : {"a", "b"}) {
    auto w = load(ioc);
    cache.insert(key, w);
    settle(ioc, w);
  }
  cache.find("a");  // "b" is now the least recently used
  auto c = load(ioc);
  cache.insert("c", c);
  settle(ioc, c);
  EXPECT_EQ(unloaded, std::vector<std::string>{"b"});
  EXPECT_NE(cache.peek("a"), nullptr);
  EXPECT_EQ(cache.peek("b"), nullptr);
  EXPECT_EQ(budget->workers(), 2u);
}

TEST(WorkerCache, ABusyWorkerIsNeverUnloadedForRoom) {
  boost::asio::io_context ioc;
  auto budget = std::make_shared<CacheBudget>(kMiB << 10, 1);
  WorkerCache cache(ioc, budget, 0);
  auto a = load(ioc);
  cache.insert("a", a);
  settle(ioc, a);
  auto inFlight = a->use();  // a request on "a"
  auto b = load(ioc);
  cache.insert("b", b);
  settle(ioc, b);
  // Over the count for a moment rather than unloading "a" under its request or "b" just used.
  EXPECT_NE(cache.peek("a"), nullptr);
  EXPECT_NE(cache.peek("b"), nullptr);
  inFlight.reset();  // "a" answered: it was just used, so "b" goes
  ioc.poll();
  ioc.restart();
  EXPECT_NE(cache.peek("a"), nullptr);
  EXPECT_EQ(cache.peek("b"), nullptr);
  EXPECT_EQ(budget->workers(), 1u);
}

TEST(WorkerCache, BeyondTheMemoryBudgetIdleWorkersAreUnloaded) {
  boost::asio::io_context ioc;
  // Each Worker holds 5 MiB of ArrayBuffers plus its heap (well under 2 MiB): two fit, three do not.
  auto budget = std::make_shared<CacheBudget>(15 * kMiB, 100);
  WorkerCache cache(ioc, budget, 0);
  for (const char* key : {"a", "b", "c"}) {
    auto w = load(ioc, holding(5));
    cache.insert(key, w);
    settle(ioc, w);
    EXPECT_GT(cache.memoryBytes(key), 5 * kMiB);
    EXPECT_LT(cache.memoryBytes(key), 7 * kMiB);
  }
  EXPECT_EQ(cache.peek("a"), nullptr);  // the least recently used
  EXPECT_NE(cache.peek("b"), nullptr);
  EXPECT_NE(cache.peek("c"), nullptr);
  EXPECT_LE(budget->bytes(), budget->maxBytes());
  EXPECT_EQ(budget->bytes(), cache.memoryBytes("b") + cache.memoryBytes("c"));
}

TEST(WorkerCache, TheBudgetIsSharedAcrossLoops) {
  // Two loops, one budget for one Worker: a Worker used on the second loop makes the first loop
  // unload its idle one.
  boost::asio::io_context first, second;
  auto budget = std::make_shared<CacheBudget>(kMiB << 10, 1);
  WorkerCache a(first, budget, 0), b(second, budget, 0);
  auto old = load(first);
  a.insert("x", old);
  settle(first, old);
  auto fresh = load(second);
  b.insert("y", fresh);
  settle(second, fresh);
  EXPECT_EQ(budget->workers(), 2u);  // the second loop kept the Worker it just used...
  first.poll();                      // ...and asked the first loop for room
  EXPECT_EQ(a.size(), 0u);
  EXPECT_EQ(b.size(), 1u);
  EXPECT_EQ(budget->workers(), 1u);
}

TEST(WorkerCache, EvictDropsAWorkerButItsRequestInFlightKeepsIt) {
  boost::asio::io_context ioc;
  auto budget = std::make_shared<CacheBudget>(kMiB << 10, 100);
  WorkerCache cache(ioc, budget, 0);
  auto a = load(ioc);
  cache.insert("a", a);
  settle(ioc, a);
  std::weak_ptr<WorkerInstance> weak = a;
  auto inFlight = a->use();
  a.reset();
  EXPECT_TRUE(cache.evict("a"));
  EXPECT_FALSE(cache.evict("a"));
  ioc.poll();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(budget->workers(), 0u);
  EXPECT_EQ(budget->bytes(), 0u);
  EXPECT_FALSE(weak.expired());  // the request still holds it
  inFlight.reset();
  ioc.poll();
  EXPECT_TRUE(weak.expired());
}

TEST(WorkerCache, EvictIfDropsEveryMatchingKey) {
  boost::asio::io_context ioc;
  WorkerCache cache(ioc, std::make_shared<CacheBudget>(kMiB << 10, 100), 0);
  for (const char* key : {"x:1", "x:2", "y:1"}) cache.insert(key, load(ioc));
  EXPECT_EQ(cache.evictIf([](const std::string& k) { return k.starts_with("x:"); }), 2u);
  EXPECT_EQ(cache.size(), 1u);
  ioc.poll();
}

TEST(WorkerCache, IdleWorkersExpire) {
  boost::asio::io_context ioc;
  auto budget = std::make_shared<CacheBudget>(kMiB << 10, 100);
  std::vector<std::string> unloaded;
  WorkerCache cache(ioc, budget, 0.05, [&](const std::string& key) { unloaded.push_back(key); });
  auto busy = load(ioc), idle = load(ioc);
  auto inFlight = busy->use();
  cache.insert("busy", busy);
  cache.insert("idle", idle);
  settle(ioc, busy);
  settle(ioc, idle);
  ioc.run_for(std::chrono::milliseconds(300));
  EXPECT_EQ(unloaded, std::vector<std::string>{"idle"});
  EXPECT_NE(cache.peek("busy"), nullptr);  // a request in flight is not idleness
}

TEST(WorkerCache, InsertReplacesTheWorkerUnderAKey) {
  boost::asio::io_context ioc;
  auto budget = std::make_shared<CacheBudget>(kMiB << 10, 100);
  WorkerCache cache(ioc, budget, 0);
  auto first = load(ioc), second = load(ioc);
  cache.insert("k", first);
  cache.insert("k", second);
  EXPECT_EQ(cache.peek("k"), second);
  EXPECT_EQ(budget->workers(), 1u);
  settle(ioc, second);
}

TEST(WorkerCache, LeavingTheProcessBudgetGivesBackWhatItHeld) {
  boost::asio::io_context ioc;
  auto budget = std::make_shared<CacheBudget>(kMiB << 10, 100);
  {
    WorkerCache cache(ioc, budget, 0);
    auto a = load(ioc, holding(1));
    cache.insert("a", a);
    settle(ioc, a);
    EXPECT_GT(budget->bytes(), kMiB);
  }
  EXPECT_EQ(budget->workers(), 0u);
  EXPECT_EQ(budget->bytes(), 0u);
  ioc.poll();
}

}  // namespace
}  // namespace wisp::io
