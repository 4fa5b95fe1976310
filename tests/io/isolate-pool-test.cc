// The isolate pool: Workers started while a pool runs get ready isolates from it, behave exactly
// like Workers with isolates of their own, and never share one; other options bypass the pool.
#include <gtest/gtest.h>

#include <unistd.h>

#include <boost/asio/io_context.hpp>

#include "io/isolate-pool.h"
#include "io/worker.h"

namespace wisp::io {
namespace {

// Starts a Worker whose fetch answers with a global it set on its first request, and calls it
// once: a fresh isolate answers "first".
std::string answerOfNewWorker(Limits limits = {}) {
  boost::asio::io_context ioc;
  Worker::Options options;
  options.limits = limits;
  auto worker = Worker::create(ioc, buildWorkerCode("main.js", {{"main.js", R"(
    export default { fetch() {
      const seen = globalThis.seen ? "again" : "first";
      globalThis.seen = true;
      return new Response(seen);
    } };)", {}}}), options);
  std::string answer = "no answer";
  worker->start([&](std::optional<Failure> f) {
    if (f) return void(answer = f->text());
    worker->fetch({}, "default", [&](FetchResult r) { answer = r.error ? r.error->text() : r.response->body; });
  });
  ioc.run();
  return answer;
}

void waitUntilFull(IsolatePool& pool, size_t size) {
  for (int i = 0; i < 5000 && pool.stats().ready < size; i++) usleep(1000);
  ASSERT_EQ(pool.stats().ready, size);
}

TEST(IsolatePool, WorkersTakeReadyIsolatesAndEachGetsAFreshOne) {
  IsolatePool pool(2, {});
  waitUntilFull(pool, 2);
  EXPECT_EQ(answerOfNewWorker(), "first");
  EXPECT_EQ(answerOfNewWorker(), "first");  // not the isolate of the Worker before
  auto stats = pool.stats();
  EXPECT_EQ(stats.hits, 2u);
  waitUntilFull(pool, 2);  // refilled off the request path
}

TEST(IsolatePool, OtherHeapLimitsMakeTheirOwnIsolate) {
  IsolatePool pool(1, {});
  waitUntilFull(pool, 1);
  Limits small;
  small.heapBytes = 32u << 20;
  EXPECT_EQ(answerOfNewWorker(small), "first");
  EXPECT_EQ(pool.stats().hits, 0u);
  EXPECT_EQ(pool.stats().ready, 1u);
}

TEST(IsolatePool, AnEmptyPoolStillServes) {
  IsolatePool pool(0, {});  // capacity 0: no thread, every Worker makes its own isolate
  EXPECT_EQ(answerOfNewWorker(), "first");
  EXPECT_EQ(pool.stats().hits, 0u);
}

}  // namespace
}  // namespace wisp::io
