// The Worker Loader's runtime half: dynamic Workers on the host's loop, reached through
// Worker::awaitIo; unnamed ones kept until their stubs release them; globalOutbound.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "io/worker-cache.h"
#include "io/worker-loader.h"
#include "io/worker.h"
#include "loader-host.h"

namespace wisp::io {
namespace {

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
  LoaderHost host(kHost);
  auto r = host.fetch();
  ASSERT_FALSE(r.error) << r.error->text();
  EXPECT_EQ(r.response->body, "7:1 7:2");
}

// An unnamed Worker whose stub the host keeps in a global; it counts its requests.
constexpr const char* kKeptHost = R"(
  const code = { compatibilityDate: "2025-06-01", mainModule: "a.js",
                 modules: { "a.js": "let n = 0; export default { fetch() { return new Response(String(++n)); } }" } };
  let kept;
  export default {
    async fetch(request, env) {
      kept ??= env.LOADER.load(code);
      return kept.getEntrypoint().fetch("http://x/");
    },
  };)";

TEST(WorkerLoader, AnUnnamedWorkerOutlivesItsInvocationUntilReleasedAndCountsInTheBudget) {
  LoaderSettings loader;
  loader.budget = std::make_shared<CacheBudget>(uint64_t{1} << 30, 10);
  LoaderHost host(kKeptHost, {}, loader);
  EXPECT_EQ(host.fetch().response->body, "1");
  EXPECT_EQ(host.fetch().response->body, "2");  // the same Worker, still loaded
  EXPECT_EQ(host.loader().size(), 1u);
  EXPECT_EQ(loader.budget->workers(), 1u);
  host.loader().release(1);  // what collecting its stubs does
  EXPECT_EQ(host.loader().size(), 0u);
  EXPECT_EQ(loader.budget->workers(), 0u);
  EXPECT_EQ(host.fetch().response->body, "1");  // the kept stub loads it again from its code
}

TEST(WorkerLoader, ReleasingANamedWorkerDoesNothing) {
  LoaderHost host(kHost);
  host.fetch();
  host.loader().release(1);  // "n"
  EXPECT_TRUE(host.loader().loadedBytes("LOADER", "n").has_value());
}

// A host whose dynamic Worker fetches through globalOutbound (`?outbound=` says which).
constexpr const char* kOutboundHost = R"(
  import { WorkerEntrypoint } from "cloudflare:workers";
  export class Gateway extends WorkerEntrypoint {
    async fetch(request) {
      return new Response(`${request.method} ${request.url} ${request.headers.get("x-a")} ${await request.text()} ${this.ctx.props.p}`,
                          { status: 202, headers: { "x-gateway": "1" } });
    }
  }
  const child = `export default { async fetch() {
    try {
      const r = await fetch("http://upstream.test/x", { method: "POST", headers: { "x-a": "b" }, body: "hi" });
      return new Response(r.status + " " + r.headers.get("x-gateway") + " " + await r.text());
    } catch (e) { return new Response(e.message); }
  } };`;
  export default {
    async fetch(request, env, ctx) {
      const which = new URL(request.url).searchParams.get("outbound");
      const code = { compatibilityDate: "2025-06-01", mainModule: "a.js", modules: { "a.js": child } };
      if (which === "gateway") code.globalOutbound = ctx.exports.Gateway({ props: { p: 7 } });
      if (which === "null") code.globalOutbound = null;
      return env.LOADER.load(code).getEntrypoint().fetch("http://x/");
    },
  };)";

FetchResult fetchUrl(LoaderHost& host, const std::string& url) {
  FetchResult out;
  bool done = false;
  HttpRequest request;
  request.url = url;
  host.worker->fetch(request, "default", [&](FetchResult r) {
    out = std::move(r);
    done = true;
  });
  while (!done && host.ioc.run_one()) {
  }
  host.ioc.poll();
  return out;
}

TEST(WorkerLoader, AGatewayEntrypointOfTheHostAnswersTheDynamicWorkersFetch) {
  LoaderHost host(kOutboundHost);
  auto r = fetchUrl(host, "http://host/?outbound=gateway");
  ASSERT_FALSE(r.error) << r.error->text();
  EXPECT_EQ(r.response->body, "202 1 POST http://upstream.test/x b hi 7");
}

TEST(WorkerLoader, AnOmittedOutboundIsTheHostsAndNullBlocks) {
  LoaderHost host(kOutboundHost);  // the host itself has no network (Options::outbound is null)
  const std::string blocked =
      "This worker is not permitted to access the internet via global functions like fetch(). It must use "
      "capabilities (such as bindings in 'env') to talk to the outside world.";
  EXPECT_EQ(fetchUrl(host, "http://host/?outbound=omitted").response->body, blocked);
  EXPECT_EQ(fetchUrl(host, "http://host/?outbound=null").response->body, blocked);
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
  LoaderHost host(R"(
    export default { fetch(request, env) {
      return env.LOADER.load({ compatibilityDate: "2025-06-01", mainModule: "a.js",
                               modules: { "a.js": "export default { async fetch() { await new Promise((ok) => setTimeout(ok, 10)); return new Response('late'); } }" } })
        .getEntrypoint().fetch("http://x/");
    } };)");
  auto r = host.fetch();
  ASSERT_FALSE(r.error) << r.error->text();
  EXPECT_EQ(r.response->body, "late");
}

