// Event, EventTarget and CustomEvent from the DOM Standard, for a global without a node tree:
// an event's path is just its target. Also HTML's ErrorEvent and reportError(): the global
// scope is an EventTarget too (global-scope.js).
import { ops } from "./ops.js";
import { DOMException } from "./dom-exception.js";
import { console } from "./console.js";
import {
  configureInterface, constructPrefix, converters, createDictionaryConverter, defineConstants,
  illegalInvocation, isObject, makeException, methodPrefix, requiredArguments,
} from "./webidl.js";

const eventInit = [
  { key: "bubbles", converter: converters.boolean, defaultValue: false },
  { key: "cancelable", converter: converters.boolean, defaultValue: false },
  { key: "composed", converter: converters.boolean, defaultValue: false },
];
const convertEventInit = createDictionaryConverter("EventInit", eventInit);

// Brand check and internal state of an Event, for EventTarget's dispatch.
let isEvent, stateOf;

// https://dom.spec.whatwg.org/#interface-event
export class Event {
  #state;

  static {
    isEvent = (value) => isObject(value) && #state in value;
    stateOf = (event) => event.#state;
  }

  constructor(type, eventInitDict = undefined) {
    const prefix = constructPrefix("Event");
    requiredArguments(arguments.length, 1, prefix);
    type = converters.DOMString(type, prefix, "parameter 1");
    const init = convertEventInit(eventInitDict, prefix, "parameter 2");
    this.#state = {
      type, bubbles: init.bubbles, cancelable: init.cancelable, composed: init.composed,
      target: null, currentTarget: null, eventPhase: Event.NONE,
      stopPropagation: false, stopImmediatePropagation: false, canceled: false,
      inPassiveListener: false, dispatching: false, initialized: true, isTrusted: false,
      timeStamp: ops.now() - ops.timeOrigin(),
    };
    // [LegacyUnforgeable]: an own, non-configurable accessor on every instance.
    Object.defineProperty(this, "isTrusted", { get: isTrusted, enumerable: true, configurable: false });
  }

  get type() { return state(this).type; }
  get target() { return state(this).target; }
  get srcElement() { return state(this).target; }
  get currentTarget() { return state(this).currentTarget; }

  composedPath() {
    const s = state(this);
    return s.dispatching && s.currentTarget ? [s.currentTarget] : [];
  }

  get eventPhase() { return state(this).eventPhase; }

  stopPropagation() { state(this).stopPropagation = true; }

  get cancelBubble() { return state(this).stopPropagation; }
  set cancelBubble(value) {
    if (value) state(this).stopPropagation = true;
  }

  stopImmediatePropagation() {
    const s = state(this);
    s.stopPropagation = true;
    s.stopImmediatePropagation = true;
  }

  get bubbles() { return state(this).bubbles; }
  get cancelable() { return state(this).cancelable; }

  get returnValue() { return !state(this).canceled; }
  set returnValue(value) {
    if (!value) setCanceled(state(this));
  }

  preventDefault() { setCanceled(state(this)); }

  get defaultPrevented() { return state(this).canceled; }
  get composed() { return state(this).composed; }
  get timeStamp() { return state(this).timeStamp; }

  // https://dom.spec.whatwg.org/#dom-event-initevent (legacy)
  initEvent(type, bubbles = false, cancelable = false) {
    const s = state(this);
    requiredArguments(arguments.length, 1, methodPrefix("Event", "initEvent"));
    if (s.dispatching) return;
    Object.assign(s, {
      type: converters.DOMString(type), bubbles: Boolean(bubbles), cancelable: Boolean(cancelable),
      initialized: true, stopPropagation: false, stopImmediatePropagation: false, canceled: false,
      target: null,
    });
  }
}

function state(event) {
  if (!isEvent(event)) illegalInvocation();
  return stateOf(event);
}

function isTrusted() {
  return state(this).isTrusted;
}

function setCanceled(s) {
  if (s.cancelable && !s.inPassiveListener) s.canceled = true;
}

configureInterface(Event, "Event");
defineConstants(Event, { NONE: 0, CAPTURING_PHASE: 1, AT_TARGET: 2, BUBBLING_PHASE: 3 });

// https://dom.spec.whatwg.org/#interface-customevent
export class CustomEvent extends Event {
  #detail;

