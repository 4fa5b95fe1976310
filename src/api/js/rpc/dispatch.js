// The callee's side of Workers RPC: a call C++ delivers to this Worker (io::Worker::call) runs
// here, as its own invocation. Which properties a call may reach follows workerd:
//
//   a WorkerEntrypoint class   methods and getters of its prototype chain, not own properties,
//                              nothing from Object.prototype
//   a plain-object entrypoint  its own properties; a function gets (arg, env, ctx), exactly one
//                              argument from the caller
//   an RpcTarget               as a class; a function or plain object (an export): its own
//   fetch, connect, alarm, webSocket*, dup, constructor: reserved
import { WorkerEntrypoint, RpcTarget, makeContext } from "../entrypoints.js";
import { JsRpcStub } from "./stubs.js";
import { deserialize, exportObject, exported, serialize, serializeThrown } from "./serialize.js";

// Captured now: code in this Worker may replace the globals later, and only hurts itself then,
// but its calls should still be answered as described here.
const { apply } = Reflect;
const { getPrototypeOf } = Object;
const { isArray } = Array;
const ObjectPrototype = Object.prototype;
const { hasOwnProperty } = ObjectPrototype;
const join = Array.prototype.join;
const hasOwn = (object, name) => apply(hasOwnProperty, object, [name]);

const entrypointReserved = new Set(["fetch", "connect", "alarm", "webSocketMessage", "webSocketClose",
                                    "webSocketError", "dup", "constructor"]);
const targetReserved = new Set(["dup", "constructor"]);

function notImplemented(name) {
  return new TypeError(`The RPC receiver does not implement the method "${name}".`);
}

function getProperty(object, name, allowInstance, reserved) {
  if (reserved.has(name)) throw new TypeError(`'${name}' is a reserved method and cannot be called over RPC.`);
  // A caller must not reach the prototype objects themselves (a method called on one would
  // change every instance).
  if (name === "__proto__") throw notImplemented(name);
  if (allowInstance) {
    if (!hasOwn(object, name)) throw notImplemented(name);
    return object[name];
  }
  // A class instance: what its prototypes define, not what it holds, nor Object.prototype's.
  if (hasOwn(object, name)) throw notImplemented(name);
  const value = object[name];
  if (value === ObjectPrototype[name]) throw notImplemented(name);
  return value;
}

function isRpcTarget(object) {
  for (let proto = getPrototypeOf(object), i = 0; proto !== null && i < 10000; proto = getPrototypeOf(proto), i++) {
    if (proto === RpcTarget.prototype) return true;
  }
  return false;
}

// Runs one call on `target` and returns what it returns (maybe a promise).
function invoke(target, allowInstance, reserved, envCtx, path, get, argsPayload) {
  const name = path.length ? apply(join, path, ["."]) : "(this)";
  let holder = target;
  let value = target;
  if (path.length > 0) {
    let object = target;
    for (let i = 0; i < path.length - 1; i++) {
      const next = getProperty(object, path[i], allowInstance, reserved);
      if (next === null || (typeof next !== "object" && typeof next !== "function")) throw notImplemented(path[i]);
      object = next;
      if (getPrototypeOf(object) === ObjectPrototype) allowInstance = true;
      else if (isRpcTarget(object) || object instanceof JsRpcStub) allowInstance = false;
      else if (typeof object === "function") allowInstance = true;
      else throw notImplemented(path[i]);
    }
    value = getProperty(object, path[path.length - 1], allowInstance, reserved);
    holder = object;
  }
  if (get) return value;
  if (typeof value !== "function") throw new TypeError(`"${name}" is not a function.`);
  const args = argsPayload === undefined ? [] : deserialize(argsPayload).value;
  argsPayload?.release();  // read once
  if (!isArray(args)) throw new TypeError("The RPC arguments are not a list.");
  if (envCtx) return invokeWithEnvCtx(value, holder, args, envCtx, name);
  return apply(value, holder, args);
}

// A plain-object entrypoint's function: (arg, env, ctx).
function invokeWithEnvCtx(fn, holder, args, { env, ctx }, name) {
  let arity = Math.trunc(Number(fn.length));
  if (!(arity >= 0 && arity < 256)) throw new TypeError(`RPC function has unreasonable length attribute: ${fn.length}`);
  if (arity < 3) arity = 3;
  if (arity !== 3) {
    throw new TypeError(`Cannot call handler function "${name}" over RPC because it has the wrong number of arguments. A simple function handler can only be called over RPC if it has exactly the arguments (arg, env, ctx), where only the first argument comes from the client. To support multi-argument RPC functions, use class-based syntax (extending WorkerEntrypoint) instead.`);
  }
  if (args.length !== 1) {
    throw new TypeError(`Attempted to call RPC function "${name}" with the wrong number of arguments. When calling a top-level handler function that is not declared as part of a class, you must always send exactly one argument. In order to support variable numbers of arguments, the server must use class-based syntax (extending WorkerEntrypoint) instead.`);
  }
  return apply(fn, holder, [args[0], env, ctx]);
}

// -> Promise<[ok, RpcPayload, raw result]>: the result, or what was thrown (serializing the
// result can throw too: a class instance, the size limit). C++ hands the raw result to calls
// pipelined on this one (rpcPipelineTarget).
async function answer(run, args) {
  try {
    const value = await run();
    return [true, serialize(value, true), value];
  } catch (e) {
    return [false, serializeThrown(e)];
  } finally {
    args?.release();  // unread (the method was not found): its references go now
  }
}

// internals.rpcPipelineTarget: what calls made on a call's promise before it settled are sent
// to: its raw result, exported for them (-> the export's RpcImport), if it is something a call
// can be made on.
export function pipelineTarget(value) {
  if (typeof value === "function") return exportObject(value, true, false);
  if (value === null || typeof value !== "object") return undefined;
  if (getPrototypeOf(value) === ObjectPrototype) return exportObject(value, true, false);
  if (isRpcTarget(value) || value instanceof JsRpcStub) return exportObject(value, false, false);
  return undefined;
}

// internals.rpcNotImplemented: what a call pipelined on a result that has no such method gets.
export function notImplementedPayload(name) {
  return serializeThrown(notImplemented(name));
}

// internals.rpcDispatchEntrypoint: a call on entrypoint `handler` (a module export).
export function dispatchEntrypoint(handler, ns, env, propsPayload, path, get, args) {
  return answer(() => {
    const props = propsPayload === undefined ? undefined : deserialize(propsPayload).value;
    const ctx = makeContext(props, ns, env);
    if (typeof handler === "function" && handler.prototype instanceof WorkerEntrypoint) {
      return invoke(new handler(ctx, env), false, entrypointReserved, null, path, get, args);
    }
    if (typeof handler === "object" && handler !== null) {
      return invoke(handler, true, entrypointReserved, { env, ctx }, path, get, args);
    }
    throw new TypeError("The RPC receiver is not an entrypoint (a WorkerEntrypoint class or an object of handlers).");
  }, args);
}

// internals.rpcDispatchExport: a call on export `id` of this Worker.
export function dispatchExport(id, path, get, args) {
  return answer(() => {
    const entry = exported.get(id);
    if (!entry) throw new Error("RPC stub used after being disposed.");
    return invoke(entry.object, entry.allowInstance, targetReserved, null, path, get, args);
  }, args);
}

// internals.rpcEnv: a dynamic Worker's env, read once (its stubs live as long as the Worker).
let env;
export function envOf(payload) {
  env ??= deserialize(payload, true).value;
  return env;
}

// internals.rpcProps: an invocation's ctx.props.
export function propsOf(payload) {
  return deserialize(payload).value;
}
