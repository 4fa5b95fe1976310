// Workers RPC in the runtime (io/rpc.h): calls between a host Worker and its dynamic Workers on
// one loop, what a limit breach in the callee does to a call and to the calls pipelined on it,
// and that every call is answered. End-to-end behaviour is in tests/e2e/rpc_test.py.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "io/worker-loader.h"
#include "io/worker.h"
#include "loader-host.h"

namespace wisp::io {
namespace {

std::string runHost(const std::string& source) {
  LoaderHost host(source);
  if (host.startFailure) return "start failed: " + host.startFailure->text();
  auto out = host.fetch();
  if (out.error) return "error: " + out.error->text();
  return out.response->body;
}

// The dynamic Worker: a class entrypoint whose methods return, spin and call back.
constexpr const char* kChild = R"(
  import { WorkerEntrypoint, RpcTarget } from "cloudflare:workers";
  class Box extends RpcTarget { constructor(v) { super(); this.v = v; } get value() { return this.v; } }
  export class Agent extends WorkerEntrypoint {
    box(v) { return new Box(v); }
    spin() { for (;;) {} }
    spinThenBox() { for (;;) {} }
    call(fn, x) { return fn(x); }
  }
)";

std::string hostWith(const std::string& body) {
  return std::string("const CHILD = ") + "`" + kChild + "`;\n" + R"(
    const code = { compatibilityDate: "2026-11-01", mainModule: "c.js", modules: { "c.js": CHILD } };
    const show = async (p) => { try { return "ok " + String(await p); } catch (e) { return e.name + ": " + e.message; } };
    export default {
      async fetch(request, env) {
        const agent = env.LOADER.get("child", () => code).getEntrypoint("Agent", { limits: { cpuMs: 50 } });
        )" + body + R"(
      },
    };
  )";
}

TEST(RpcTest, CallsAndPipelinedCallsAreAnswered) {
  EXPECT_EQ(runHost(hostWith(R"(
        const results = [await show(agent.box(7).value), await show(agent.call((x) => x + 1, 1))];
        return new Response(results.join(" | "));
  )")), "ok 7 | ok 2");
}

TEST(RpcTest, ALimitFailsTheCallAndWhatWasPipelinedOnIt) {
  EXPECT_EQ(runHost(hostWith(R"(
        const p = agent.spinThenBox();
        const pipelined = p.value;
        const results = [await show(p), await show(pipelined), await show(agent.box(1).value)];
        return new Response(results.join(" | "));
  )")), "Error: Worker exceeded CPU time limit. | Error: Worker exceeded CPU time limit. | ok 1");
}

TEST(RpcTest, AMissingEntrypointFailsItsPipelinedCalls) {
  EXPECT_EQ(runHost(hostWith(R"(
        const nope = env.LOADER.get("child", () => code).getEntrypoint("Nope");
        const p = nope.box(1);
        const results = [await show(p), await show(p.value)];
        return new Response(results.join(" | "));
  )")), "Error: Worker has no such entrypoint: Nope | Error: Worker has no such entrypoint: Nope");
}

TEST(RpcTest, AFailedGetCodeFailsTheCallAndItsPipelinedCalls) {
  EXPECT_EQ(runHost(hostWith(R"(
        const broken = env.LOADER.get("broken", () => { throw new RangeError("no code"); }).getEntrypoint("Agent");
        const p = broken.box(1);
        const results = [await show(p), await show(p.value)];
        return new Response(results.join(" | "));
  )")), "RangeError: no code | RangeError: no code");
}

}  // namespace
}  // namespace wisp::io
