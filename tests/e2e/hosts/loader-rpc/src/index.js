// Workers RPC between a host and its dynamic Workers. Each route answers, as plain text, one line
// per step: "name: ok <value>" or "name: err <class> <name>: <message>" (plus " remote" for an
// error the other side threw). Written against the documented Workers RPC and Worker Loader APIs,
// so that workerd and wisp can be asked the same questions (tests/e2e/differential_test.py); the
// routes under "wisp only" test what only wisp does or what workerd does differently on purpose
// (tests/e2e/rpc_test.py checks every route on wisp).
import { WorkerEntrypoint, RpcTarget } from "cloudflare:workers";
import { CHILD } from "./child.js";

const DATE = "2026-11-01";

function code(env = undefined) {
  return { compatibilityDate: DATE, mainModule: "child.js", modules: { "child.js": CHILD }, env };
}

// The host's own entrypoint, handed to dynamic Workers as ctx.exports.Api({props}).
export class Api extends WorkerEntrypoint {
  whoami() { return this.ctx.props; }
  add(a, b) { return a + b; }
  async twice(fn) { return [await fn(1), await fn(2)]; }
  fetch(request) { return new Response("host api " + new URL(request.url).pathname + " " + JSON.stringify(this.ctx.props)); }
}

class Tool extends RpcTarget {
  constructor(tag) { super(); this.tag = tag; }
  use(x) { return this.tag + ":" + x; }
}

// What a sandbox must not be able to change in its host.
function realmFingerprint() {
  return JSON.stringify([
    Object.getOwnPropertyNames(Object.prototype), Object.getOwnPropertyNames(Array.prototype),
    Object.getOwnPropertyNames(Error.prototype), Error.prototype.name, Array.isArray.name, JSON.stringify.name,
    Object.getOwnPropertyNames(globalThis).length, "polluted" in {},
  ]);
}

