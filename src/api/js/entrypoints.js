// How a Worker's exports are invoked, and the classes of the built-in module
// "cloudflare:workers" (https://developers.cloudflare.com/workers/runtime-apis/bindings/service-bindings/rpc/).
import { ops } from "./ops.js";
import { methodPrefix, requiredArguments } from "./webidl.js";

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
});

// The `ctx` of one invocation. Plain closures, so `const { waitUntil } = ctx` works.
export function makeContext(props) {
  return {
    waitUntil(promise) {
      requiredArguments(arguments.length, 1, methodPrefix("ExecutionContext", "waitUntil"));
      ops.waitUntil(Promise.resolve(promise));
    },
    passThroughOnException() {},  // there is no origin to fall back to
    props: props ?? {},
    exports: {},
  };
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
