// AbortController and AbortSignal (https://dom.spec.whatwg.org/#aborting-ongoing-activities).
import { assert, assertEquals, assertRejects, assertThrows } from "wisp:test";

export function abortWithDefaultReason() {
  const controller = new AbortController();
  const { signal } = controller;
  assertEquals([signal.aborted, signal.reason], [false, undefined]);
  signal.throwIfAborted();
  controller.abort();
  assert(signal.aborted);
  assert(signal.reason instanceof DOMException);
  assertEquals([signal.reason.name, signal.reason.message], ["AbortError", "This operation was aborted"]);
  const thrown = assertThrows(() => signal.throwIfAborted(), "AbortError");
  assert(thrown === signal.reason);
}

export function abortWithReason() {
  const controller = new AbortController();
  controller.abort("why");
  assertEquals(controller.signal.reason, "why");
  controller.abort("again");  // only the first abort counts
  assertEquals(controller.signal.reason, "why");
}

export function abortEventFiresOnce() {
  const controller = new AbortController();
  const events = [];
  controller.signal.addEventListener("abort", (e) => events.push(["listener", e.type, e.target === controller.signal]));
  controller.signal.onabort = (e) => events.push(["onabort", e.type]);
  controller.abort();
  controller.abort();
  assertEquals(events, [["listener", "abort", true], ["onabort", "abort"]]);
}

export function onabortCanBeCleared() {
  const controller = new AbortController();
  let called = false;
  controller.signal.onabort = () => { called = true; };
  assertEquals(typeof controller.signal.onabort, "function");
  controller.signal.onabort = null;
  assertEquals(controller.signal.onabort, null);
  controller.abort();
  assertEquals(called, false);
}

export function signalConstructorIsIllegal() {
  assertThrows(() => new AbortSignal(), TypeError, "Illegal constructor");
  assert(new AbortController().signal instanceof EventTarget);
  const get = Object.getOwnPropertyDescriptor(AbortSignal.prototype, "aborted").get;
  assertThrows(() => get.call(new EventTarget()), TypeError, "Illegal invocation");
}

export function staticAbort() {
  const signal = AbortSignal.abort();
  assert(signal.aborted);
  assertEquals(signal.reason.name, "AbortError");
  assertEquals(AbortSignal.abort(42).reason, 42);
}

export async function timeoutAbortsWithTimeoutError() {
  const signal = AbortSignal.timeout(5);
  assertEquals(signal.aborted, false);
  const event = await new Promise((resolve) => signal.addEventListener("abort", resolve));
  assertEquals(event.type, "abort");
  assert(signal.reason instanceof DOMException);
  assertEquals([signal.reason.name, signal.reason.message], ["TimeoutError", "The operation timed out."]);
}

export function timeoutChecksItsArgument() {
  assertThrows(() => AbortSignal.timeout(), TypeError, "1 argument required");
  assertThrows(() => AbortSignal.timeout(-1), TypeError);
  assertThrows(() => AbortSignal.timeout(Infinity), TypeError);
}

export function anyFollowsItsSources() {
  const a = new AbortController();
  const b = new AbortController();
  const any = AbortSignal.any([a.signal, b.signal]);
  let events = 0;
  any.addEventListener("abort", () => events++);
  assertEquals(any.aborted, false);
  b.abort("b");
  assertEquals([any.aborted, any.reason, events], [true, "b", 1]);
  a.abort("a");
  assertEquals([any.reason, events], ["b", 1]);
}

export function anyOfAnAbortedSignal() {
  const any = AbortSignal.any([new AbortController().signal, AbortSignal.abort("done")]);
  assertEquals([any.aborted, any.reason], [true, "done"]);
  assertEquals(AbortSignal.any([]).aborted, false);
}

export function anyOfAnyFollowsTheOriginalSources() {
  const controller = new AbortController();
  const outer = AbortSignal.any([AbortSignal.any([controller.signal])]);
  controller.abort("x");
  assertEquals(outer.reason, "x");
}

export function anyRejectsNonSignals() {
  assertThrows(() => AbortSignal.any([{}]), TypeError, "AbortSignal");
  assertThrows(() => AbortSignal.any(5), TypeError);
}

export async function schedulerWaitCanBeAborted() {
  const controller = new AbortController();
  const waiting = scheduler.wait(10_000, { signal: controller.signal });
  controller.abort(new Error("stop"));
  await assertRejects(waiting, Error, "stop");
  await assertRejects(scheduler.wait(1, { signal: AbortSignal.abort() }), "AbortError");
}
