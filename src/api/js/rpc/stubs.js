// The caller's side of Workers RPC (https://developers.cloudflare.com/workers/runtime-apis/rpc/):
//
//   JsRpcStub      a reference to a function or RpcTarget in another isolate (callable)
//   ServiceStub    a reference to an entrypoint (ctx.exports.Name({props}) given in env)
//   JsRpcProperty  `stub.name`: call it, await it (reads the property), or go deeper
//   JsRpcPromise   what a call returns: awaitable, and usable before it settles
//                  (`stub.a().b()`, `await stub.a().x`)
//
// All are shells (shell.js): any property name the class does not define is an RPC name. A
// root (JsRpcStub, ServiceStub, the Worker Loader's Fetcher, a JsRpcPromise) sends calls with
// [rpcSend](path, get, args) -> [Promise<value>, pipeline | undefined, keeper]. A call made on a
// JsRpcPromise before it settles travels with the call it depends on and runs on the callee's
// raw result (one round trip for `await stub.a().b()`); after, it is applied to the value.
// `keeper` is what keeps the Worker on the other side loaded (an unnamed dynamic Worker lives
// while something holds its lease): every stub received from it, directly or through other
// stubs, holds the keeper too, so it works for as long as it is held.
import { ops } from "../ops.js";
import { headerPairs } from "../fetch/headers.js";
import { innerOf } from "../fetch/body.js";
import { Shell } from "./shell.js";
import { illegalConstructor, internalKey } from "../webidl.js";
import { deserialize, rebuildThrown, rpcTransfer, serialize, setStubMaker } from "./serialize.js";

export const rpcSend = Symbol("rpcSend");

const disposedError = () => new Error("RPC stub used after being disposed.");

// The names workerd's classes have (the bundler may rename ours): in error messages, in
// Object.prototype.toString, in "Could not serialize object of type ...".
function nameClass(Class, name, tag = name) {
  Object.defineProperty(Class, "name", { value: name, configurable: true });
  Object.defineProperty(Class.prototype, Symbol.toStringTag, { value: tag, configurable: true });
}

// Properties of a root or a promise: any name goes one step deeper, except `then`: a stub is
// not a thenable (a promise resolved with one would try to chain with it).
const propertyDispatcher = {
  get(shell, name) {
    if (name === "then") return undefined;
    return new JsRpcProperty(internalKey, shell, [name]);
  },
  apply(shell, args) {
    return callPath(shell, [], args);
  },
};

// A call (args: an Array) or a property read (args undefined) at `path` of `root`. Arguments are
// serialized now: changing them afterwards changes nothing. Never throws: a failure is the
// promise's rejection.
export function callPath(root, path, args) {
  let promise;
  let pipeline;
  let keeper;
  try {
    const payload = args === undefined ? undefined : serialize(args, true);
    [promise, pipeline, keeper] = root[rpcSend](path, args === undefined, payload);
  } catch (e) {
    promise = Promise.reject(e);
  }
  return new JsRpcPromise(internalKey, promise, pipeline, keeper);
}

// [rpcSend] of a root whose calls go out through `send(pipeline)` (an op returning a promise of
// the answer); the pipeline is the returned promise's.
export function sendThrough(send, keeper) {
  const pipeline = ops.rpcPipeline();
  return [send(pipeline).then((answer) => receive(answer, keeper)), pipeline, keeper];
}

// The value of a call's answer ([ok, RpcPayload], from C++), or the error it threw.
export function receive(answer, keeper) {
  const [ok, payload] = answer;
  const { value, stubs } = deserialize(payload, false, keeper);
  payload.release();  // read once: what it referenced now lives in the stubs
  if (!ok) throw rebuildThrown(value);
  // Disposing a result disposes the stubs it holds (a stub is its own disposer).
  if (value !== null && typeof value === "object" && !isRoot(value)) {
    Object.defineProperty(value, Symbol.dispose, {
      value: () => { for (const stub of stubs) stub[Symbol.dispose](); },
      writable: true, enumerable: false, configurable: true,
    });
  }
  return value;
}

function isRoot(value) {
  return (typeof value === "object" || typeof value === "function") && value !== null && rpcSend in value;
}

function sendOnImport(imp, path, get, payload, keeper) {
  if (imp.disposed) return [Promise.reject(disposedError()), undefined, keeper];
  return sendThrough((pipeline) => ops.rpcCall(imp, path, get, payload, pipeline), keeper);
}

export class JsRpcStub extends Shell {
  #import;
  #keeper;

  constructor(key, imp, keeper) {
    if (key !== internalKey) illegalConstructor();
    super(key, propertyDispatcher, true);
    this.#import = imp;
    this.#keeper = keeper;
  }

