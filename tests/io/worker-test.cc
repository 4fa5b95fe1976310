// A Worker end to end inside the process: modules, fetch dispatch, and every enforced limit.
// Each breach must end the invocation with a clear error, condemn that isolate only, and leave
// the process (and other Workers) running.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "io/worker.h"
#include "js/error.h"

namespace wisp::io {
namespace {

struct Run {
  std::optional<Failure> startError;
  FetchResult result;
};

// Loads `modules` (main first) and dispatches one GET to the default export.
Run runWorker(std::vector<ModuleInput> modules, Limits limits = {}) {
  boost::asio::io_context ioc;
  auto main = modules.front().name;
  Worker::Options options;
  options.limits = limits;
  auto worker = Worker::create(ioc, buildWorkerCode(main, std::move(modules)), options);
  Run run;
  bool started = false;
  worker->start([&](std::optional<Failure> f) {
    started = true;
    run.startError = f;
  });
  while (!started && ioc.run_one()) {
  }
  if (run.startError) return run;
  worker->fetch({}, "default", [&](FetchResult r) { run.result = std::move(r); });
  ioc.run();
  return run;
}

ModuleInput js(std::string name, std::string src) { return {std::move(name), std::move(src), {}}; }

std::string errorText(const Run& r) {
  if (r.startError) return r.startError->text();
  return r.result.error ? r.result.error->text() : "no error";
}

TEST(Worker, DispatchesFetchToTheDefaultExport) {
  auto r = runWorker({js("main.js", R"(
    import data from "./data.json";
    import { greet } from "./lib/greet.js";
    export default { async fetch(req) {
      await new Promise((ok) => setTimeout(ok, 5));
      return new Response(greet(data.name), { status: 203, headers: { "x-a": "b" } });
    } };)"),
                      js("lib/greet.js", "export const greet = (n) => `hello ${n}`;"),
                      {"data.json", std::nullopt, {{"json", R"({"name":"wisp"})"}}}});
  ASSERT_FALSE(r.result.error) << errorText(r);
  ASSERT_TRUE(r.result.response);
  EXPECT_EQ(r.result.response->status, 203);
  EXPECT_EQ(r.result.response->body, "hello wisp");
}

TEST(Worker, EveryModuleTypeLoads) {
  // (module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
  const std::string wasm("\0asm\1\0\0\0\1\7\1\140\2\177\177\1\177\3\2\1\0\7\7\1\3add\0\0\n\t\1\7\0 \0 \1j\v", 41);
  auto r = runWorker({js("main.js", R"(
    import text from "./t.txt";
    import data from "./d.bin";
    import cjs, { named } from "./lib.cjs";
    import add from "./add.wasm";
    const { exports } = new WebAssembly.Instance(add);
    export default { fetch() {
      return Response.json([text, new Uint8Array(data)[1], cjs.named, named, exports.add(2, 3)]);
    } };)"),
                      {"t.txt", std::nullopt, {{"text", "hi"}}},
                      {"d.bin", std::nullopt, {{"data", std::string("\x05\x07", 2)}}},
                      js("lib.cjs", "const dep = require('./dep.cjs'); module.exports = { named: dep + 1 };"),
                      js("dep.cjs", "module.exports = 41;"),
                      {"add.wasm", std::nullopt, {{"wasm", wasm}}}});
  ASSERT_TRUE(r.result.response) << errorText(r);
  EXPECT_EQ(r.result.response->body, R"(["hi",7,42,42,5])");
}

TEST(Worker, ConsoleOutputIsCapturedWithLevelAndTime) {
  auto r = runWorker({js("main.js", R"(export default { fetch() {
      console.log("a", 1, { b: [2] }); console.warn("w"); console.error(new Error("e").message);
      return new Response("ok"); } };)")});
  ASSERT_TRUE(r.result.response) << errorText(r);
  ASSERT_EQ(r.result.logs.size(), 3u);
  EXPECT_EQ(r.result.logs[0].level, api::LogLevel::Log);
  EXPECT_EQ(r.result.logs[0].message, "a 1 { b: [ 2 ] }");
  EXPECT_EQ(r.result.logs[1].level, api::LogLevel::Warn);
  EXPECT_EQ(r.result.logs[2].level, api::LogLevel::Error);
  EXPECT_GT(r.result.logs[0].timeMs, 1.7e12);  // a Unix time in ms
}

TEST(Worker, WaitUntilKeepsTheInvocationAlive) {
  auto r = runWorker({js("main.js", R"(export default { fetch(req, env, ctx) {
      ctx.waitUntil(new Promise((ok) => setTimeout(ok, 20)).then(() => console.log("later")));
      return new Response("now"); } };)")});
  ASSERT_TRUE(r.result.response) << errorText(r);
  EXPECT_EQ(r.result.response->body, "now");
}

TEST(Worker, SubrequestsAreCountedAgainstTheLimit) {
  boost::asio::io_context ioc;
  Limits l;
  l.subrequests = 2;
  RequestContext ctx(l, ioc);
  ctx.newSubrequest();
  ctx.newSubrequest();
  try {
    ctx.newSubrequest();
    FAIL() << "the third subrequest should be refused";
  } catch (const js::JsError& e) {
    EXPECT_EQ(std::string(e.what()), "Too many subrequests. This Worker is allowed 2 per invocation.");
  }
}

TEST(Worker, TopLevelThrowReportsFileLineAndColumn) {
  auto r = runWorker({js("main.js", "const a = 1;\nthrow new TypeError('boom');\nexport default {};")});
  ASSERT_TRUE(r.startError);
  EXPECT_EQ(r.startError->text(), "main.js:2:7: TypeError: boom");
}

TEST(Worker, SyntaxErrorReportsFileLineAndColumn) {
  auto r = runWorker({js("main.js", "export default {\n  fetch() {}\n  oops\n};")});
  ASSERT_TRUE(r.startError);
  EXPECT_EQ(r.startError->text(), "main.js:3:3: SyntaxError: Unexpected identifier");
}

TEST(Worker, MissingImportIsNamed) {
  auto r = runWorker({js("main.js", "// a comment\nimport x from './nope.js';\nexport default {};")});
  ASSERT_TRUE(r.startError);
  EXPECT_EQ(r.startError->message, "No such module \"nope.js\".\n  imported from \"main.js:2:15\"");
}

TEST(Worker, CpuLimitStopsAnInfiniteLoop) {
  Limits l;
  l.cpuMs = 50;
  auto r = runWorker({js("main.js", "export default { fetch() { while (true) {} } };")}, l);
  EXPECT_EQ(errorText(r), "Worker exceeded CPU time limit.");
}

TEST(Worker, CpuLimitCountsAcrossAsyncSteps) {
  Limits l;
  l.cpuMs = 60;
  auto r = runWorker({js("main.js", R"(export default { async fetch() {
      for (;;) { let x = 0; for (let i = 0; i < 1e5; i++) x += i;
                 await new Promise((ok) => setTimeout(ok, 0)); } } };)")}, l);
  EXPECT_EQ(errorText(r), "Worker exceeded CPU time limit.");
}

TEST(Worker, WallLimitEndsAnInvocationThatWaitsTooLong) {
  Limits l;
  l.wallMs = 50;
  auto r = runWorker({js("main.js", "export default { fetch() { return new Promise((ok) => setTimeout(ok, 10000)); } };")}, l);
  EXPECT_EQ(errorText(r), "Worker exceeded wall time limit.");
}

TEST(Worker, HeapLimitEndsUnboundedAllocation) {
  Limits l;
  l.heapBytes = 32u << 20;
  auto r = runWorker({js("main.js", "export default { fetch() { const a = []; for (;;) a.push({ s: 'x'.repeat(64) + a.length }); } };")}, l);
  EXPECT_EQ(errorText(r), "Worker exceeded memory limit.");
}

TEST(Worker, ArrayBuffersCountAgainstTheHeapLimit) {
  Limits l;
  l.heapBytes = 32u << 20;
  auto r = runWorker({js("main.js", "export default { fetch() { const a = []; for (;;) a.push(new ArrayBuffer(4 << 20)); } };")}, l);
  EXPECT_EQ(errorText(r), "Worker exceeded memory limit.");
}

TEST(Worker, AStuckPromiseIsReported) {
  auto r = runWorker({js("main.js", "export default { fetch() { return new Promise(() => {}); } };")});
  EXPECT_EQ(errorText(r), "Error: The script will never generate a response.");
}

TEST(Worker, OtherWorkersKeepRunningAfterABreach) {
  Limits l;
  l.cpuMs = 30;
  auto bad = runWorker({js("main.js", "export default { fetch() { while (true) {} } };")}, l);
  EXPECT_EQ(errorText(bad), "Worker exceeded CPU time limit.");
  auto good = runWorker({js("main.js", "export default { fetch() { return new Response('fine'); } };")}, l);
  ASSERT_TRUE(good.result.response) << errorText(good);
  EXPECT_EQ(good.result.response->body, "fine");
}

}  // namespace
}  // namespace wisp::io
