// The dynamic Worker the host (index.js) loads, as module text: a WorkerEntrypoint class, a
// plain-object entrypoint and a default export, with methods that return, throw and call back.
export const CHILD = String.raw`
import { WorkerEntrypoint, RpcTarget } from "cloudflare:workers";

// What this Worker saw, in order (the pipelining route reads it).
const events = [];

class Counter extends RpcTarget {
  constructor(start) { super(); this.count = start; }
  increment(by = 1) { events.push("increment"); return this.count += by; }
  get value() { return this.count; }
}

export class Agent extends WorkerEntrypoint {
  add(a, b) { return a + b; }
  props() { return this.ctx.props; }
  envKeys() { return Object.keys(this.env).sort(); }
  async later(x) { await new Promise((resolve) => setTimeout(resolve, 5)); return x * 2; }
  throwsTypeError() { throw new TypeError("bad argument"); }
  throwsString() { throw "a plain string"; }
  throwsCustom() { const e = new Error("custom"); e.name = "QuotaError"; e.code = 42; throw e; }
  counter(start = 0) { return new Counter(start); }
  adder(base) { return (x) => base + x; }
  nested() { return { label: "n", inner: { double: (x) => x * 2, size: 3 } }; }
  echo(value) { return value; }
  describe(value) { return typeof value + " " + Object.prototype.toString.call(value); }
  callBack(fn, value) { return fn(value); }
  async callBackTwice(fn) { return [await fn(1), await fn(2)]; }
  async ping(target) { return await target.ping(); }
  async useCounter(counter) { await counter.increment(10); return counter.value; }
  async slowCounter() { await new Promise((resolve) => setTimeout(resolve, 20)); return new Counter(0); }
  mark(name) { events.push(name); }
  takeEvents() { return events.splice(0); }
  async bounce(fn, n) { return n === 0 ? 0 : 1 + await fn(n - 1); }
  spin() { for (;;) {} }
  classInstance() { return new (class Point { x = 1; })(); }
  nullPrototype() { return Object.create(null); }
  repeat(n) { return "x".repeat(n); }
  ownField = "own";
  get computed() { return "computed"; }
  fetch(request) { return new Response("fetched " + new URL(request.url).pathname); }
}
Agent.prototype.shared = 17;

// A sandbox that hands its host hostile values (tests/e2e/rpc_test.py, /hostile-*).
export class Hostile extends WorkerEntrypoint {
  getter() { let reads = 0; return { get value() { return ++reads; }, plain: 1 }; }
  throwingGetter() { return { get boom() { throw new RangeError("getter threw"); } }; }
  proxy() {
    // Not a thenable (returning it would hang on "then"): every other name is a method.
    return new Proxy({}, {
      get: (target, key) => key === "then" ? undefined : () => "trap " + String(key),
      getOwnPropertyDescriptor: (target, key) => key === "then" ? undefined : { value: 1, writable: true, enumerable: true, configurable: true },
      getPrototypeOf: () => Object.prototype,
    });
  }
  proxyOfArray() { return new Proxy([], {}); }
  conversions() { return { toJSON() { return "json"; }, [Symbol.toPrimitive]() { return 42; }, toString() { return "text"; }, value: 1 }; }
  pollution() { return JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "a": [{"__proto__": {"polluted": true}}]}'); }
  // The sandbox rewrites its own builtins (the runtime's code in it uses them too), then answers.
  ownRealm() {
    Object.prototype.polluted = "sandbox";
    Array.prototype.join = () => "hijacked";
    Array.isArray = () => false;
    JSON.stringify = () => "hijacked";
    Error.prototype.name = "Hijacked";
    Object.defineProperty(Object.prototype, "then", { get() { return undefined; }, configurable: true });
    return { list: [1, 2], when: new Date(3) };
  }
  cycle() { const a = { name: "a" }; a.self = a; a.list = [a, a]; return a; }
  deep(n) { let v = []; for (let i = 0; i < n; i++) v = [v]; return v; }
  hugeSparse() { const a = []; a[2 ** 32 - 2] = "last"; return a; }
  hugeDense() { return new Array(1000000).fill(7); }
  hugeString() { return "x".repeat(2 ** 28); }
  memoryLimit() { const keep = []; for (;;) keep.push(new Array(1000000).fill(1.5)); }
  weakMap() { return { w: new WeakMap() }; }
  symbolKeyed() { return { [Symbol("s")]: 1, kept: 2 }; }
  throwsProxy() { throw new Proxy({}, {}); }
  throwsNull() { throw null; }
  throwsHostileError() { const e = new Error("x"); Object.defineProperty(e, "message", { get() { throw new Error("no"); } }); throw e; }
  throwsErrorWithHostileProperty() { const e = new TypeError("typed"); e.extra = () => 1; e.plain = 5; throw e; }
  async callHost(fn) {
    return await fn({ get computed() { return "from a getter"; } }, new Map([[{ k: 1 }, [1n]]]), new Proxy({}, {}));
  }
  // Reaching for the host's objects through the stubs it gave (env.TOOL: an RpcTarget, env.API:
  // an entrypoint, env.FN: a function).
  async reach() {
    const attempt = async (f) => { try { return "ok " + String(await f()); } catch (e) { return e.name + ": " + e.message; } };
    const TOOL = this.env.TOOL, API = this.env.API, FN = this.env.FN;
    const local = [
      await attempt(() => TOOL.__proto__.use("x")),
      await attempt(() => API.__proto__.add(1, 2)),
      (() => { try { FN.constructor("return globalThis"); return "constructed"; } catch (e) { return e.name; } })(),
      await attempt(() => new (Object.getPrototypeOf(TOOL).constructor)()),
      Object.getPrototypeOf(TOOL) === Object.getPrototypeOf(FN),
    ];
    // Without Object.prototype.__proto__, "__proto__" is a name like any other: it goes to the host.
    delete Object.prototype.__proto__;
    return [...local,
      await attempt(() => TOOL.__proto__.use("x")),
      await attempt(() => API.__proto__.add(1, 2)),
      await attempt(() => TOOL.tag),
      await attempt(() => TOOL.use.call(null, "x")),
      await attempt(() => API.ctx),
      await attempt(() => API.env),
      await attempt(() => FN.prototype),
      await attempt(() => FN.call(null, 1)),
      await attempt(() => FN(1)),
    ].join("\n");
  }
}

export const plain = {
  single(value, env, ctx) { return [value, typeof env, typeof ctx.waitUntil, ctx.props]; },
  pair(a, b, env, ctx) { return [a, b]; },
  none() { return "none"; },
  value: 3,
};

export default {
  fetch() { return new Response("default fetch"); },
  hello(name) { return "hello " + name; },
};

// env.API is the host's own entrypoint (ctx.exports.Api({props})); env.* plain values.
export class UsesEnv extends WorkerEntrypoint {
  describeEnv() {
    return Object.entries(this.env).map(([k, v]) => k + "=" + Object.prototype.toString.call(v)).sort().join(" ");
  }
  async callHost() { return [await this.env.API.whoami(), await this.env.API.add(2, 3)]; }
  async fetchHost() { const r = await this.env.API.fetch("https://host/x"); return r.status + " " + await r.text(); }
  // The host calls back into this Worker while this Worker waits for the host.
  async reenter() { return await this.env.API.twice((x) => x * 7); }
  async useFunction(x) { return await this.env.FN(x); }
  async useTool(x) { return await this.env.TOOL.use(x); }
  values() { return [this.env.WHEN.getTime(), this.env.MAP.get("k"), this.env.BIG * 2n, this.env.BYTES.length]; }
}
`;
