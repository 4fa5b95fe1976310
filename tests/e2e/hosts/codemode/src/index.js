// Code Mode on wisp: POST a JSON body { code, options?, count? } to
//   /run    one execute(code, providers) with these providers -> its { result, error?, logs }
//   /many   `count` executions of the code at once on one executor -> [{ result, error?, logs }]
//   /fns    execute(code, { ... }) with plain functions (the "codemode" namespace)
// `options` are the executor's (timeout, limits, maxConcurrent); the host adds its loader.
// GET /record returns what the `probe` tools and the REPORT binding saw so far.
import { DynamicWorkerExecutor } from "wisp:codemode";

const seen = { records: [], reports: [], running: 0, mostRunning: 0 };

const providers = [
  {
    name: "math",
    fns: {
      add: async ({ a, b }) => a + b,
      multiply: async ({ a, b }) => a * b,
      // Slow enough that concurrent executions overlap in it.
      "slow-square": async ({ n }) => {
        seen.running++;
        seen.mostRunning = Math.max(seen.mostRunning, seen.running);
        await new Promise((resolve) => setTimeout(resolve, 20));
        seen.running--;
        return n * n;
      },
    },
  },
  {
    name: "text",
    fns: {
      upper: async ({ s }) => s.toUpperCase(),
      fail: async ({ why }) => { throw new RangeError(`cannot: ${why}`); },
    },
  },
  {
    name: "probe",
    fns: { record: async (what) => { seen.records.push(what); return seen.records.length; } },
  },
];

function executorFor(env, options = {}) {
  return new DynamicWorkerExecutor({
    ...options,
    loader: env.LOADER,
    // A function of the host the sandbox can call as this.env.REPORT(), outside the tool gate.
    bindings: { REPORT: (what) => { seen.reports.push(what); } },
  });
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname === "/record") return Response.json(seen);
    const { code, options, count } = await request.json();
    if (pathname === "/run") return Response.json(await executorFor(env, options).execute(code, providers));
    if (pathname === "/fns") {
      return Response.json(await executorFor(env, options).execute(code, { double: async (n) => n * 2 }));
    }
    if (pathname === "/many") {
      seen.mostRunning = 0;
      const executor = executorFor(env, options);
      const runs = Array.from({ length: count }, (_, i) => executor.execute(code.replaceAll("$I", String(i)), providers));
      return Response.json({ outs: await Promise.all(runs), mostRunning: seen.mostRunning });
    }
    return new Response("not found", { status: 404 });
  },
};