// A named dynamic Worker that counts how many of its requests run at once.
constexpr const char* kConcurrentHost = R"(
  const code = { compatibilityDate: "2025-06-01", mainModule: "a.js", modules: { "a.js": `
    let active = 0, most = 0;
    export default { async fetch() {
      active++;
      most = Math.max(most, active);
      await new Promise((ok) => setTimeout(ok, 5));
      active--;
      return new Response(String(most));
    } };` } };
  export default {
    async fetch(request, env) {
      const stub = env.LOADER.get("c", () => code);
      const calls = [1, 2, 3, 4, 5].map(() => stub.getEntrypoint().fetch("http://x/").then((r) => r.text()));
      return new Response((await Promise.all(calls)).join(","));
    },
  };)";

TEST(WorkerLoader, CallsBeyondTheConcurrencyBoundWaitInLineAndAllComplete) {
  LoaderSettings loader;
  loader.maxConcurrentPerRequest = 2;
  LoaderHost host(kConcurrentHost, {}, loader);
  auto r = host.fetch();
  ASSERT_FALSE(r.error) << r.error->text();
  EXPECT_EQ(r.response->body, "2,2,2,2,2");  // never more than two at once, and none failed
}

TEST(WorkerLoader, CallsWithinTheBoundRunTogether) {
  LoaderHost host(kConcurrentHost);  // the default bound (6) is above five calls
  auto r = host.fetch();
  ASSERT_FALSE(r.error) << r.error->text();
  EXPECT_EQ(r.response->body, "5,5,5,5,5");  // all five at once
}

constexpr const char* kCountingHost = R"(
  const code = (name) => ({ compatibilityDate: "2025-06-01", mainModule: "a.js",
                            modules: { "a.js": "export default { fetch() { return new Response('ok'); } }" } });
  let calls = 0;
  export default {
    async fetch(request, env) {
      const name = new URL(request.url).searchParams.get("name") ?? "e";
      await env.LOADER.get(name, () => { calls++; return code(name); }).getEntrypoint().fetch("http://x/");
      return new Response(String(calls));
    },
  };)";

FetchResult fetchName(LoaderHost& host, const std::string& name) {
  FetchResult out;
  bool done = false;
  HttpRequest request;
  request.url = "http://host/?name=" + name;
  host.worker->fetch(request, "default", [&](FetchResult r) {
    out = std::move(r);
    done = true;
  });
  while (!done && host.ioc.run_one()) {
  }
  host.ioc.poll();
  return out;
}

TEST(WorkerLoader, EvictUnloadsANamedWorkerAndTheNextCallLoadsItAgain) {
  LoaderHost host(kCountingHost);
  EXPECT_EQ(fetchName(host, "e").response->body, "1");
  EXPECT_EQ(fetchName(host, "e").response->body, "1");  // still loaded: no getCode
  EXPECT_TRUE(host.loader().loadedBytes("LOADER", "e").has_value());
  EXPECT_TRUE(host.loader().evict("LOADER", "e"));
  EXPECT_FALSE(host.loader().loadedBytes("LOADER", "e").has_value());
  EXPECT_FALSE(host.loader().evict("LOADER", "e"));
  EXPECT_FALSE(host.loader().evict("OTHER", "e"));
  EXPECT_EQ(fetchName(host, "e").response->body, "2");  // getCode ran again
}

TEST(WorkerLoader, ASharedBudgetUnloadsTheLeastRecentlyUsedNamedWorker) {
  LoaderSettings loader;
  loader.budget = std::make_shared<CacheBudget>(uint64_t{1} << 30, 2);
  LoaderHost host(kCountingHost, {}, loader);
  fetchName(host, "a");
  fetchName(host, "b");
  fetchName(host, "a");  // "b" is now the least recently used
  EXPECT_EQ(fetchName(host, "c").response->body, "3");
  EXPECT_TRUE(host.loader().loadedBytes("LOADER", "a").has_value());
  EXPECT_FALSE(host.loader().loadedBytes("LOADER", "b").has_value());
  EXPECT_TRUE(host.loader().loadedBytes("LOADER", "c").has_value());
  EXPECT_EQ(loader.budget->workers(), 2u);
  EXPECT_EQ(fetchName(host, "b").response->body, "4");  // loaded again
}

}  // namespace
}  // namespace wisp::io
