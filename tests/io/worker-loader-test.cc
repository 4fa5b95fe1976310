// The Worker Loader's runtime half: dynamic Workers on the host's loop, reached through
// Worker::awaitIo, and unloaded with the invocation that loaded them when they have no name.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "io/worker-loader.h"
#include "io/worker.h"

namespace wisp::io {
namespace {

struct Host {
  boost::asio::io_context ioc;
  std::shared_ptr<Worker> worker;

  explicit Host(std::string source, Limits limits = {}) {
    Worker::Options options;
    options.limits = limits;
    options.workerLoaders = {{"LOADER", "LOADER"}};
    worker = Worker::create(ioc, buildWorkerCode("main.js", {{"main.js", std::move(source), {}}}), options);
    std::optional<Failure> failure;
    bool started = false;
    worker->start([&](std::optional<Failure> f) {
      started = true;
      failure = f;
    });
    while (!started && ioc.run_one()) {
    }
    EXPECT_FALSE(failure) << failure->text();
  }

  FetchResult fetch() {
    FetchResult out;
    bool done = false;
    worker->fetch({}, "default", [&](FetchResult r) {
      out = std::move(r);
      done = true;
    });
    while (!done && ioc.run_one()) {
    }
    ioc.poll();  // what runs after the answer (unloading)
    return out;
  }

  WorkerLoader& loader() { return *static_cast<WorkerLoader*>(worker->workerLoader()); }
};

constexpr const char* kHost = R"(
  const code = { compatibilityDate: "2025-06-01", mainModule: "a.js",
                 modules: { "a.js": "export default { fetch(r, env, ctx) { return new Response(env.n + ':' + ctx.props.p); } }" },
                 env: { n: 7 } };
  export default {
    async fetch(request, env) {
      const named = await env.LOADER.get("n", () => code).getEntrypoint(null, { props: { p: 1 } }).fetch("http://x/");
      const fresh = await env.LOADER.load(code).getEntrypoint(null, { props: { p: 2 } }).fetch("http://x/");
      return new Response(await named.text() + " " + await fresh.text());
    },
  };)";

TEST(WorkerLoader, AnswersFromDynamicWorkersOnTheSameLoop) {
  Host host(kHost);
  auto r = host.fetch();
  ASSERT_FALSE(r.error) << r.error->text();
  EXPECT_EQ(r.response->body, "7:1 7:2");
}

TEST(WorkerLoader, UnloadsUnnamedWorkersWithTheirInvocation) {
  Host host(kHost);
  host.fetch();
  EXPECT_EQ(host.loader().size(), 1u);  // only "n" stays
  host.fetch();
  EXPECT_EQ(host.loader().size(), 1u);
}

TEST(WorkerLoader, LimitsAreTheLowerOfBoth) {
  Limits server;
  server.cpuMs = 100;
  server.subrequests = 10;
  auto l = lowerLimits(server, {50.0, 20u});
  EXPECT_EQ(l.cpuMs, 50);
  EXPECT_EQ(l.subrequests, 10u);
  l = lowerLimits(server, {});
  EXPECT_EQ(l.cpuMs, 100);
}

TEST(WorkerLoader, AHostWaitingOnADynamicWorkerIsNotReportedAsHung) {
  // Nothing but the pending dynamic call keeps this invocation alive (no timers, no waitUntil).
  Host host(R"(
    export default { fetch(request, env) {
      return env.LOADER.load({ compatibilityDate: "2025-06-01", mainModule: "a.js",
                               modules: { "a.js": "export default { async fetch() { await new Promise((ok) => setTimeout(ok, 10)); return new Response('late'); } }" } })
        .getEntrypoint().fetch("http://x/");
    } };)");
  auto r = host.fetch();
  ASSERT_FALSE(r.error) << r.error->text();
  EXPECT_EQ(r.response->body, "late");
}

}  // namespace
}  // namespace wisp::io
