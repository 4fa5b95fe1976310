// The Worker Loader binding, env.LOADER: get(name, getCode) / load(code) -> WorkerStub,
// stub.getEntrypoint(name?, {props, limits}) -> Fetcher, fetcher.fetch(input, init) -> Response.
// https://developers.cloudflare.com/dynamic-workers/api-reference/
// The Workers run in C++ (io/worker-loader.h) and are reached through ops.loaderLoad,
// ops.loaderAlive and ops.loaderFetch; this file owns getCode, its result and the name cache.
import { ops } from "./ops.js";
import { configureInterface, illegalConstructor, illegalInvocation, internalKey, methodPrefix,
         requiredArguments } from "./webidl.js";
import { headerPairs, headersFromList } from "./fetch/headers.js";
import { InnerBody, innerOf } from "./fetch/body.js";
import { createResponse } from "./fetch/response.js";
import { deliverTail, outboundTarget } from "./entrypoints.js";
import { DOMException } from "./dom-exception.js";
import { Shell } from "./rpc/shell.js";
import { rpcTransfer, serialize, serializeThrown } from "./rpc/serialize.js";
import { JsRpcProperty, ServiceStub, rpcSend, sendThrough } from "./rpc/stubs.js";

// Loaded Workers by namespace and name, for this host Worker (one isolate): a promise of the
// Worker's id, or of getCode's failure, which every later call with that name gets too.
const named = new Map();
// The `tails` of each loaded Worker, by id. An unnamed Worker's entry goes when V8 collects the
// object that holds its lease (its id is never used again).
const tailsById = new Map();
const forgetTails = new FinalizationRegistry((id) => tailsById.delete(id));

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

// The keys of an object module that say its type (`ts` is wisp's own); others are ignored.
const moduleTypes = new Set(["js", "cjs", "text", "data", "json", "py", "wasm", "ts"]);

// WorkerCode.compatibilityFlags: an Array, each flag a string. C++ checks the names.
function flagsOf(flags) {
  if (flags === undefined) return [];
  if (!Array.isArray(flags)) throw fieldType("compatibilityFlags", "Array");
  return flags.map(String);
}

// WorkerCode as the arguments of ops.loaderLoad, copied now (later changes to `code` are not seen).
// As Web IDL (and workerd) convert them, strings may be given as other values: a missing
// compatibilityDate is "undefined", which C++ then refuses as a date.
function codeArguments(code) {
  if (code === null || typeof code !== "object") {
    throw new TypeError("The code of a dynamic Worker must be an object (WorkerCode).");
  }
  const compatibility = [String(code.compatibilityDate), flagsOf(code.compatibilityFlags)];
  const mainModule = String(code.mainModule);
  const modules = code.modules;
  if (modules === null || typeof modules !== "object" || Array.isArray(modules)) throw fieldType("modules", "object");
  const list = [];
  for (const [name, value] of Object.entries(modules)) {
    if (value === null || value === undefined || typeof value === "object") {
      const fields = [];
      for (const key of Object.keys(value ?? {})) {
        if (!moduleTypes.has(key)) continue;
        const v = value[key];
        if (key === "data" || key === "wasm") fields.push(key, copyBytes(v, name, key));
        else if (key === "json") fields.push(key, JSON.stringify(v) ?? "null");
        else fields.push(key, String(v));
      }
      list.push([name, fields, undefined]);
    } else {
      list.push([name, null, String(value)]);
    }
  }
  // Structured-cloned, with stubs (js/rpc/serialize.js); C++ checks its size.
  if (code.env !== undefined && (code.env === null || typeof code.env !== "object")) throw fieldType("env", "Object");
  const env = serialize(code.env === undefined ? {} : code.env);
  const args = [mainModule, list, env, ...limitsOf(code.limits)];
  args.compatibility = compatibility;
  args.tails = tailsOf(code.tails);
  args.outbound = outboundOf(code.globalOutbound);
  return args;
}

