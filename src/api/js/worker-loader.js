// The Worker Loader binding, env.LOADER: get(name, getCode) / load(code) -> WorkerStub,
// stub.getEntrypoint(name?, {props, limits}) -> Fetcher, fetcher.fetch(input, init) -> Response.
// https://developers.cloudflare.com/dynamic-workers/api-reference/
// The Workers run in C++ (io/worker-loader.h) and are reached through ops.loaderLoad,
// ops.loaderAlive and ops.loaderFetch; this file owns getCode, its result and the name cache.
import { ops } from "./ops.js";
import { configureInterface, illegalConstructor, illegalInvocation, internalKey, methodPrefix,
         requiredArguments } from "./webidl.js";
import { headerPairs } from "./fetch/headers.js";
import { innerOf } from "./fetch/body.js";
import { deliverTail } from "./entrypoints.js";

// Loaded Workers by namespace and name, for this host Worker (one isolate): a promise of the
// Worker's id, or of getCode's failure, which every later call with that name gets too.
const named = new Map();
// The `tails` of each loaded Worker, by id.
const tailsById = new Map();

function fieldType(field, type) {
  return new TypeError(`Incorrect type for the '${field}' field on 'WorkerCode': the provided value is not of type '${type}'.`);
}

function copyBytes(value, module, key) {
  if (value instanceof ArrayBuffer) return new Uint8Array(value.slice(0));
  if (ArrayBuffer.isView(value)) {
    return new Uint8Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
  }
  throw new TypeError(`Module '${module}': '${key}' must be an ArrayBuffer or ArrayBufferView.`);
}

function limitsOf(limits) {
  if (limits === undefined || limits === null) return [undefined, undefined];
  const num = (v) => (v === undefined || v === null ? undefined : Number(v));
  return [num(limits.cpuMs), num(limits.subRequests)];
}

// WorkerCode as the arguments of ops.loaderLoad, copied now (later changes to `code` are not seen).
function codeArguments(code) {
  if (code === null || typeof code !== "object") {
    throw new TypeError("The code of a dynamic Worker must be an object (WorkerCode).");
  }
  if (typeof code.compatibilityDate !== "string") throw fieldType("compatibilityDate", "string");
  if (typeof code.mainModule !== "string") throw fieldType("mainModule", "string");
  const modules = code.modules;
  if (modules === null || typeof modules !== "object") throw fieldType("modules", "object");
  const list = [];
  for (const [name, value] of Object.entries(modules)) {
    if (typeof value === "string") {
      list.push([name, null, value]);
    } else if (value !== null && typeof value === "object") {
      const fields = [];
      for (const key of Object.keys(value)) {
        const v = value[key];
        if (key === "data" || key === "wasm") fields.push(key, copyBytes(v, name, key));
        else if (key === "json") fields.push(key, JSON.stringify(v) ?? "null");
        else fields.push(key, String(v));
      }
      list.push([name, fields, undefined]);
    } else {
      throw new TypeError(`Module '${name}' must be a string or an object.`);
    }
  }
  const env = code.env === undefined ? "{}" : JSON.stringify(code.env) ?? "{}";
  const args = [code.mainModule, list, env, ...limitsOf(code.limits)];
  args.tails = tailsOf(code.tails);
  return args;
}

// WorkerCode.tails: Workers that get one tail event per invocation. wisp delivers them to
// entrypoints of the host itself (ctx.exports.Name or ctx.exports.Name({props})).
function tailsOf(tails) {
  if (tails === undefined || tails === null) return [];
  if (!Array.isArray(tails)) throw fieldType("tails", "Array");
  for (const tail of tails) {
    if ((typeof tail !== "function" && typeof tail !== "object") || tail === null || !(deliverTail in tail)) {
      throw new TypeError("Each of 'tails' must be an entrypoint of this Worker, such as ctx.exports.LogTailer({props}); wisp does not deliver tail events to other services.");
    }
  }
  return [...tails];
}

// name: undefined for a Worker without a name, unloaded when the current invocation ends; a
// named one is cached by C++ under (ns, name).
function loadNow(ns, name, args) {
  const id = ops.loaderLoad(ns, name, ...args);
  if (args.tails.length) tailsById.set(id, args.tails);
  else tailsById.delete(id);
  return id;
}

// One tail event (the shape of Workers' TraceItem) per invocation, delivered after the response
// and kept in the host's invocation by waitUntil. Logs are those written until the response.
function sendTails(id, request, entrypoint, outcome, details) {
  const tails = tailsById.get(id);
  if (!tails) return;
  const item = {
    scriptName: null,
    entrypoint: entrypoint === "default" ? undefined : entrypoint,
    event: {
      request: { url: request.url, method: request.method, headers: Object.fromEntries(headerPairs(request.headers)) },
      response: details.status === undefined ? undefined : { status: details.status },
    },
    eventTimestamp: details.timestamp,
    logs: (details.logs ?? []).map(([level, timestamp, message]) => ({ level, timestamp, message: [message] })),
    exceptions: details.exception ? [{ timestamp: details.timestamp, name: details.exception.name ?? "Error", message: details.exception.message ?? String(details.exception) }] : [],
    diagnosticsChannelEvents: [],
    outcome,
    executionModel: "stateless",
    truncated: false,
    cpuTime: details.cpuMs ?? 0,
    wallTime: details.wallMs ?? 0,
  };
  const delivered = Promise.all(tails.map(async (tail) => {
    try {
      await tail[deliverTail]([item]);
    } catch (e) {
      console.error("A tail Worker failed:", e);
    }
  }));
  ops.waitUntil(delivered);
}