  dup() {
    return new JsRpcStub(internalKey, this.#import.dup(), this.#keeper);
  }

  [Symbol.dispose]() {
    this.#import.dispose();
  }

  [rpcSend](path, get, payload) {
    return sendOnImport(this.#import, path, get, payload, this.#keeper);
  }

  [rpcTransfer]() {
    if (this.#import.disposed) throw disposedError();
    return this.#import;
  }
}
nameClass(JsRpcStub, "JsRpcStub");

const nullBodyStatus = [101, 103, 204, 205, 304];

// A service binding to an entrypoint of another Worker: fetch() and RPC methods, each call a new
// invocation of that entrypoint with the props it was given.
export class ServiceStub extends Shell {
  #import;
  #keeper;

  constructor(key, imp, keeper) {
    if (key !== internalKey) illegalConstructor();
    super(key, propertyDispatcher, false);
    this.#import = imp;
    this.#keeper = keeper;
  }

  async fetch(input, init = undefined) {
    if (!(#import in this)) throw new TypeError("Illegal invocation");
    const request = new globalThis.Request(input, init);
    const inner = innerOf(request);
    const body = inner === null ? null : await inner.consume();
    if (this.#import.disposed) throw disposedError();
    const [status, statusText, headers, bytes] = await ops.rpcFetch(
        this.#import, request.method, request.url, headerPairs(request.headers), body);
    return new globalThis.Response(nullBodyStatus.includes(status) ? null : bytes, { status, statusText, headers });
  }

  [rpcSend](path, get, payload) {
    return sendOnImport(this.#import, path, get, payload, this.#keeper);
  }

  [rpcTransfer]() {
    if (this.#import.disposed) throw disposedError();
    return this.#import;
  }
}
nameClass(ServiceStub, "ServiceStub", "Fetcher");

setStubMaker((imp, keeper) =>
  (imp.isEntrypoint ? new ServiceStub(internalKey, imp, keeper) : new JsRpcStub(internalKey, imp, keeper)));

export class JsRpcProperty extends Shell {
  #parent;
  #path;

  constructor(key, parent, path) {
    if (key !== internalKey) illegalConstructor();
    super(key, dispatcherFor, true);
    this.#parent = parent;
    this.#path = path;
  }

  static deeper(property, name) {
    return new JsRpcProperty(internalKey, property.#parent, [...property.#path, name]);
  }

  static call(property, args) {
    return callPath(property.#parent, property.#path, args);
  }

  then(onFulfilled, onRejected) {
    return callPath(this.#parent, this.#path, undefined).then(onFulfilled, onRejected);
  }

  catch(onRejected) {
    return this.then(undefined, onRejected);
  }

  finally(onFinally) {
    return callPath(this.#parent, this.#path, undefined).finally(onFinally);
  }
}
nameClass(JsRpcProperty, "JsRpcProperty");

// JsRpcProperty's: `prop.name` goes deeper from the same root; `prop(...)` calls.
const dispatcherFor = {
  get(shell, name) {
    return JsRpcProperty.deeper(shell, name);
  },
  apply(shell, args) {
    return JsRpcProperty.call(shell, args);
  },
};

export class JsRpcPromise extends Shell {
  #promise;
  #pipeline;  // an RpcPipelineHandle while calls can still go with this one
  #keeper;
  #disposed = false;

  constructor(key, promise, pipeline, keeper) {
    if (key !== internalKey) illegalConstructor();
    super(key, propertyDispatcher, true);
    this.#promise = promise;
    this.#pipeline = pipeline;
    this.#keeper = keeper;
  }

  then(onFulfilled, onRejected) {
    return this.#promise.then(onFulfilled, onRejected);
  }

  catch(onRejected) {
    return this.#promise.catch(onRejected);
  }

  finally(onFinally) {
    return this.#promise.finally(onFinally);
  }

  [Symbol.dispose]() {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#promise.then((value) => value?.[Symbol.dispose]?.(), () => {});
  }

  // Pipelining: a call on what this promise resolves to (`stub.a().b()`).
  [rpcSend](path, get, payload) {
    if (this.#disposed) return [Promise.reject(new Error("RPC promise used after being disposed.")), undefined];
    if (this.#pipeline !== undefined) {
      const next = ops.rpcPipeline();
      const answer = ops.rpcPipelineCall(this.#pipeline, path, get, payload, next);
      if (answer !== undefined) return [answer.then((a) => receive(a, this.#keeper)), next, this.#keeper];
      this.#pipeline = undefined;  // settled: the value is (about to be) here
    }
    return [this.#promise.then((value) => sendOnValue(value, path, get, payload)), undefined, this.#keeper];
  }
}
nameClass(JsRpcPromise, "JsRpcPromise");

// As the receiver would have said it (the call would have gone there): `remote` too.
function remoteError(message) {
  const error = new TypeError(message);
  Object.defineProperty(error, "remote", { value: true, writable: true, enumerable: false, configurable: true });
  return error;
}

function notImplemented(name) {
  return remoteError(`The RPC receiver does not implement the method "${name}".`);
}

// A call on a value already received: down its own properties, until a stub takes the rest.
function sendOnValue(value, path, get, payload) {
  let object = value;
  for (let i = 0; i < path.length; i++) {
    if (isRoot(object)) return object[rpcSend](path.slice(i), get, payload)[0];
    if (object === null || (typeof object !== "object" && typeof object !== "function") || !Object.hasOwn(object, path[i])) {
      throw notImplemented(path[i]);
    }
    object = object[path[i]];
  }
  if (get) return object;
  if (isRoot(object)) return object[rpcSend]([], false, payload)[0];
  throw remoteError(`"${path.length ? path.join(".") : "(this)"}" is not a function.`);
}