// WorkerCode.globalOutbound as ops.loaderLoad takes it: undefined (omitted: the host's own
// outbound, the network under the server's egress policy), null (fetch() and connect() throw)
// or [entrypoint, props]: an entrypoint of this host (ctx.exports.Name({props})) that gets
// every fetch() of the dynamic Worker as a Request and answers it.
function outboundOf(outbound) {
  if (outbound === undefined || outbound === null) return outbound;
  if (outbound instanceof Fetcher) {
    throw new DOMException("Entrypoints to dynamically-loaded workers cannot be transferred to other Workers, because the system does not know how to reload this Worker from scratch. Instead, have the parent Worker expose an entrypoint which constructs the dynamic worker and forwards to it.", "DataCloneError");
  }
  if ((typeof outbound === "function" || typeof outbound === "object") && outboundTarget in outbound) {
    const [entrypoint, props] = outbound[outboundTarget]();
    // Structured-cloned now, as getEntrypoint()'s props are: each request gets a fresh copy.
    return [entrypoint, props === undefined ? undefined : serialize(props)];
  }
  throw fieldType("globalOutbound", "Fetcher");
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

// name: undefined for a Worker without a name; a named one is cached by C++ under (ns, name).
// `held`: for an unnamed Worker, the object its stub's closure keeps; it holds the Worker's
// lease, so the Worker is unloaded once V8 collects the stub and every Fetcher made from it.
function loadNow(ns, name, args, held = undefined) {
  const id = ops.loaderLoad(ns, name, ...args, args.outbound, args.compatibility);
  if (held) held.lease = ops.loaderHold(id);
  if (args.tails.length) {
    tailsById.set(id, args.tails);
    if (held) forgetTails.register(held, id);
  } else {
    tailsById.delete(id);
  }
  return id;
}

// One tail event (the shape of Workers' TraceItem) per invocation, delivered after the response
// and kept in the host's invocation by waitUntil. Logs are those written until the response, or
// until the failure. request: { method, url, headers: [[name, value], ...] }.
function sendTails(id, request, entrypoint, outcome, details) {
  const tails = tailsById.get(id);
  if (!tails) return;
  const item = {
    scriptName: null,
    entrypoint: entrypoint === "default" ? undefined : entrypoint,
    event: {
      request: { url: request.url, method: request.method, headers: Object.fromEntries(request.headers) },
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

async function loadLater(ns, name, getCode, held = undefined) {
  const code = await getCode();
  return loadNow(ns, name, codeArguments(code), held);
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
    // Web IDL's words, as workerd has them (a name may be null or undefined, but not left out).
    if (arguments.length === 0) {
      throw new TypeError(`${methodPrefix("WorkerLoader", "get")}: parameter 1 is not of type 'string'.`);
    }
    if (typeof getCode !== "function") {
      throw new TypeError(`${methodPrefix("WorkerLoader", "get")}: parameter 2 is not of type 'function'.`);
    }
    if (name === null || name === undefined) {
      // A fresh Worker for this stub, loaded on its first request, kept while the stub or a
      // Fetcher made from it lives (they share this closure, which holds the lease).
      const held = {};
      let loading;
      return new WorkerStub(internalKey, async () => {
        loading ??= loadLater(this.#ns, undefined, getCode, held);
        const id = await loading;
        if (ops.loaderAlive(id)) return id;
        loading = loadLater(this.#ns, undefined, getCode, held);
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
    if (code === null || typeof code !== "object") {
      throw new TypeError(`${methodPrefix("WorkerLoader", "load")}: parameter 1 is not of type 'WorkerCode'.`);
    }
    const args = codeArguments(code);
    const ns = this.#ns;
    const held = {};  // the lease, as in get(null)
    let id = loadNow(ns, undefined, args, held);  // validates now: a bad module throws here
    return new WorkerStub(internalKey, async () => {
      if (!ops.loaderAlive(id)) id = loadNow(ns, undefined, args, held);
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
    // Structured-cloned now (js/rpc/serialize.js): a value that cannot cross throws here.
    const payload = props === undefined ? undefined : serialize(props);
    return new Fetcher(internalKey, this.#worker, entrypoint, payload, limitsOf(options?.limits));
  }
}
configureInterface(WorkerStub);

const nullBodyStatus = [101, 103, 204, 205, 304];
// https://fetch.spec.whatwg.org/#redirect-status
const redirectStatuses = new Set([301, 302, 303, 307, 308]);
// How many redirects one Fetcher.fetch() follows, as fetch() does.
const maxRedirects = 20;
// The headers that describe a request body: they go when a redirect makes the request a GET.
const bodyHeaders = new Set(["content-encoding", "content-language", "content-location", "content-type"]);

function withoutFragment(href) {
  const hash = href.indexOf("#");
  return hash < 0 ? href : href.slice(0, hash);
}

function headerValue(pairs, name) {
  return pairs.find(([key]) => key.toLowerCase() === name)?.[1] ?? "";
}

// The request a redirect to `url` asks for (https://fetch.spec.whatwg.org/#http-redirect-fetch):
// a POST after 301/302, and anything but GET/HEAD after 303, becomes a GET without its body;
// credentials stay with their origin.
function redirectedHop(hop, status, url) {
  let { method, headers, body } = hop;
  if (((status === 301 || status === 302) && method === "POST") ||
      (status === 303 && method !== "GET" && method !== "HEAD")) {
    method = "GET";
    body = null;
    headers = headers.filter(([name]) => !bodyHeaders.has(name.toLowerCase()));
  }
  if (new URL(url).origin !== new URL(hop.url).origin) {
    headers = headers.filter(([name]) => name.toLowerCase() !== "authorization");
  }
  return { method, url, headers, body };
}

// A tail event's outcome for a call that failed with `exception`.
function outcomeOf(exception) {
  const limit = /exceeded (CPU|memory|wall)/.exec(exception?.message ?? "");
  if (!limit) return "exception";
  return limit[1] === "CPU" ? "exceededCpu" : limit[1] === "memory" ? "exceededMemory" : "exceededWallTime";
}

// The names of a Fetcher the class does not define are RPC methods of the entrypoint
// (`fetcher.run(a, b)`, `await fetcher.someProperty`): js/rpc/stubs.js.
const entrypointDispatcher = {
  get(fetcher, name) {
    if (name === "then") return undefined;  // not a thenable
    return new JsRpcProperty(internalKey, fetcher, [name]);
  },
};

const notTransferable = "Entrypoints to dynamically-loaded workers cannot be transferred to other Workers, because the system does not know how to reload this Worker from scratch. Instead, have the parent Worker expose an entrypoint which constructs the dynamic worker and forwards to it.";

// A service-binding-like stub to one entrypoint of a dynamic Worker: fetch() and RPC.
export class Fetcher extends Shell {
  #worker;
  #entrypoint;
  #props;  // an RpcPayload, or undefined
  #limits;

  constructor(key, worker, entrypoint, props, limits) {
    if (key !== internalKey) illegalConstructor();
    super(key, entrypointDispatcher, false);
    this.#worker = worker;
    this.#entrypoint = entrypoint;
    this.#props = props;
    this.#limits = limits;
  }

  // An RPC call: see js/rpc/stubs.js. The Worker may still have to load (getCode). Stubs it
  // returns keep it loaded as this Fetcher does: they hold the same closure (its lease).
  [rpcSend](path, get, args) {
    return sendThrough(async (pipeline) => {
      try {
        const id = await this.#worker();
        return await ops.loaderCall(id, this.#entrypoint, this.#props, this.#limits[0], this.#limits[1], path, get,
                                    args, pipeline);
      } catch (e) {
        // The call was not made (getCode failed, a limit...): calls made on it fail alike.
        ops.rpcPipelineBreak(pipeline, serializeThrown(e));
        throw e;
      }
    }, this.#worker);
  }

  [rpcTransfer]() {
    throw new DOMException(notTransferable, "DataCloneError");
  }

  // Redirects are followed back into the same Worker unless the request says otherwise
  // (redirect: "manual" hands the 3xx back, "error" throws), as workerd's Fetcher does.
  async fetch(input, init = undefined) {
    if (!(#worker in this)) illegalInvocation();
    requiredArguments(arguments.length, 1, methodPrefix("Fetcher", "fetch"));
    const request = new globalThis.Request(input, init);
    // Through the inner body, as fetch() does: reading `request.body` would load the streams area.
    const inner = innerOf(request);
    const body = inner === null ? null : await inner.consume();
    // The URL's fragment stays with the caller, as over HTTP.
    let hop = { method: request.method, url: withoutFragment(request.url), headers: headerPairs(request.headers), body };
    const id = await this.#worker();
    const urlList = [hop.url];
    for (;;) {
      const [status, statusText, headers, bytes] = await this.#deliver(id, hop);
      const location = request.redirect === "manual" || !redirectStatuses.has(status) ? "" : headerValue(headers, "location");
      if (!location) {
        return createResponse({
          type: "default", status, statusText, headers: headersFromList(headers, "immutable"), urlList, cf: undefined,
          body: nullBodyStatus.includes(status) ? null : new InnerBody(bytes),
        });
      }
      if (request.redirect === "error") {
        throw new TypeError(`Fetcher.fetch() to ${urlList[0]} was redirected to ${location}, and the request's redirect mode is "error".`);
      }
      if (urlList.length > maxRedirects) {
        throw new TypeError(`Fetcher.fetch() to ${urlList[0]} was redirected more than ${maxRedirects} times.`);
      }
      let next;
      try {
        next = new URL(location, hop.url).href;
      } catch {
        throw new TypeError(`Fetcher.fetch() to ${hop.url} was redirected to "${location}", which is not a valid URL.`);
      }
      hop = redirectedHop(hop, status, withoutFragment(next));
      urlList.push(hop.url);
    }
  }

  // One invocation of the entrypoint, with its tail event: [status, statusText, headers, body].
  async #deliver(id, hop) {
    const timestamp = Date.now();
    let answer;
    try {
      answer = await ops.loaderFetch(id, this.#entrypoint, this.#props, this.#limits[0], this.#limits[1], hop.method,
                                     hop.url, hop.headers, hop.body);
    } catch (exception) {  // the Worker could not start
      sendTails(id, hop, this.#entrypoint, outcomeOf(exception), { timestamp, exception });
      throw exception;
    }
    if (typeof answer[0] !== "number") {  // the invocation failed: its error and its trace until then
      const [exception, logs, cpuMs, wallMs] = answer;
      sendTails(id, hop, this.#entrypoint, outcomeOf(exception), { timestamp, exception, logs, cpuMs, wallMs });
      throw exception;
    }
    const [status, statusText, headers, bytes, logs, cpuMs, wallMs] = answer;
    sendTails(id, hop, this.#entrypoint, "ok", { timestamp, status, logs, cpuMs, wallMs });
    return [status, statusText, headers, bytes];
  }
}
// A Fetcher is a ServiceStub, as in workerd (`instanceof ServiceStub` from "cloudflare:workers");
// it defines everything it inherits from there.
Object.setPrototypeOf(Fetcher.prototype, ServiceStub.prototype);
configureInterface(Fetcher);

// env[binding] for each `worker_loaders` binding; bindings: [[binding, namespace], ...].
export function addWorkerLoaders(env, bindings) {
  for (const [binding, ns] of bindings) env[binding] = new WorkerLoader(internalKey, ns);
}
