// https://html.spec.whatwg.org/#timers and https://html.spec.whatwg.org/#microtask-queuing,
// plus Workers' `scheduler.wait()`. JS keeps the timer list; the host only schedules:
// ops.timerStart(id, ms) makes C++ call fireTimer(id) once the delay has passed.
import { ops } from "./ops.js";
import { reportException } from "./events.js";
// A cycle (abort.js uses setTimeout), harmless: each side uses the other only when called.
import { isAbortSignal } from "./abort.js";
import {
  configureInterface, converters, createDictionaryConverter, createInterfaceConverter,
  illegalConstructor, illegalInvocation, internalKey, methodPrefix, requiredArguments,
} from "./webidl.js";

const scope = "ServiceWorkerGlobalScope";  // the interface Workers names in its errors
const timers = new Map();  // id -> { callback, args, repeat, delay }
let nextId = 1;

function start(name, repeat, handler, timeout, args) {
  const prefix = methodPrefix(scope, name);
  // Workers never evaluates a string as code.
  const callback = converters.Function(handler, prefix, "parameter 1");
  const delay = Math.max(0, converters.long(timeout ?? 0, prefix, "parameter 2"));
  const id = nextId++;
  timers.set(id, { callback, args, repeat, delay });
  ops.timerStart(id, delay);
  return id;
}

function clear(id) {
  id = converters.long(id);
  if (timers.delete(id)) ops.timerCancel(id);
}

export function setTimeout(handler, timeout = undefined, ...args) {
  requiredArguments(arguments.length, 1, methodPrefix(scope, "setTimeout"));
  return start("setTimeout", false, handler, timeout, args);
}

export function setInterval(handler, timeout = undefined, ...args) {
  requiredArguments(arguments.length, 1, methodPrefix(scope, "setInterval"));
  return start("setInterval", true, handler, timeout, args);
}

export function clearTimeout(id = 0) {
  clear(id);
}

export function clearInterval(id = 0) {
  clear(id);
}

// Called by C++ when timer `id` is due. A callback's exception propagates to C++, which
// reports it as uncaught; an interval stays scheduled regardless.
export function fireTimer(id) {
  const timer = timers.get(id);
  if (!timer) return;  // cleared after the host queued it
  if (timer.repeat) ops.timerStart(id, timer.delay);
  else timers.delete(id);
  Reflect.apply(timer.callback, globalThis, timer.args);
}

// For the test runner: timers still pending, and a way to drop them all.
export function pendingTimerCount() {
  return timers.size;
}

export function clearAllTimers() {
  for (const id of timers.keys()) ops.timerCancel(id);
  timers.clear();
}

export function queueMicrotask(callback) {
  const prefix = methodPrefix(scope, "queueMicrotask");
  requiredArguments(arguments.length, 1, prefix);
  converters.Function(callback, prefix, "parameter 1");
  // A throwing callback is reported, as HTML says, instead of becoming a rejected promise.
  Promise.resolve().then(() => {
    try {
      callback();
    } catch (error) {
      reportException(error);
    }
  });
}

const convertWaitOptions = createDictionaryConverter("WaitOptions", [
  { key: "signal", converter: createInterfaceConverter("AbortSignal", (v) => isAbortSignal(v)) },
]);

// Workers' Scheduler (https://developers.cloudflare.com/workers/runtime-apis/scheduler/):
// only wait(), a promise-based setTimeout.
class Scheduler {
  constructor(key) {
    if (key !== internalKey) illegalConstructor();
  }

  wait(delay, options = undefined) {
    if (!(this instanceof Scheduler)) illegalInvocation();
    return new Promise((resolve, reject) => {
      const prefix = methodPrefix("Scheduler", "wait");
      requiredArguments(arguments.length, 1, prefix);
      const { signal } = convertWaitOptions(options, prefix, "parameter 2");
      const ms = converters["unrestricted double"](delay);
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(id);
        reject(signal.reason);
      };
      const id = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, Number.isFinite(ms) ? Math.min(ms, 2 ** 31 - 1) : 0);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}
configureInterface(Scheduler, "Scheduler");

export const scheduler = new Scheduler(internalKey);