  constructor(type, eventInitDict = undefined) {
    const prefix = constructPrefix("CustomEvent");
    requiredArguments(arguments.length, 1, prefix);
    const init = convertCustomEventInit(eventInitDict, prefix, "parameter 2");
    super(type, init);
    this.#detail = init.detail;
  }

  get detail() {
    if (!isObject(this) || !(#detail in this)) illegalInvocation();
    return this.#detail;
  }

  initCustomEvent(type, bubbles = false, cancelable = false, detail = null) {
    if (!isObject(this) || !(#detail in this)) illegalInvocation();
    requiredArguments(arguments.length, 1, methodPrefix("CustomEvent", "initCustomEvent"));
    if (stateOf(this).dispatching) return;
    this.initEvent(type, bubbles, cancelable);
    this.#detail = detail;
  }
}
const convertCustomEventInit = createDictionaryConverter("CustomEventInit", eventInit, [
  { key: "detail", converter: converters.any, defaultValue: null },
]);
configureInterface(CustomEvent, "CustomEvent");

// AbortSignal lives in abort.js, which imports this file; it hands its internals over here so
// that `addEventListener(..., { signal })` can use them without an import cycle.
let abortSignals = { is: () => false, aborted: () => false, onAbort: () => {} };
export function registerAbortSignal(hooks) {
  abortSignals = hooks;
}

function convertSignal(value, prefix, context) {
  if (!abortSignals.is(value)) throw makeException(TypeError, "is not of type 'AbortSignal'.", prefix, context);
  return value;
}
const convertListenerOptions = createDictionaryConverter("EventListenerOptions", [
  { key: "capture", converter: converters.boolean, defaultValue: false },
]);
const convertAddListenerOptions = createDictionaryConverter("AddEventListenerOptions", [
  { key: "capture", converter: converters.boolean, defaultValue: false },
  { key: "once", converter: converters.boolean, defaultValue: false },
  { key: "passive", converter: converters.boolean, defaultValue: false },
  { key: "signal", converter: convertSignal },
]);

// https://dom.spec.whatwg.org/#concept-flatten-options
function flattenOptions(options, convert, prefix) {
  if (typeof options === "boolean" || options === null || (typeof options !== "object" && typeof options !== "function")) {
    return { capture: Boolean(options), once: false, passive: false };
  }
  return convert(options, prefix, "parameter 3");
}

function convertCallback(callback, prefix) {
  if (callback === undefined || callback === null) return null;
  if (typeof callback !== "object" && typeof callback !== "function") {
    throw makeException(TypeError, "is not of type 'EventListener'.", prefix, "parameter 2");
  }
  return callback;
}


// The listener map of an EventTarget (brand-checked), for the functions below the class.
let listenersOf;
// The global object is an EventTarget that no constructor made (global-scope.js).
const globalListeners = new Map();
// EventTargets made as host objects, so that structuredClone can transfer them (MessagePort,
// messaging/): #listeners cannot be added to an object the constructor did not make.
const adoptedListeners = new WeakMap();  // object -> its listener map
const listenerChanges = new WeakMap();   // listener map -> onChange(type, count)

// Makes `object` an EventTarget; onChange(type, count) runs after a listener of `type` is added
// or removed (workerd starts a MessagePort when it gets a "message" listener).
export function adoptEventTarget(object, onChange) {
  const listeners = new Map();
  adoptedListeners.set(object, listeners);
  listenerChanges.set(listeners, onChange);
}

// https://dom.spec.whatwg.org/#interface-eventtarget
export class EventTarget {
  // type -> [{ callback, capture, passive, once, removed }], in registration order
  #listeners = new Map();

  static {
    listenersOf = (target) => {
      if (target === globalThis) return globalListeners;
      const adopted = adoptedListeners.get(target);
      if (adopted) return adopted;
      if (!isObject(target) || !(#listeners in target)) illegalInvocation();
      return target.#listeners;
    };
  }

  constructor() {}

  // Web IDL: an operation called with no `this` (a bare `addEventListener(...)` in a Worker)
  // applies to the global object.
  addEventListener(type, callback, options = undefined) {
    const prefix = methodPrefix("EventTarget", "addEventListener");
    const listeners = listenersOf(this ?? globalThis);
    requiredArguments(arguments.length, 2, prefix);
    type = converters.DOMString(type, prefix, "parameter 1");
    callback = convertCallback(callback, prefix);
    const { capture, once, passive, signal } = flattenOptions(options, convertAddListenerOptions, prefix);
    if (signal && abortSignals.aborted(signal)) return;
    if (callback === null) return;
    let list = listeners.get(type);
    if (!list) listeners.set(type, (list = []));
    if (list.some((l) => l.callback === callback && l.capture === capture)) return;
    const listener = { callback, capture, passive, once, removed: false };
    list.push(listener);
    listenerChanges.get(listeners)?.(type, list.length);
    if (signal) abortSignals.onAbort(signal, () => removeListener(listeners, type, listener));
  }

  removeEventListener(type, callback, options = undefined) {
    const prefix = methodPrefix("EventTarget", "removeEventListener");
    const listeners = listenersOf(this ?? globalThis);
    requiredArguments(arguments.length, 2, prefix);
    type = converters.DOMString(type, prefix, "parameter 1");
    callback = convertCallback(callback, prefix);
    const { capture } = flattenOptions(options, convertListenerOptions, prefix);
    const found = listeners.get(type)?.find((l) => l.callback === callback && l.capture === capture);
    if (found) removeListener(listeners, type, found);
  }

  dispatchEvent(event) {
    const prefix = methodPrefix("EventTarget", "dispatchEvent");
    const target = this ?? globalThis;
    const listeners = listenersOf(target);
    requiredArguments(arguments.length, 1, prefix);
    if (!isEvent(event)) throw makeException(TypeError, "is not of type 'Event'.", prefix, "parameter 1");
    const s = stateOf(event);
    if (s.dispatching || !s.initialized) {
      throw new DOMException(`${prefix}: The event is already being dispatched.`, "InvalidStateError");
    }
    s.isTrusted = false;
    return dispatch(target, listeners, event, s);
  }
}
configureInterface(EventTarget, "EventTarget");

// https://dom.spec.whatwg.org/#concept-event-fire: how the runtime itself dispatches (the
// abort event, ...). Unlike dispatchEvent(), the event is trusted.
export function fireEvent(target, event) {
  const s = stateOf(event);
  s.isTrusted = true;
  return dispatch(target, listenersOf(target), event, s);
}

// https://dom.spec.whatwg.org/#concept-event-dispatch
function dispatch(target, listeners, event, s) {
  s.dispatching = true;
  s.target = target;
  s.currentTarget = target;
  s.eventPhase = Event.AT_TARGET;
  try {
    // At the target, capturing listeners run before the others.
    invoke(target, listeners, event, s, true);
    invoke(target, listeners, event, s, false);
  } finally {
    s.eventPhase = Event.NONE;
    s.currentTarget = null;
    s.dispatching = false;
    s.stopPropagation = false;
    s.stopImmediatePropagation = false;
  }
  return !s.canceled;
}

function removeListener(listeners, type, listener) {
  listener.removed = true;
  const list = listeners.get(type);
  const i = list ? list.indexOf(listener) : -1;
  if (i >= 0) list.splice(i, 1);
  listenerChanges.get(listeners)?.(type, list?.length ?? 0);
}

// https://dom.spec.whatwg.org/#concept-event-listener-inner-invoke
function invoke(target, listeners, event, s, capturing) {
  if (s.stopPropagation) return;
  // A copy: listeners added while dispatching don't run for this event.
  const list = [...(listeners.get(s.type) ?? [])];
  for (const listener of list) {
    if (listener.removed || listener.capture !== capturing) continue;
    if (listener.once) removeListener(listeners, s.type, listener);
    s.inPassiveListener = listener.passive;
    try {
      const { callback } = listener;
      if (typeof callback === "function") {
        callback.call(target, event);
      } else {
        const handleEvent = callback.handleEvent;
        if (typeof handleEvent !== "function") throw new TypeError("handleEvent is not a function");
        handleEvent.call(callback, event);
      }
    } catch (error) {
      reportException(error);
    } finally {
      s.inPassiveListener = false;
    }
    if (s.stopImmediatePropagation) return;
  }
}

// https://html.spec.whatwg.org/#the-errorevent-interface
export class ErrorEvent extends Event {
  #message;
  #filename;
  #lineno;
  #colno;
  #error;

  constructor(type, eventInitDict = undefined) {
    const prefix = constructPrefix("ErrorEvent");
    requiredArguments(arguments.length, 1, prefix);
    type = converters.DOMString(type, prefix, "parameter 1");
    const init = convertErrorEventInit(eventInitDict, prefix, "parameter 2");
    super(type, init);
    this.#message = init.message;
    this.#filename = init.filename;
    this.#lineno = init.lineno;
    this.#colno = init.colno;
    this.#error = init.error;
  }

  get message() { return errorEventOf(this).#message; }
  get filename() { return errorEventOf(this).#filename; }
  get lineno() { return errorEventOf(this).#lineno; }
  get colno() { return errorEventOf(this).#colno; }
  get error() { return errorEventOf(this).#error; }

  static {
    isErrorEvent = (value) => isObject(value) && #error in value;
  }
}
let isErrorEvent;
function errorEventOf(value) {
  if (!isErrorEvent(value)) illegalInvocation();
  return value;
}
const convertErrorEventInit = createDictionaryConverter("ErrorEventInit", eventInit, [
  { key: "message", converter: converters.DOMString, defaultValue: "" },
  { key: "filename", converter: converters.USVString, defaultValue: "" },
  { key: "lineno", converter: converters["unsigned long"], defaultValue: 0 },
  { key: "colno", converter: converters["unsigned long"], defaultValue: 0 },
  { key: "error", converter: converters.any },
]);
configureInterface(ErrorEvent, "ErrorEvent");

// https://html.spec.whatwg.org/#report-the-exception: an ErrorEvent at the global; unless a
// listener cancels it, the exception is logged as uncaught (what Workers does). An exception
// thrown while one is being reported is only logged.
let reporting = false;
export function reportException(error) {
  if (reporting) return logUncaught(error);
  const where = throwSite(error);
  const event = new ErrorEvent("error", {
    cancelable: true, message: describeThrown(error), error, ...where,
  });
  reporting = true;
  let notCanceled;
  try {
    notCanceled = fireEvent(globalThis, event);
  } finally {
    reporting = false;
  }
  if (notCanceled) logUncaught(error);
}

function logUncaught(error) {
  console.error("Uncaught", error);
}

// "Uncaught TypeError: boom", as browsers word ErrorEvent.message.
function describeThrown(error) {
  try {
    if (error instanceof Error) return `Uncaught ${error.name}: ${error.message}`;
    return `Uncaught ${typeof error === "symbol" ? error.toString() : String(error)}`;
  } catch {
    return "Uncaught exception";
  }
}

// The first frame of an Error's stack: { filename, lineno, colno }, or nothing.
function throwSite(error) {
  try {
    const stack = error instanceof Error ? error.stack : undefined;
    const frame = typeof stack === "string" ? /\n\s+at (?:.*\()?(.+?):(\d+):(\d+)\)?(?:\n|$)/.exec(stack) : null;
    if (frame) return { filename: frame[1], lineno: Number(frame[2]), colno: Number(frame[3]) };
  } catch {
    // a throwing `stack` getter: no location
  }
  return {};
}

// https://html.spec.whatwg.org/#dom-reporterror
export function reportError(e) {
  requiredArguments(arguments.length, 1, methodPrefix("ServiceWorkerGlobalScope", "reportError"));
  reportException(e);
}

// https://html.spec.whatwg.org/#event-handler-attributes: defines `on<type>` on Class.prototype.
// The listener is added when the handler is first set and keeps its place in the list.
export function defineEventHandler(Class, type) {
  const handlers = new WeakMap();  // target -> { value }
  Object.defineProperty(Class.prototype, `on${type}`, {
    get() {
      if (!(this instanceof Class)) illegalInvocation();
      return handlers.get(this)?.value ?? null;
    },
    set(value) {
      if (!(this instanceof Class)) illegalInvocation();
      value = typeof value === "function" || (typeof value === "object" && value !== null) ? value : null;
      let slot = handlers.get(this);
      if (!slot && value !== null) {
        slot = { value, listener: (event) => {
          const handler = slot.value;
          if (typeof handler === "function") handler.call(event.currentTarget, event);
        } };
        handlers.set(this, slot);
        this.addEventListener(type, slot.listener);
      } else if (slot && value === null) {
        this.removeEventListener(type, slot.listener);
        handlers.delete(this);
      } else if (slot) {
        slot.value = value;
      }
    },
    enumerable: true,
    configurable: true,
  });
}
