// How a Worker's exports are invoked, and the classes of the built-in module
// "cloudflare:workers" (https://developers.cloudflare.com/workers/runtime-apis/bindings/service-bindings/rpc/).
import { ops } from "./ops.js";
import { methodPrefix, requiredArguments } from "./webidl.js";
import { JsRpcPromise, JsRpcProperty, JsRpcStub, ServiceStub } from "./rpc/stubs.js";

// Base classes user code extends; `this.ctx` and `this.env` are what they are constructed with.
export class WorkerEntrypoint {
  constructor(ctx, env) {
    this.ctx = ctx;
    this.env = env;
  }
}

export class DurableObject {
  constructor(ctx, env) {
    this.ctx = ctx;
    this.env = env;
  }
}

export class WorkflowEntrypoint {
  constructor(ctx, env) {
    this.ctx = ctx;
    this.env = env;
  }
}

// Marks a class whose instances are passed by reference over RPC.
export class RpcTarget {}

export const workersModule = Object.freeze({
  WorkerEntrypoint, DurableObject, RpcTarget, WorkflowEntrypoint, env: {},
  // The stubs' classes, as workerd names them, for `instanceof` (capnweb tells Workers RPC stubs
  // apart by them; the Worker Loader's Fetcher is a ServiceStub). Getters: rpc/stubs.js imports
  // this file, so its classes are only there once both files have run.
  get RpcStub() { return JsRpcStub; },
  get RpcPromise() { return JsRpcPromise; },
  get RpcProperty() { return JsRpcProperty; },
  get ServiceStub() { return ServiceStub; },
});

// The `ctx` of one invocation. Plain closures, so `const { waitUntil } = ctx` works.
// `module` (the main module's namespace) and `env` give `ctx.exports`.
export function makeContext(props, module = undefined, env = undefined) {
  const ctx = {
    waitUntil(promise) {
      requiredArguments(arguments.length, 1, methodPrefix("ExecutionContext", "waitUntil"));
      ops.waitUntil(Promise.resolve(promise));
    },
    passThroughOnException() {},  // there is no origin to fall back to
    props: props ?? {},
    exports: {},
  };
  if (module) ctx.exports = loopbackExports(module, env);
  return ctx;
}

// How the Worker Loader hands a tail Worker its events (js/worker-loader.js).
export const deliverTail = Symbol("deliverTail");
// What the Worker Loader routes a dynamic Worker's fetch() to when this stub is its
// globalOutbound: [entrypoint name, props or undefined] (js/worker-loader.js).
export const outboundTarget = Symbol("outboundTarget");
// What RPC sends when this stub crosses to another Worker (env, props, arguments): [entrypoint
// name, props] (js/rpc/serialize.js).
export const rpcEntrypoint = Symbol("rpcEntrypoint");

// ctx.exports: for each entrypoint the Worker exports, a stub that calls it in this same Worker
// (https://developers.cloudflare.com/workers/runtime-apis/context/#exports). `ctx.exports.X`
// has fetch(); `ctx.exports.X({props})` is the same with other props. These stubs can be given
// as `tails` or as the `globalOutbound` of a dynamic Worker.
function loopbackExports(module, env) {
  const exports = {};
  for (const name of Object.keys(module)) {
    const handler = module[name];
    const isEntrypoint = (typeof handler === "function" && handler.prototype instanceof WorkerEntrypoint) ||
      (name === "default" && typeof handler === "object" && handler !== null);
    if (!isEntrypoint) continue;
    const stub = (options = undefined) => new LoopbackFetcher(name, handler, env, options?.props);
    const plain = new LoopbackFetcher(name, handler, env, undefined);
    stub.fetch = (input, init) => plain.fetch(input, init);
    stub[deliverTail] = plain[deliverTail].bind(plain);
    stub[outboundTarget] = plain[outboundTarget].bind(plain);
    exports[name] = stub;
  }
  return exports;
}

class LoopbackFetcher {
  #name;
  #handler;
  #env;
  #props;

  constructor(name, handler, env, props) {
    this.#name = name;
    this.#handler = handler;
    this.#env = env;
    this.#props = props;
  }

  fetch(input, init = undefined) {
    const request = new globalThis.Request(input, init);
    return dispatchFetch(this.#handler, request, this.#env, makeContext(this.#props));
  }

  // Each request is a new invocation of this entrypoint, with these props (io/outbound/).
  [outboundTarget]() {
    return [this.#name, this.#props];
  }

  [rpcEntrypoint]() {
    return [this.#name, this.#props];
  }

  // Runs the entrypoint's tail(events) handler, as a tail Worker's.
  async [deliverTail](events) {
    const handler = this.#handler;
    const ctx = makeContext(this.#props);
    if (typeof handler === "function") {
      const instance = new handler(ctx, this.#env);
      if (typeof instance.tail === "function") await instance.tail(events);
    } else if (typeof handler?.tail === "function") {
      await handler.tail(events, this.#env, ctx);
    }
  }
}

// Calls the fetch handler of `handler` (a module export) the way Workers does.
export async function dispatchFetch(handler, request, env, ctx) {
  let result;
  if (typeof handler === "function" && handler.prototype instanceof WorkerEntrypoint) {
    const instance = new handler(ctx, env);
    if (typeof instance.fetch !== "function") throw noFetch();
    result = await instance.fetch(request);
  } else if (typeof handler === "object" && handler !== null && typeof handler.fetch === "function") {
    result = await handler.fetch(request, env, ctx);
  } else {
    throw noFetch();
  }
  // The global Response, looked up now, so this file needs nothing from fetch/.
  if (!(result instanceof globalThis.Response)) {
    throw new TypeError("Incorrect type for Promise: the Promise did not resolve to 'Response'.");
  }
  return result;
}

function noFetch() {
  return new TypeError("Handler does not export a fetch() function.");
}