function show(value) {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "string") return JSON.stringify(value);
  if (value instanceof Date) return `Date(${value.getTime()})`;
  if (value instanceof Map) return `Map(${JSON.stringify([...value])})`;
  if (value instanceof Set) return `Set(${JSON.stringify([...value])})`;
  if (value instanceof Error) return `${value.constructor.name}(${value.name}: ${value.message})`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${[...value]})`;
  if (typeof value === "function") return `function ${Object.prototype.toString.call(value)}`;
  if (typeof value === "object" && value !== null) {
    try {
      return JSON.stringify(value, (k, v) => (typeof v === "bigint" ? `${v}n` : v));
    } catch (e) {
      return Object.prototype.toString.call(value);
    }
  }
  return String(value);
}

// Runs each step in order; a step is () => value | Promise<value>.
async function steps(list) {
  const lines = [];
  for (const [name, step] of Object.entries(list)) {
    try {
      lines.push(`${name}: ok ${show(await step())}`);
    } catch (e) {
      const remote = e?.remote === true ? " remote" : "";
      lines.push(`${name}: err ${e?.constructor?.name} ${e?.name}: ${e?.message}${remote}`);
    }
  }
  return lines.join("\n");
}

const routes = {
  // Methods of a WorkerEntrypoint class, its props, async results, getters and prototype values.
  "/entrypoint-methods"(env) {
    const agent = env.LOADER.get("agent", () => code()).getEntrypoint("Agent", { props: { tenant: "t1" } });
    return steps({
      add: () => agent.add(1, 2),
      props: () => agent.props(),
      later: () => agent.later(21),
      getter: async () => await agent.computed,
      prototypeValue: async () => await agent.shared,
      shapes: () => [typeof agent, typeof agent.add, typeof agent.then, typeof agent.fetch].join(" "),
      fetch: async () => (await agent.fetch("https://child/path")).text(),
    });
  },

  // Methods of a plain-object entrypoint get (arg, env, ctx); the default export too.
  "/plain-entrypoints"(env) {
    const worker = env.LOADER.get("agent", () => code());
    const plain = worker.getEntrypoint("plain", { props: { p: 2 } });
    return steps({
      single: () => plain.single("A"),
      pair: () => plain.pair("A", "B"),
      none: () => plain.none(),
      tooMany: () => plain.single(1, 2),
      value: async () => await plain.value,
      valueCalled: () => plain.value(),
      defaultHello: () => worker.getEntrypoint().hello("x"),
    });
  },

  // What the callee throws reaches the caller with its class, name, message and properties.
  "/errors"(env) {
    const agent = env.LOADER.get("agent", () => code()).getEntrypoint("Agent");
    return steps({
      typeError: () => agent.throwsTypeError(),
      string: () => agent.throwsString(),
      custom: async () => {
        try {
          await agent.throwsCustom();
        } catch (e) {
          return `${e.name} ${e.message} code=${e.code} remote=${e.remote}`;
        }
      },
      missing: () => agent.noSuchMethod(),
      ownField: () => agent.ownField(),
      notAFunction: () => agent.shared(),
      reservedDup: () => agent.dup(),
      missingEntrypoint: () => env.LOADER.get("agent", () => code()).getEntrypoint("Nope").add(1, 2),
    });
  },

  // Arguments and results are structured clones.
  "/structured-clone"(env) {
    const agent = env.LOADER.get("agent", () => code()).getEntrypoint("Agent");
    const cyclic = { name: "c" };
    cyclic.self = cyclic;
    return steps({
      date: () => agent.echo(new Date(0)),
      map: () => agent.echo(new Map([["k", 1]])),
      set: () => agent.echo(new Set([1, 2])),
      bigint: () => agent.echo(2n ** 70n),
      undefined: () => agent.echo(undefined),
      nan: () => agent.echo(NaN),
      bytes: () => agent.echo(new Uint8Array([1, 2, 3])),
      regexp: async () => String(await agent.echo(/a+b/gi)),
      error: () => agent.echo(new RangeError("out of range")),
      cycle: async () => { const c = await agent.echo(cyclic); return c.self === c; },
      shared: async () => { const s = { v: 1 }; const r = await agent.echo([s, s]); return r[0] === r[1]; },
      sparse: async () => { const a = []; a[1000000] = 1; const r = await agent.echo(a); return r.length + " " + Object.keys(r).length; },
      argumentsCopied: async () => { const o = { v: 1 }; const p = agent.echo(o); o.v = 2; return (await p).v; },
    });
  },

  // What cannot cross: the caller's call fails with a DataCloneError; so does the callee's result.
  "/not-serializable"(env) {
    const worker = env.LOADER.get("agent", () => code());
    const agent = worker.getEntrypoint("Agent");
    return steps({
      classInstance: () => agent.echo(new (class Point { x = 1; })()),
      nullPrototype: () => agent.echo(Object.create(null)),
      symbol: () => agent.echo(Symbol("s")),
      promise: () => agent.echo(Promise.resolve(1)),
      proxyOfArray: () => agent.echo(new Proxy([], {})),
      workerStub: () => agent.echo(worker),
      dynamicEntrypoint: () => agent.echo(agent),
      resultClassInstance: () => agent.classInstance(),
      resultNullPrototype: () => agent.nullPrototype(),
    });
  },

  // Functions and RpcTargets cross as stubs whose calls run where they live.
  "/stubs"(env) {
    const agent = env.LOADER.get("agent", () => code()).getEntrypoint("Agent");
    return steps({
      rpcTarget: async () => {
        const counter = await agent.counter(5);
        await counter.increment();
        await counter.increment(2);
        return [await counter.value, typeof counter, String(counter)].join(" ");
      },
      rpcTargetOwnField: async () => { const counter = await agent.counter(1); return await counter.count; },
      function: async () => { const add = await agent.adder(10); return await add(5); },
      nestedFunction: async () => { const n = await agent.nested(); return [n.label, await n.inner.double(4), n.inner.size].join(" "); },
      callback: () => agent.callBack((x) => x * 3, 5),
      asyncCallback: () => agent.callBackTwice(async (x) => { await new Promise((r) => setTimeout(r, 1)); return x * 10; }),
      callbackThrows: () => agent.callBack(() => { throw new RangeError("from the host"); }, 1),
      callbackTypeInCallee: () => agent.describe(() => 1),
      hostTargetInCallee: () => agent.describe(new Tool("t")),
      proxyOfObject: () => agent.describe(new Proxy({}, {})),
      stubBackToOwner: async () => { const counter = await agent.counter(1); return await agent.useCounter(counter); },
      // A stub from one dynamic Worker handed to another: its calls reach the first.
      stubToAThirdWorker: async () => {
        const counter = await agent.counter(100);
        const other = env.LOADER.get("other", () => code()).getEntrypoint("Agent");
        return [await other.useCounter(counter), await counter.value].join(" ");
      },
      echoFunction: async () => typeof (await agent.echo(() => 1)),
    });
  },

  // Calls on a promise before it settles.
  "/pipelining"(env) {
    const agent = env.LOADER.get("agent", () => code()).getEntrypoint("Agent");
    return steps({
      method: () => agent.counter(1).increment(3),
      getter: async () => await agent.counter(7).value,
      function: () => agent.adder(1)(2),
      nested: () => agent.nested().inner.double(21),
      nestedProperty: async () => await agent.nested().inner.size,
      onPrimitive: () => agent.add(1, 2).toFixed(),
      afterFailure: () => agent.throwsTypeError().anything(),
      promiseShape: () => { const p = agent.add(1, 1); return [typeof p, p instanceof Promise, String(p)].join(" "); },
      // A call made on a promise goes with the call it depends on: it runs in the callee before
      // the caller even has the first answer (and so before the caller's next call).
      oneRoundTrip: async () => {
        await agent.takeEvents();
        const counter = agent.slowCounter();
        const marked = counter.then(() => agent.mark("caller has the answer"));
        await counter.increment();
        await marked;
        return (await agent.takeEvents()).join(", ");
      },
    });
  },

  // Stubs are disposable; dup() makes an independent one.
  "/disposal"(env) {
    const agent = env.LOADER.get("agent", () => code()).getEntrypoint("Agent");
    return steps({
      afterDispose: async () => { const c = await agent.counter(1); c[Symbol.dispose](); return await c.increment(); },
      dup: async () => { const c = await agent.counter(1); const d = c.dup(); c[Symbol.dispose](); return await d.increment(); },
      resultDisposer: async () => { const r = await agent.nested(); return typeof r[Symbol.dispose]; },
    });
  },

  // The 32 MiB limit on each serialized argument list and result.
  "/size-limit"(env) {
    const agent = env.LOADER.get("agent", () => code()).getEntrypoint("Agent");
    return steps({
      result: async () => (await agent.repeat(33 * 1024 * 1024)).length,
      argument: async () => (await agent.echo("x".repeat(33 * 1024 * 1024))).length,
      under: async () => (await agent.repeat(1024 * 1024)).length,
    });
  },

  // env: structured-cloned values and the host's own entrypoints.
  "/env"(env, ctx) {
    const worker = env.LOADER.load(code({
      API: ctx.exports.Api({ props: { tenant: "t9" } }),
      WHEN: new Date(5),
      MAP: new Map([["k", "v"]]),
      BIG: 21n,
      BYTES: new Uint8Array(4),
    }));
    const usesEnv = worker.getEntrypoint("UsesEnv");
    return steps({
      describe: () => usesEnv.describeEnv(),
      values: () => usesEnv.values(),
      callHost: () => usesEnv.callHost(),
      fetchHost: () => usesEnv.fetchHost(),
      reenter: () => usesEnv.reenter(),
    });
  },

  // What env refuses, and its size limit.
  "/env-refused"(env, ctx) {
    const load = (value) => () => { env.LOADER.load(code(value)); return "loaded"; };
    const other = env.LOADER.get("agent", () => code()).getEntrypoint("Agent");
    return steps({
      uninvokedLoopback: load({ API: ctx.exports.Api }),
      dynamicEntrypoint: load({ OTHER: other }),
      classInstance: load({ K: new (class K {})() }),
      notAnObject: load("text"),
      tooBig: load({ X: "x".repeat(1024 * 1024) }),
      justUnder: load({ X: "x".repeat(1024 * 1024 - 12) }),
    });
  },

  // props: structured clone, with the host's entrypoints.
  "/props"(env, ctx) {
    const worker = env.LOADER.get("agent", () => code());
    return steps({
      structured: () => worker.getEntrypoint("Agent", { props: { when: new Date(1), set: new Set(["a"]) } }).props(),
      loopback: async () => {
        const props = await worker.getEntrypoint("Agent", { props: { api: ctx.exports.Api({ props: { n: 1 } }) } }).props();
        return typeof props.api;
      },
      classInstance: () => worker.getEntrypoint("Agent", { props: { k: new (class K {})() } }).props(),
    });
  },

  // ---- wisp only ----

  // Hostile values from a sandbox: the host gets plain data (or stubs), never a changed realm,
  // and every failure is an ordinary error.
  async "/hostile-results"(env) {
    const before = realmFingerprint();
    const hostile = env.LOADER.get("hostile", () => code()).getEntrypoint("Hostile");
    const answer = await steps({
      getter: async () => { const r = await hostile.getter(); return [r.value, r.value, Object.getOwnPropertyDescriptor(r, "value").get === undefined].join(" "); },
      throwingGetter: () => hostile.throwingGetter(),
      proxy: async () => { const p = await hostile.proxy(); return [typeof p, await p.anything()].join(" "); },
      proxyOfArray: () => hostile.proxyOfArray(),
      conversions: async () => { const r = await hostile.conversions(); return [typeof r.toJSON, typeof r.toString, `${r.value}`, Object.getOwnPropertySymbols(r).length].join(" "); },
      // Its toString is a stub: calling it is an RPC call, whose promise is no string.
      toStringIsAStub: async () => String(await hostile.conversions()),
      pollution: async () => {
        const r = await hostile.pollution();
        return [Object.hasOwn(r, "__proto__"), Object.getPrototypeOf(r) === Object.prototype, ({}).polluted, r.constructor.prototype.polluted, Object.hasOwn(r.a[0], "__proto__")].join(" ");
      },
      // (A Worker of its own: it cannot undo what it did.)
      sandboxRewroteItsRealm: () => env.LOADER.load(code()).getEntrypoint("Hostile").ownRealm(),
      cycle: async () => { const c = await hostile.cycle(); return [c.self === c, c.list[0] === c, c.list[1] === c].join(" "); },
      deep: () => hostile.deep(200000),
      notTooDeep: async () => { let v = await hostile.deep(1000), depth = 0; while (v.length) { v = v[0]; depth++; } return depth; },
      hugeSparse: async () => { const a = await hostile.hugeSparse(); return [a.length, Object.keys(a).length, a[2 ** 32 - 2]].join(" "); },
      hugeDense: async () => (await hostile.hugeDense()).length,
      hugeString: () => hostile.hugeString(),
      memoryLimit: () => hostile.memoryLimit(),
      weakMap: () => hostile.weakMap(),
      symbolKeyed: () => hostile.symbolKeyed(),
      throwsProxy: () => hostile.throwsProxy(),
      throwsNull: () => hostile.throwsNull(),
      throwsHostileError: () => hostile.throwsHostileError(),
      throwsErrorWithHostileProperty: async () => {
        try { await hostile.throwsErrorWithHostileProperty(); } catch (e) { return [e.name, e.message, e.plain, typeof e.extra].join(" "); }
      },
      hostileArguments: () => hostile.callHost((computed, map, proxy) =>
        [computed.computed, Object.getOwnPropertyDescriptor(computed, "computed").value, [...map.keys()][0].k, typeof proxy].join(" ")),
    });
    return answer + `\nhost realm unchanged: ${realmFingerprint() === before}`;
  },

  // A sandbox using the stubs it was given to reach into the host's objects.
  async "/hostile-reach"(env, ctx) {
    const before = realmFingerprint();
    const worker = env.LOADER.load(code({ TOOL: new Tool("tool"), API: ctx.exports.Api({ props: { secret: "s" } }), FN: (x) => x + 1 }));
    const answer = await worker.getEntrypoint("Hostile").reach();
    return answer + `\nhost realm unchanged: ${realmFingerprint() === before} ${Tool.prototype.tag === undefined}`;
  },

  // Calls back and forth: the host awaits the sandbox, which awaits the host, ... ten times deep.
  "/reentrancy"(env) {
    const agent = env.LOADER.get("agent", () => code()).getEntrypoint("Agent");
    const hop = (n) => agent.bounce(hop, n);
    return steps({ tenDeep: () => agent.bounce(hop, 10) });
  },

  // An RpcTarget passed to a sandbox: once the sandbox's call is over, its stub is disposed and
  // the target's Symbol.dispose runs in the host.
  async "/target-disposed"(env) {
    const agent = env.LOADER.get("agent", () => code()).getEntrypoint("Agent");
    const log = [];
    class Tracked extends RpcTarget {
      ping() { log.push("ping"); return "pong"; }
      [Symbol.dispose]() { log.push("disposed"); }
    }
    const answer = await agent.ping(new Tracked());
    for (let turn = 0; turn < 200 && !log.includes("disposed"); turn++) await new Promise((r) => setTimeout(r, 5));
    return `${answer} ${log.join(" ")}`;
  },

  // A stub is disposed with the invocation that received it.
  async "/keep-stub"(env) {
    const agent = env.LOADER.get("agent", () => code()).getEntrypoint("Agent");
    globalThis.keptCounter = await agent.counter(1);
    return steps({ now: () => globalThis.keptCounter.increment() });
  },
  "/use-kept-stub"() {
    return steps({ later: () => globalThis.keptCounter.increment() });
  },

  // A limit breached during a call fails that call; the next call loads the Worker again.
  "/limits"(env) {
    const worker = env.LOADER.get("limited", () => code());
    const agent = worker.getEntrypoint("Agent", { limits: { cpuMs: 50 } });
    return steps({
      spin: () => agent.spin(),
      after: () => agent.add(2, 2),
    });
  },

  // env may also hold functions and RpcTargets (workerd refuses them there).
  "/env-functions"(env) {
    const worker = env.LOADER.load(code({ FN: (x) => x + 1, TOOL: new Tool("tool") }));
    const usesEnv = worker.getEntrypoint("UsesEnv");
    return steps({
      function: () => usesEnv.useFunction(41),
      rpcTarget: () => usesEnv.useTool("x"),
    });
  },
};

export default {
  async fetch(request, env, ctx) {
    const route = routes[new URL(request.url).pathname];
    if (!route) return new Response("no such route", { status: 404 });
    return new Response(await route(env, ctx));
  },
};
