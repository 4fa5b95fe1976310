// The "wisp:codemode" module inside wisp: normalizeCode through the native op, type generation
// under codemode's names, and the executor's host side against a stand-in Worker Loader whose
// "sandbox" is a function of this file (`wisp test` has no Worker Loader binding). The real
// sandbox, limits and RPC are tested end to end by tests/e2e/codemode_test.py.
import { assert, assertEquals, assertMatch, assertThrows } from "wisp:test";
import * as codemode from "wisp:codemode";

const { DynamicWorkerExecutor, normalizeCode, generateTypesFromJsonSchema, sanitizeToolName } = codemode;

// A loader whose Workers run `sandbox(dispatchers, result, code)` for evaluate(); `loads` lists
// every WorkerCode given to load().
function standInLoader(sandbox) {
  const loads = [];
  return {
    loads,
    load(code) {
      loads.push(code);
      return { getEntrypoint: () => ({ evaluate: (dispatchers, result) => sandbox(dispatchers, result, code) }) };
    },
  };
}

const tick = (ms = 1) => new Promise((resolve) => setTimeout(resolve, ms));

export function exportsTheModuleShape() {
  assertEquals(Object.keys(codemode).sort(), [
    "DynamicWorkerExecutor", "generateTypes", "generateTypesFromJsonSchema", "normalizeCode", "sanitizeToolName",
  ]);
}

export function normalizeCodeFollowsCodemodesRules() {
  assertEquals(normalizeCode("async () => 1"), "async () => 1");
  assertEquals(normalizeCode("```js\nasync () => 2\n```"), "async () => 2");
  assertEquals(normalizeCode("const r = 1 + 1;\nr"), "async () => {\nconst r = 1 + 1;\nreturn (r);\n}");
  assertEquals(normalizeCode(""), "async () => {}");
  assertMatch(normalizeCode("function main() { return 3 }"), /return main\(\);/);
  // TypeScript is accepted: the types are stripped.
  assertEquals(normalizeCode("const n: number = 4;\nn"), "async () => {\nconst n = 4;\nreturn (n);\n}");
}

export function normalizeCodeThrowsSyntaxErrors() {
  assertThrows(() => normalizeCode("const = ;"), SyntaxError);
  assertThrows(() => normalizeCode(42), TypeError);
}

