// AbortController and AbortSignal from the DOM Standard.
import { DOMException } from "./dom-exception.js";
import { Event, EventTarget, defineEventHandler, fireEvent, registerAbortSignal } from "./events.js";
import { setTimeout } from "./timers.js";
import {
  configureInterface, converters, createInterfaceConverter,
  createSequenceConverter, illegalConstructor, illegalInvocation, internalKey, isObject, methodPrefix,
  requiredArguments,
} from "./webidl.js";

// Brand check and internal state, for the functions below and for events.js / timers.js.
let isSignal, stateOf;

// https://dom.spec.whatwg.org/#interface-AbortSignal
export class AbortSignal extends EventTarget {
  // reason: undefined until aborted; algorithms: run once on abort (internal listeners);
  // sources / dependents: links made by AbortSignal.any().
  #state = { aborted: false, reason: undefined, algorithms: new Set(), dependent: false, sources: [], dependents: [] };

  static {
    isSignal = (value) => isObject(value) && #state in value;
    stateOf = (signal) => signal.#state;
  }

  constructor(key = undefined) {
    if (key !== internalKey) illegalConstructor();
    super();
  }

  static abort(reason = undefined) {
    const signal = new AbortSignal(internalKey);
    const s = signal.#state;
    s.aborted = true;
    s.reason = reason === undefined ? abortError() : reason;
    return signal;
  }

  static timeout(milliseconds) {
    const prefix = methodPrefix("AbortSignal", "timeout");
    requiredArguments(arguments.length, 1, prefix);
    const ms = converters["unsigned long long"](milliseconds, prefix, "parameter 1", { enforceRange: true });
    const signal = new AbortSignal(internalKey);
    setTimeout(() => {
      signalAbort(signal, new DOMException("The operation timed out.", "TimeoutError"));
    }, Math.min(ms, 2 ** 31 - 1));
    return signal;
  }

  // https://dom.spec.whatwg.org/#create-a-dependent-abort-signal
  static any(signals) {
    const prefix = methodPrefix("AbortSignal", "any");
    requiredArguments(arguments.length, 1, prefix);
    const list = convertSignals(signals, prefix, "parameter 1");
    const result = new AbortSignal(internalKey);
    const r = result.#state;
    const aborted = list.find((signal) => signal.#state.aborted);
    if (aborted) {
      r.aborted = true;
      r.reason = aborted.#state.reason;
      return result;
    }
    r.dependent = true;
    for (const signal of list) {
      const sources = signal.#state.dependent ? signal.#state.sources : [signal];
      for (const source of sources) {
        if (r.sources.includes(source)) continue;
        r.sources.push(source);
        source.#state.dependents.push(result);
      }
    }
    return result;
  }

  get aborted() {
    return checked(this).aborted;
  }

  get reason() {
    return checked(this).reason;
  }

  throwIfAborted() {
    const s = checked(this);
    if (s.aborted) throw s.reason;
  }
}
defineEventHandler(AbortSignal, "abort");
configureInterface(AbortSignal, "AbortSignal");

export function isAbortSignal(value) {
  return isSignal(value);
}

function checked(signal) {
  if (!isSignal(signal)) illegalInvocation();
  return stateOf(signal);
}

// The `signal` option of addEventListener needs these.
registerAbortSignal({
  is: isSignal,
  aborted: (signal) => stateOf(signal).aborted,
  onAbort: (signal, algorithm) => stateOf(signal).algorithms.add(algorithm),
});

const convertSignals = createSequenceConverter(createInterfaceConverter("AbortSignal", isAbortSignal));

function abortError() {
  return new DOMException("This operation was aborted", "AbortError");
}

// https://dom.spec.whatwg.org/#abortsignal-signal-abort
export function signalAbort(signal, reason) {
  const s = stateOf(signal);
  if (s.aborted) return;
  s.aborted = true;
  s.reason = reason === undefined ? abortError() : reason;
  const toAbort = [];
  for (const dependent of s.dependents) {
    const d = stateOf(dependent);
    if (d.aborted) continue;
    d.aborted = true;
    d.reason = s.reason;
    toAbort.push(dependent);
  }
  s.dependents = [];
  runAbortSteps(signal);
  for (const dependent of toAbort) runAbortSteps(dependent);
}

function runAbortSteps(signal) {
  const s = stateOf(signal);
  const algorithms = [...s.algorithms];
  s.algorithms.clear();
  for (const algorithm of algorithms) algorithm();
  fireEvent(signal, new Event("abort"));
}

// https://dom.spec.whatwg.org/#interface-abortcontroller
export class AbortController {
  #signal = new AbortSignal(internalKey);

  constructor() {}

  get signal() {
    if (!isObject(this) || !(#signal in this)) illegalInvocation();
    return this.#signal;
  }

  abort(reason = undefined) {
    if (!isObject(this) || !(#signal in this)) illegalInvocation();
    signalAbort(this.#signal, reason);
  }
}
configureInterface(AbortController, "AbortController");
