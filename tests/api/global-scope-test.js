// The global scope as Workers has it: an EventTarget (ServiceWorkerGlobalScope), reportError()
// and ErrorEvent, exceptions from listeners and microtasks reported at the global, navigator.
import { assert, assertEquals, assertThrows } from "wisp:test";

// Runs `body` with an "error" listener on the global that records (and cancels) each event.
async function withErrorEvents(body) {
  const events = [];
  const listener = (event) => {
    events.push(event);
    event.preventDefault();
  };
  addEventListener("error", listener);
  try {
    await body(events);
  } finally {
    removeEventListener("error", listener);
  }
  return events;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

export function theGlobalIsAnEventTarget() {
  assert(globalThis instanceof EventTarget);
  assert(globalThis instanceof WorkerGlobalScope);
  assert(self === globalThis);
  assertEquals(Object.prototype.toString.call(globalThis), "[object ServiceWorkerGlobalScope]");
  assertEquals(Object.getPrototypeOf(Object.getPrototypeOf(globalThis)), WorkerGlobalScope.prototype);
  assertEquals(Object.getPrototypeOf(WorkerGlobalScope.prototype), EventTarget.prototype);
  assertThrows(() => new WorkerGlobalScope(), TypeError, "Illegal constructor");
  assertEquals(typeof globalThis.ServiceWorkerGlobalScope, "undefined");  // not a global in Workers
  // Globals stay own properties of the global.
  assert(Object.hasOwn(globalThis, "structuredClone"));
}

export function listenersOnTheGlobal() {
  const seen = [];
  const listener = function (event) {
    seen.push([this === globalThis, event.target === globalThis, event.currentTarget === self]);
  };
  // Bare calls (no `this`) act on the global, as Web IDL says for the global object.
  addEventListener("ping", listener);
  assertEquals(dispatchEvent(new Event("ping")), true);
  self.dispatchEvent(new Event("ping"));
  removeEventListener("ping", listener);
  dispatchEvent(new Event("ping"));
  assertEquals(seen, [[true, true, true], [true, true, true]]);

  const cancel = (event) => event.preventDefault();
  self.addEventListener("stop", cancel, { once: true });
  assertEquals(dispatchEvent(new Event("stop", { cancelable: true })), false);
  assertEquals(dispatchEvent(new Event("stop", { cancelable: true })), true);  // once
  // Another object is still no EventTarget.
  assertThrows(() => EventTarget.prototype.addEventListener.call({}, "x", () => {}), TypeError, "Illegal invocation");
}

export async function reportErrorDispatchesAnErrorEvent() {
  const error = new RangeError("out of range");
  const events = await withErrorEvents(() => {
    assertEquals(reportError(error), undefined);  // does not throw
  });
  assertEquals(events.length, 1);
  const [event] = events;
  assert(event instanceof ErrorEvent && event.isTrusted && event.cancelable);
  assertEquals([event.type, event.error, event.message], ["error", error, "Uncaught RangeError: out of range"]);
  assertEquals(event.filename.endsWith("global-scope-test.js"), true);
  assert(event.lineno > 0 && event.colno > 0);
  // Any value may be reported.
  const more = await withErrorEvents(() => reportError("just a string"));
  assertEquals([more[0].error, more[0].message, more[0].filename], ["just a string", "Uncaught just a string", ""]);
  assertThrows(() => reportError(), TypeError, "1 argument required, but only 0 present.");
}

export async function listenerExceptionsAreReported() {
  const target = new EventTarget();
  const boom = new Error("from a listener");
  target.addEventListener("x", () => {
    throw boom;
  });
  let after = false;
  target.addEventListener("x", () => {
    after = true;
  });
  const events = await withErrorEvents(() => target.dispatchEvent(new Event("x")));
  assertEquals(events.map((e) => e.error), [boom]);
  assert(after, "the next listener still runs");
}

export async function anErrorListenerThatThrowsIsNotReportedAgain() {
  let calls = 0;
  const throwing = () => {
    calls++;
    throw new Error("from the error listener");
  };
  addEventListener("error", throwing);
  try {
    const events = await withErrorEvents(() => reportError(new Error("first")));
    assertEquals(events.length, 1);
  } finally {
    removeEventListener("error", throwing);
  }
  assertEquals(calls, 1);
}

export async function queueMicrotaskExceptionsAreReported() {
  const error = new TypeError("in a microtask");
  let ranNext = false;
  const events = await withErrorEvents(async () => {
    queueMicrotask(() => {
      throw error;
    });
    queueMicrotask(() => {
      ranNext = true;
    });
    await tick();
  });
  assertEquals(events.map((e) => e.error), [error]);
  assert(ranNext);
  assertThrows(() => queueMicrotask("code"), TypeError, "is not of type 'Function'");
}

export function errorEventConstructor() {
  const plain = new ErrorEvent("error");
  assertEquals([plain.message, plain.filename, plain.lineno, plain.colno, plain.error], ["", "", 0, 0, undefined]);
  const error = new Error("x");
  const full = new ErrorEvent("oops", { message: "m", filename: "f.js", lineno: 3, colno: 4.9, error, cancelable: true });
  assertEquals([full.type, full.message, full.filename, full.lineno, full.colno, full.error, full.cancelable],
    ["oops", "m", "f.js", 3, 4, error, true]);
  assert(full instanceof Event);
  assertEquals(full.isTrusted, false);
  assertThrows(() => new ErrorEvent(), TypeError, "1 argument required");
  const get = Object.getOwnPropertyDescriptor(ErrorEvent.prototype, "error").get;
  assertThrows(() => get.call(new Event("x")), TypeError, "Illegal invocation");
}

export function navigatorAsInWorkers() {
  assertEquals(navigator.userAgent, "Cloudflare-Workers");
  assertEquals(navigator.language, "en");
  assertEquals(navigator.languages, ["en"]);
  assert(navigator.languages === navigator.languages && Object.isFrozen(navigator.languages));
  assertEquals(navigator.hardwareConcurrency, 1);
  assert(navigator instanceof Navigator);
  assertThrows(() => new Navigator(), TypeError, "Illegal constructor");
  const get = Object.getOwnPropertyDescriptor(Navigator.prototype, "language").get;
  assertThrows(() => get.call({}), TypeError, "Illegal invocation");
}

export function originIsNull() {
  assertEquals(self.origin, "null");
}