async function loadLater(ns, name, getCode) {
  const code = await getCode();
  return loadNow(ns, name, codeArguments(code));
}

// https://developers.cloudflare.com/dynamic-workers/api-reference/#workerloader
export class WorkerLoader {
  #ns;

  constructor(key, ns) {
    if (key !== internalKey) illegalConstructor();
    this.#ns = ns;
  }

  get(name, getCode) {
    if (!(#ns in this)) illegalInvocation();
    requiredArguments(arguments.length, 2, methodPrefix("WorkerLoader", "get"));
    if (typeof getCode !== "function") {
      throw new TypeError(`${methodPrefix("WorkerLoader", "get")}: parameter 2 is not of type 'Function'.`);
    }
    if (name === null || name === undefined) {
      // A fresh Worker for this stub, loaded on its first request.
      let loading;
      return new WorkerStub(internalKey, async () => {
        loading ??= loadLater(this.#ns, undefined, getCode);
        const id = await loading;
        if (ops.loaderAlive(id)) return id;
        loading = loadLater(this.#ns, undefined, getCode);
        return loading;
      });
    }
    const ns = this.#ns;
    name = String(name);
    const key = `${ns}\0${name}`;
    return new WorkerStub(internalKey, async () => {
      let loading = named.get(key);
      if (loading === undefined) named.set(key, (loading = loadLater(ns, name, getCode)));
      const id = await loading;
      if (ops.loaderAlive(id)) return id;
      // Unloaded (a limit condemned it, or the cache needed room): load it again, once, for
      // every stub with this name.
      if (named.get(key) === loading) named.set(key, loadLater(ns, name, getCode));
      return named.get(key);
    });
  }

  load(code) {
    if (!(#ns in this)) illegalInvocation();
    requiredArguments(arguments.length, 1, methodPrefix("WorkerLoader", "load"));
    const args = codeArguments(code);
    const ns = this.#ns;
    let id = loadNow(ns, undefined, args);  // validates now: a bad module throws here
    return new WorkerStub(internalKey, async () => {
      if (!ops.loaderAlive(id)) id = loadNow(ns, undefined, args);
      return id;
    });
  }
}
configureInterface(WorkerLoader);

// https://developers.cloudflare.com/dynamic-workers/api-reference/#workerstub
export class WorkerStub {
  #worker;  // () => Promise<id>

  constructor(key, worker) {
    if (key !== internalKey) illegalConstructor();
    this.#worker = worker;
  }

  getEntrypoint(name, options) {
    if (!(#worker in this)) illegalInvocation();
    const entrypoint = name === undefined || name === null ? "default" : String(name);
    const props = options?.props;
    const propsJson = props === undefined ? "" : JSON.stringify(props) ?? "";
    return new Fetcher(internalKey, this.#worker, entrypoint, propsJson, limitsOf(options?.limits));
  }
}
configureInterface(WorkerStub);

const nullBodyStatus = [101, 103, 204, 205, 304];

// A service-binding-like stub to one entrypoint of a dynamic Worker.
export class Fetcher {
  #worker;
  #entrypoint;
  #propsJson;
  #limits;

  constructor(key, worker, entrypoint, propsJson, limits) {
    if (key !== internalKey) illegalConstructor();
    this.#worker = worker;
    this.#entrypoint = entrypoint;
    this.#propsJson = propsJson;
    this.#limits = limits;
  }

  async fetch(input, init = undefined) {
    if (!(#worker in this)) illegalInvocation();
    requiredArguments(arguments.length, 1, methodPrefix("Fetcher", "fetch"));
    const request = new globalThis.Request(input, init);
    // Through the inner body, as fetch() does: reading `request.body` would load the streams area.
    const inner = innerOf(request);
    const body = inner === null ? null : await inner.consume();
    const id = await this.#worker();
    const timestamp = Date.now();
    let answer;
    try {
      answer = await ops.loaderFetch(
          id, this.#entrypoint, this.#propsJson, this.#limits[0], this.#limits[1], request.method, request.url,
          headerPairs(request.headers), body);
    } catch (exception) {
      const limit = /exceeded (CPU|memory|wall)/.exec(exception?.message ?? "");
      const outcome = !limit ? "exception" : limit[1] === "CPU" ? "exceededCpu" : limit[1] === "memory" ? "exceededMemory" : "exceededWallTime";
      sendTails(id, request, this.#entrypoint, outcome, { timestamp, exception });
      throw exception;
    }
    const [status, statusText, headers, bytes, logs, cpuMs, wallMs] = answer;
    sendTails(id, request, this.#entrypoint, "ok", { timestamp, status, logs, cpuMs, wallMs });
    return new globalThis.Response(nullBodyStatus.includes(status) ? null : bytes, { status, statusText, headers });
  }
}
configureInterface(Fetcher);

// env[binding] for each `worker_loaders` binding; bindings: [[binding, namespace], ...].
export function addWorkerLoaders(env, bindings) {
  for (const [binding, ns] of bindings) env[binding] = new WorkerLoader(internalKey, ns);
}
