// The Worker Loader binding, env.LOADER: get(name, getCode) / load(code) -> WorkerStub,
// stub.getEntrypoint(name?, {props, limits}) -> Fetcher, fetcher.fetch(input, init) -> Response.
// https://developers.cloudflare.com/dynamic-workers/api-reference/
// The Workers run in C++ (io/worker-loader.h) and are reached through ops.loaderLoad,
// ops.loaderAlive and ops.loaderFetch; this file owns getCode, its result and the name cache.
import { ops } from "./ops.js";
import { configureInterface, illegalConstructor, illegalInvocation, internalKey, methodPrefix,
         requiredArguments } from "./webidl.js";
import { headerPairs } from "./fetch/headers.js";

// Loaded Workers by namespace and name, for this host Worker (one isolate): a promise of the
// Worker's id, or of getCode's failure, which every later call with that name gets too.
const named = new Map();

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
  return [code.mainModule, list, env, ...limitsOf(code.limits)];
}

// transient: a Worker without a name, unloaded when the current invocation ends.
function loadNow(args, transient) {
  return ops.loaderLoad(transient, ...args);
}

async function loadLater(getCode, transient) {
  const code = await getCode();
  return loadNow(codeArguments(code), transient);
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
        loading ??= loadLater(getCode, true);
        const id = await loading;
        if (ops.loaderAlive(id)) return id;
        loading = loadLater(getCode, true);
        return loading;
      });
    }
    const key = `${this.#ns}\0${String(name)}`;
    return new WorkerStub(internalKey, async () => {
      let loading = named.get(key);
      if (loading === undefined) named.set(key, (loading = loadLater(getCode, false)));
      const id = await loading;
      if (ops.loaderAlive(id)) return id;
      // A limit condemned it: load it again, once, for every stub with this name.
      if (named.get(key) === loading) named.set(key, loadLater(getCode, false));
      return named.get(key);
    });
  }

  load(code) {
    if (!(#ns in this)) illegalInvocation();
    requiredArguments(arguments.length, 1, methodPrefix("WorkerLoader", "load"));
    const args = codeArguments(code);
    let id = loadNow(args, true);  // validates now: a bad module throws here
    return new WorkerStub(internalKey, async () => {
      if (!ops.loaderAlive(id)) id = loadNow(args, true);
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
    const body = request.body === null ? null : new Uint8Array(await request.arrayBuffer());
    const id = await this.#worker();
    const [status, statusText, headers, bytes] = await ops.loaderFetch(
        id, this.#entrypoint, this.#propsJson, this.#limits[0], this.#limits[1], request.method, request.url,
        headerPairs(request.headers), body);
    return new globalThis.Response(nullBodyStatus.includes(status) ? null : bytes, { status, statusText, headers });
  }
}
configureInterface(Fetcher);

// env[binding] for each `worker_loaders` binding; bindings: [[binding, namespace], ...].
export function addWorkerLoaders(env, bindings) {
  for (const [binding, ns] of bindings) env[binding] = new WorkerLoader(internalKey, ns);
}
