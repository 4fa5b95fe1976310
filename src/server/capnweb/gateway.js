// The Cap'n Web endpoint of the built-in API (`/v1/rpc`, docs/capnweb.md): a built-in Worker,
// bundled with the npm `capnweb` package (its Workers build) and embedded in the binary. A
// program outside wisp using the `capnweb` client gets a `Loader` as the session's main object:
// it loads Workers through the Worker Loader binding `env.LOADER` and calls their entrypoints;
// the RpcTargets and functions it passes (as arguments, in `env` or in `props`) reach the
// sandboxed code as Workers RPC stubs, whose calls come back here and go on to the client.
//
// One session is one HTTP batch (POST) or one WebSocket. A session may load at most
// `maxWorkersPerSession` Workers. A Worker loaded without a name lives while the client holds a
// stub to it or to one of its entrypoints (the session's end releases them all); a named one is
// kept in the server's cache like every named dynamic Worker. Loaded Workers get no network
// (`globalOutbound: null`) and the server's limits, which `limits` in the code can only lower.
import { RpcStub, RpcTarget, newHttpBatchRpcResponse, newWorkersWebSocketRpcResponse } from "capnweb";

const maxWorkersPerSession = 32;
// How deep `env` and `props` are searched for stubs to keep (deeper values are not copied).
const maxDepth = 64;

// A value the client sent, with each of its stubs duplicated: what capnweb passes to a method
// is released when the method returns, and `env` and `props` outlive the call.
function kept(value, depth = 0) {
  if (value instanceof RpcStub) return value.dup();
  if (depth > maxDepth) throw new RangeError(`'env' and 'props' may be nested at most ${maxDepth} levels deep.`);
  if (Array.isArray(value)) return value.map((item) => kept(item, depth + 1));
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const copy = {};
    for (const [key, item] of Object.entries(value)) copy[key] = kept(item, depth + 1);
    return copy;
  }
  return value;
}

// The client's WorkerCode as the Worker Loader gets it: no network, no tail Workers.
function sandboxCode(code) {
  if (code === null || typeof code !== "object" || Array.isArray(code)) {
    throw new TypeError("The code of a Worker must be an object (WorkerCode: compatibilityDate, mainModule, modules, env?, limits?).");
  }
  if (code.globalOutbound !== undefined && code.globalOutbound !== null) {
    throw new TypeError("Workers loaded over Cap'n Web have no network: 'globalOutbound' may only be null.");
  }
  if (code.tails !== undefined) {
    throw new TypeError("Workers loaded over Cap'n Web cannot have 'tails'.");
  }
  return {
    compatibilityDate: code.compatibilityDate,
    compatibilityFlags: code.compatibilityFlags,
    mainModule: code.mainModule,
    modules: code.modules,
    env: kept(code.env),
    limits: code.limits,
    globalOutbound: null,
  };
}

// The session's main object: `load(code)` and `get(id, code)` as the Worker Loader has them,
// except that `get` takes the code itself (it is used when the Worker is not loaded yet).
class Loader extends RpcTarget {
  #loader;
  #loaded = 0;

  constructor(loader) {
    super();
    this.#loader = loader;
  }

  load(code) {
    this.#count();
    return new LoadedWorker(this.#loader.load(sandboxCode(code)));
  }

  get(id, code) {
    if (typeof id !== "string" || id === "") throw new TypeError("get(id, code): 'id' must be a non-empty string.");
    if (typeof code === "function") {
      throw new TypeError("get(id, code): pass the WorkerCode itself; a getCode callback cannot be kept past this session.");
    }
    this.#count();
    const worker = sandboxCode(code);  // checked now, so that a bad one fails this call
    return new LoadedWorker(this.#loader.get(id, () => worker));
  }

  #count() {
    if (this.#loaded >= maxWorkersPerSession) {
      throw new RangeError(`A Cap'n Web session may load at most ${maxWorkersPerSession} Workers; open another session.`);
    }
    this.#loaded++;
  }
}

// A loaded Worker (the Worker Loader's WorkerStub): `getEntrypoint(name?, {props?, limits?})`
// gives the entrypoint's stub, on which the client calls RPC methods (and `fetch`).
class LoadedWorker extends RpcTarget {
  #stub;

  constructor(stub) {
    super();
    this.#stub = stub;
  }

  getEntrypoint(name = undefined, options = undefined) {
    if (this.#stub === null) throw new Error("This Worker's stub was disposed.");
    if (options !== undefined && (options === null || typeof options !== "object")) {
      throw new TypeError("getEntrypoint(name, options): 'options' must be an object ({props?, limits?}).");
    }
    return this.#stub.getEntrypoint(name ?? undefined, { props: kept(options?.props), limits: options?.limits });
  }

  // The client released its stub: the Worker goes once its entrypoints' stubs have gone too.
  [Symbol.dispose]() {
    this.#stub = null;
  }
}

export default {
  fetch(request, env) {
    const loader = new Loader(env.LOADER);
    if (request.headers.get("upgrade")?.toLowerCase() === "websocket") {
      return newWorkersWebSocketRpcResponse(request, loader);
    }
    return batch(request, loader);
  },
};

// A batch capnweb cannot read (not its JSON lines, or not its protocol) is the client's mistake:
// a 400 in the built-in API's error shape, not a 500.
async function batch(request, loader) {
  try {
    return await newHttpBatchRpcResponse(request, loader);
  } catch (e) {
    const error = { name: e?.name ?? "Error", message: `Not a Cap'n Web batch: ${e?.message ?? e}` };
    return Response.json({ error }, { status: 400 });
  }
}