export function generateTypesFromJsonSchemaTakesCodemodesShape() {
  const text = generateTypesFromJsonSchema({
    "get-weather": { description: "Weather", inputSchema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
  });
  assertMatch(text, /declare const codemode: \{/);
  assertMatch(text, /get_weather\(input: \{ city: string \}\): Promise<unknown>;/);
  assertEquals(sanitizeToolName("3d-render"), "_3d_render");
}

export function constructorChecksItsOptions() {
  assertThrows(() => new DynamicWorkerExecutor(), TypeError);
  assertThrows(() => new DynamicWorkerExecutor({}), TypeError);
  assertThrows(() => new DynamicWorkerExecutor({ loader: standInLoader(), timeout: -1 }), TypeError);
  assertThrows(() => new DynamicWorkerExecutor({ loader: standInLoader(), maxConcurrent: 0 }), TypeError);
}

export async function loadsAFreshSandboxWithTheGeneratedModule() {
  const loader = standInLoader(async (dispatchers, result) => {
    result.settle(7, ["done"]);
    return null;
  });
  const executor = new DynamicWorkerExecutor({
    loader, modules: { "helper.js": "export const x = 1;", "executor.js": "overridden" },
    bindings: { KEY: "v" }, limits: { cpuMs: 500 },
  });
  assertEquals(await executor.execute("async () => 7", { add: async () => 0 }), { result: 7, logs: ["done"] });
  await executor.execute("async () => 7", { add: async () => 0 });
  assertEquals(loader.loads.length, 2);
  const code = loader.loads[0];
  assertEquals(code.mainModule, "executor.js");
  assertEquals(code.globalOutbound, null);
  assertEquals(code.env, { KEY: "v" });
  assertEquals(code.limits, { cpuMs: 500, subRequests: undefined });
  assertEquals(code.modules["helper.js"], "export const x = 1;");
  const source = code.modules["executor.js"];
  assertMatch(source, /export default class CodeExecutor extends WorkerEntrypoint/);
  assertMatch(source, /const codemode = __codemode\.namespace\(__dispatchers\.codemode\);/);
  assertMatch(source, /async \(\) => 7/);
}

export async function toolCallsReachTheHostWithTheirLogs() {
  const seen = [];
  const loader = standInLoader(async ({ math, text }, result) => {
    const sum = await math.call("add", [{ a: 2, b: 3 }], ["first"]);
    const upper = await text.call("to-upper", ["hi"], ["second"]);  // the original name works too
    const same = await text.call("to_upper", ["ho"], []);
    result.settle({ sum, upper, same }, ["third"]);
    return null;
  });
  const executor = new DynamicWorkerExecutor({ loader });
  const out = await executor.execute("async () => 0", [
    { name: "math", fns: { add: async ({ a, b }) => { seen.push("add"); return a + b; } } },
    { name: "text", fns: { "to-upper": async (s) => s.toUpperCase() } },
  ]);
  assertEquals(out, { result: { sum: 5, upper: "HI", same: "HO" }, logs: ["first", "second", "third"] });
  assertEquals(seen, ["add"]);
}

export async function toolErrorsAndUnknownToolsReject() {
  const loader = standInLoader(async ({ codemode }, result) => {
    const errors = [];
    for (const name of ["fails", "missing"]) {
      try {
        await codemode.call(name, [], []);
      } catch (e) {
        errors.push(e.message);
      }
    }
    result.settle(errors, []);
    return null;
  });
  const out = await new DynamicWorkerExecutor({ loader }).execute("1", { fails: async () => { throw new Error("tool broke"); } });
  assertEquals(out.result, ["tool broke", 'Tool "missing" not found in "codemode"']);
}

export async function theSandboxsErrorComesBackWithItsLogs() {
  const loader = standInLoader(async ({ codemode }) => {
    await codemode.call("noop", [], ["before"]);
    return { error: "TypeError: x is not a function", logs: ["after"] };
  });
  const out = await new DynamicWorkerExecutor({ loader }).execute("x()", { noop: async () => {} });
  assertEquals(out, { result: undefined, error: "TypeError: x is not a function", logs: ["before", "after"] });
}

export async function neverThrows() {
  const loaderThrows = { load() { throw new TypeError("bad module"); } };
  assertEquals(await new DynamicWorkerExecutor({ loader: loaderThrows }).execute("1", {}),
    { result: undefined, error: "TypeError: bad module", logs: [] });
  // The runtime stopped the sandbox: the call rejects with the runtime's text.
  const stopped = standInLoader(async ({ codemode }) => {
    await codemode.call("noop", [], ["written before"]);
    throw new Error("Worker exceeded CPU time limit.");
  });
  assertEquals(await new DynamicWorkerExecutor({ loader: stopped }).execute("1", { noop: async () => {} }),
    { result: undefined, error: "Worker exceeded CPU time limit.", logs: ["written before"] });
  const executor = new DynamicWorkerExecutor({ loader: stopped });
  const bad = await executor.execute("const = ;", {});
  assertMatch(bad.error, /^SyntaxError: /);
  assertEquals(bad.logs, []);
  assertMatch((await executor.execute(17, {})).error, /^TypeError: normalizeCode\(\) expects the code as a string/);
  const noResult = standInLoader(async () => null);
  assertEquals((await new DynamicWorkerExecutor({ loader: noResult }).execute("1", {})).error,
    "The sandbox finished without a result.");
}

export async function providerNamesAreCheckedLikeCodemode() {
  const executor = new DynamicWorkerExecutor({ loader: standInLoader(async () => null) });
  const cases = [
    [[{ name: "console", fns: {} }], 'TypeError: Provider name "console" is reserved'],
    [[{ name: "__dispatchers", fns: {} }], 'TypeError: Provider name "__dispatchers" is reserved'],
    [[{ name: "my-tools", fns: {} }], 'TypeError: Provider name "my-tools" is not a valid JavaScript identifier'],
    [[{ name: "delete", fns: {} }], 'TypeError: Provider name "delete" is a JavaScript reserved word'],
    [[{ name: "a", fns: {} }, { name: "a", fns: {} }], 'TypeError: Duplicate provider name "a"'],
    [[{ name: "a", fns: { "x-y": () => 1, x_y: () => 2 } }],
      'TypeError: Tool names "x-y" and "x_y" both sanitize to "x_y" in provider "a"'],
    [[{ name: "a", fns: { x: 1 } }], 'TypeError: Tool "x" of provider "a" is not a function.'],
    [[{ name: "a" }], 'TypeError: Provider "a" needs its tools as an object of functions (fns).'],
    [null, 'TypeError: Provider "codemode" needs its tools as an object of functions (fns).'],
  ];
  for (const [providers, error] of cases) {
    assertEquals(await executor.execute("1", providers), { result: undefined, error, logs: [] });
  }
}

export async function aCallAfterTheExecutionSettledIsRefused() {
  let dispatchers;
  let calls = 0;
  const loader = standInLoader(async (d, result) => {
    dispatchers = d;
    result.settle("done", []);
    return null;
  });
  const out = await new DynamicWorkerExecutor({ loader }).execute("1", { record: async () => { calls++; } });
  assertEquals(out.result, "done");
  let refused;
  try {
    await dispatchers.codemode.call("record", [], ["too late"]);
  } catch (e) {
    refused = e.message;
  }
  assertEquals(refused, "The code execution finished before this tool call was made. Await every tool call before returning.");
  assertEquals(calls, 0);
  assertEquals(out.logs, []);
}

export async function aSandboxThatNeverAnswersTimesOut() {
  let release;
  const loader = standInLoader(() => new Promise((resolve) => { release = resolve; }));
  const out = await new DynamicWorkerExecutor({ loader, timeout: 20 }).execute("1", {});
  assertEquals(out, { result: undefined, error: "Execution timed out after 20 ms.", logs: [] });
  release(null);
}

export async function executionsBeyondMaxConcurrentWaitInLine() {
  let running = 0;
  let most = 0;
  const loader = standInLoader(async (dispatchers, result, code) => {
    running++;
    most = Math.max(most, running);
    await tick(3);
    running--;
    result.settle(code.modules["executor.js"].includes("async () => 1"), []);
    return null;
  });
  const executor = new DynamicWorkerExecutor({ loader, maxConcurrent: 3 });
  const outs = await Promise.all(Array.from({ length: 10 }, () => executor.execute("async () => 1", {})));
  assertEquals(outs.map((o) => o.result), Array(10).fill(true));
  assertEquals(most, 3);
  assertEquals(loader.loads.length, 10);
}

export async function logsAreBoundedInTheHost() {
  const loader = standInLoader(async (dispatchers, result) => {
    result.settle(null, [...Array(10_005).keys()].map(String).concat([42, { not: "a line" }]));
    return null;
  });
  const { logs } = await new DynamicWorkerExecutor({ loader }).execute("1", {});
  assertEquals(logs.length, 10_001);
  assert(logs[10_000].startsWith("[logs truncated"));
}
