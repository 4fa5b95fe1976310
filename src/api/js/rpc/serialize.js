// How values cross between isolates for RPC (C++: src/js/rpc-serialize.h, src/api/rpc.h):
// V8's structured serialization, with functions, RpcTarget instances, proxies and stubs crossing
// by reference. This file decides what each such object becomes:
//
//   a stub or service stub we hold     its reference, shared with the message
//   a function                         a new export of this Worker (calls run here)
//   an RpcTarget instance              a new export; its methods and getters are reachable,
//                                      not its own properties
//   ctx.exports.Name({props})          a reference to that entrypoint of this Worker
//   a proxy                            an export, if its prototype chain says plain object,
//                                      RpcTarget or function; otherwise refused
//   a Fetcher of a dynamic Worker, ctx.exports.Name itself, other class instances: refused
//
// It also keeps this Worker's exports (by the id C++ gave them) until their last reference
// goes (rpcRelease), and turns what an RPC method throws into a value and back.
import { ops } from "../ops.js";
import { cloneHooks } from "../structured-clone.js";
import { DOMException } from "../dom-exception.js";
import { RpcTarget, deliverTail, rpcEntrypoint } from "../entrypoints.js";

// Objects with this method can cross as a reference: it returns the RpcImport to send, or
// throws the DataCloneError that says why not (stubs.js, worker-loader.js).
export const rpcTransfer = Symbol("rpcTransfer");

// This Worker's exports: id -> { object, allowInstance, target }.
export const exported = new Map();

// How a received reference becomes a stub (stubs.js): (import, keeper) -> object.
let makeStub = null;
export function setStubMaker(fn) {
  makeStub = fn;
}

// The capability list of the serialization in progress (one per nested call).
let capabilities = null;

const dataCloneError = (message) => new DOMException(message, "DataCloneError");

// A new export of this Worker (-> its RpcImport). `target`: an RpcTarget, disposed when released.
export function exportObject(object, allowInstance, target) {
  const imp = ops.rpcExport();
  exported.set(imp.exportId, { object, allowInstance, target });
  return imp;
}

function isRpcTarget(object) {
  // A bounded walk: a proxy may answer getPrototypeOf forever.
  let proto = object;
  for (let i = 0; i < 10000 && proto !== null; i++) {
    proto = Object.getPrototypeOf(proto);
    if (proto === RpcTarget.prototype) return true;
  }
  return false;
}

function exportProxy(proxy) {
  if (Object.getPrototypeOf(proxy) === Object.prototype) return exportObject(proxy, true, false);
  if (isRpcTarget(proxy)) return exportObject(proxy, false, true);
  if (typeof proxy === "function") return exportObject(proxy, true, false);
  throw dataCloneError("Proxy could not be serialized because it is not a valid RPC receiver type. The Proxy must emulate either a plain object or an RpcTarget, as indicated by the Proxy's prototype chain.");
}

// What C++ calls for each function, proxy, shell or class instance it meets.
function capability(object, isProxy) {
  const list = capabilities;
  let imp;
  if (isProxy) {
    imp = exportProxy(object);
  } else if (rpcTransfer in object) {
    imp = object[rpcTransfer]();
  } else if (typeof object === "function") {
    if (deliverTail in object) {
      throw dataCloneError('Could not serialize object of type "LoopbackServiceStub". This type does not support serialization.');
    }
    imp = exportObject(object, true, false);
  } else if (rpcEntrypoint in object) {
    const [name, props] = object[rpcEntrypoint]();
    imp = ops.rpcEntrypointRef(name, props === undefined ? undefined : serialize(props));
  } else if (isRpcTarget(object)) {
    imp = exportObject(object, false, true);
  } else {
    return undefined;  // C++: 'Could not serialize object of type "X". ...'
  }
  list.push(imp);
  return list.length - 1;
}

const hooks = { ...cloneHooks, capability };

// -> RpcPayload. `limited`: the 32 MiB limit on RPC arguments and results.
export function serialize(value, limited = false) {
  const outer = capabilities;
  const list = (capabilities = []);
  try {
    return ops.rpcSerialize(value, hooks, list, limited);
  } catch (e) {
    // Exports made for a message that is not sent go at once.
    for (const imp of list) if (imp.exportId >= 0) imp.dispose();
    throw e;
  } finally {
    capabilities = outer;
  }
}

// -> { value, stubs }: `stubs` are those the value holds. `longLived`: they are not disposed
// with the current invocation (a Worker's env). `keeper`: held by every stub made (stubs.js).
export function deserialize(payload, longLived = false, keeper = undefined) {
  const stubs = [];
  const value = ops.rpcDeserialize(payload, hooks, (imp) => {
    const stub = makeStub(imp, keeper);
    stubs.push(stub);
    return stub;
  }, longLived);
  return { value, stubs };
}

// internals.rpcRelease: the last references to these exports went.
export function release(ids) {
  for (const id of ids) {
    const entry = exported.get(id);
    exported.delete(id);
    if (!entry?.target) continue;
    // RpcTarget[Symbol.dispose] runs once no stub can reach the object any more.
    try {
      const dispose = entry.object[Symbol.dispose];
      if (typeof dispose === "function") dispose.call(entry.object);
    } catch (e) {
      console.error("An RpcTarget's Symbol.dispose threw:", e);
    }
  }
}

// What an RPC method threw, as a payload: [kind, name, message, properties]. DOMExceptions keep
// their class; errors their name, message and own properties (not the stack); anything else
// becomes an Error with its text, as in Workers.
export function serializeThrown(thrown) {
  let record;
  try {
    if (thrown instanceof DOMException) {
      record = ["dom", thrown.name, thrown.message, {}];
    } else if (thrown instanceof Error) {
      const properties = {};
      for (const key of Object.keys(thrown)) {
        if (key !== "stack" && key !== "name" && key !== "message") properties[key] = thrown[key];
      }
      record = ["error", String(thrown.name), String(thrown.message), properties];
    } else {
      record = ["error", "Error", String(thrown), {}];
    }
  } catch {
    record = ["error", "Error", "The RPC method threw a value that cannot be described.", {}];
  }
  try {
    return serialize(record, true);
  } catch {
    return serialize([record[0], record[1], record[2], {}], true);  // without what cannot cross
  }
}

const errorClasses = { Error, TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError };

// The error a caller sees for a thrown record. It came from another isolate, possibly a
// sandbox: every part is checked, and its properties are defined on the new error only.
export function rebuildThrown(record) {
  const part = (i, fallback) => (Array.isArray(record) && typeof record[i] === "string" ? record[i] : fallback);
  const kind = part(0, "error");
  const name = part(1, "Error");
  const message = part(2, "");
  let error;
  if (kind === "dom") {
    error = new DOMException(message, name);
  } else {
    const ErrorClass = Object.hasOwn(errorClasses, name) ? errorClasses[name] : Error;
    error = new ErrorClass(message);
    if (error.name !== name) Object.defineProperty(error, "name", { value: name, writable: true, enumerable: false, configurable: true });
    const properties = Array.isArray(record) ? record[3] : undefined;
    if (properties !== null && typeof properties === "object") {
      for (const key of Object.keys(properties)) {
        if (key === "stack") continue;
        Object.defineProperty(error, key, { value: properties[key], writable: true, enumerable: true, configurable: true });
      }
    }
  }
  Object.defineProperty(error, "remote", { value: true, writable: true, enumerable: false, configurable: true });
  // The caller's stack, without the runtime's own frames.
  if (typeof error.stack === "string") error.stack = error.stack.split("\n").filter((line) => !line.includes("(wisp:runtime.js:")).join("\n");
  return error;
}
