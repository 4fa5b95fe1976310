// Event, CustomEvent and EventTarget (https://dom.spec.whatwg.org/#events).
import { assert, assertEquals, assertThrows } from "wisp:test";

export function eventConstructorDefaults() {
  const event = new Event("ping");
  assertEquals(event.type, "ping");
  assertEquals([event.bubbles, event.cancelable, event.composed], [false, false, false]);
  assertEquals([event.target, event.currentTarget, event.eventPhase], [null, null, Event.NONE]);
  assertEquals(event.isTrusted, false);
  assertEquals(event.defaultPrevented, false);
  assert(typeof event.timeStamp === "number");
  assertEquals(Object.prototype.toString.call(event), "[object Event]");
}

export function eventConstructorChecksArguments() {
  assertThrows(() => new Event(), TypeError, "1 argument required, but only 0 present.");
  assertThrows(() => Event("x"), TypeError);
  assertThrows(() => new Event("x", 1), TypeError);
  assertEquals(new Event("x", { cancelable: 1 }).cancelable, true);
}

export function isTrustedIsUnforgeable() {
  const event = new Event("x");
  const desc = Object.getOwnPropertyDescriptor(event, "isTrusted");
  assertEquals(desc.configurable, false);
  assertThrows(() => desc.get.call({}), TypeError, "Illegal invocation");
}

export function gettersNeedAnEvent() {
  const get = Object.getOwnPropertyDescriptor(Event.prototype, "type").get;
  assertThrows(() => get.call({}), TypeError, "Illegal invocation");
  assertThrows(() => get.call(1), TypeError, "Illegal invocation");
  assertThrows(() => EventTarget.prototype.addEventListener.call({}, "x", () => {}), TypeError, "Illegal invocation");
}

export function listenersReceiveTheEvent() {
  const target = new EventTarget();
  const seen = [];
  target.addEventListener("ping", function (event) {
    seen.push([this === target, event.target === target, event.currentTarget === target, event.eventPhase]);
  });
  const event = new Event("ping");
  assertEquals(target.dispatchEvent(event), true);
  assertEquals(seen, [[true, true, true, Event.AT_TARGET]]);
  assertEquals([event.eventPhase, event.currentTarget, event.target === target], [Event.NONE, null, true]);
}

export function handleEventObjects() {
  const target = new EventTarget();
  let self;
  const listener = { handleEvent(event) { self = this; } };
  target.addEventListener("x", listener);
  target.dispatchEvent(new Event("x"));
  assert(self === listener);
}

export function duplicatesAreIgnored() {
  const target = new EventTarget();
  let count = 0;
  const fn = () => count++;
  target.addEventListener("x", fn);
  target.addEventListener("x", fn);
  target.addEventListener("x", fn, { capture: true });  // a different listener
  target.dispatchEvent(new Event("x"));
  assertEquals(count, 2);
}

export function captureListenersRunFirst() {
  const target = new EventTarget();
  const order = [];
  target.addEventListener("x", () => order.push("bubble"));
  target.addEventListener("x", () => order.push("capture"), true);
  target.dispatchEvent(new Event("x"));
  assertEquals(order, ["capture", "bubble"]);
}

export function onceListenersFireOnce() {
  const target = new EventTarget();
  let count = 0;
  target.addEventListener("x", () => count++, { once: true });
  target.dispatchEvent(new Event("x"));
  target.dispatchEvent(new Event("x"));
  assertEquals(count, 1);
}

export function removeEventListenerMatchesCapture() {
  const target = new EventTarget();
  let count = 0;
  const fn = () => count++;
  target.addEventListener("x", fn, { capture: true });
  target.removeEventListener("x", fn);  // capture false: not the same listener
  target.dispatchEvent(new Event("x"));
  target.removeEventListener("x", fn, true);
  target.dispatchEvent(new Event("x"));
  assertEquals(count, 1);
}

export function listenerRemovedDuringDispatchDoesNotRun() {
  const target = new EventTarget();
  const order = [];
  const second = () => order.push(2);
  target.addEventListener("x", () => {
    order.push(1);
    target.removeEventListener("x", second);
    target.addEventListener("x", () => order.push(3));  // added during dispatch: not run now
  });
  target.addEventListener("x", second);
  target.dispatchEvent(new Event("x"));
  assertEquals(order, [1]);
}

export function stopImmediatePropagation() {
  const target = new EventTarget();
  const order = [];
  target.addEventListener("x", (e) => { order.push(1); e.stopImmediatePropagation(); });
  target.addEventListener("x", () => order.push(2));
  target.dispatchEvent(new Event("x"));
  assertEquals(order, [1]);
}

export function stopPropagationInCaptureSkipsBubbleListeners() {
  const target = new EventTarget();
  const order = [];
  target.addEventListener("x", (e) => { order.push("capture"); e.stopPropagation(); }, true);
  target.addEventListener("x", () => order.push("bubble"));
  const event = new Event("x");
  target.dispatchEvent(event);
  assertEquals(order, ["capture"]);
  assertEquals(event.cancelBubble, false);  // reset after dispatch
}

export function preventDefault() {
  const target = new EventTarget();
  target.addEventListener("x", (e) => e.preventDefault());
  const cancelable = new Event("x", { cancelable: true });
  assertEquals(target.dispatchEvent(cancelable), false);
  assertEquals(cancelable.defaultPrevented, true);
  assertEquals(cancelable.returnValue, false);
  const plain = new Event("x");
  assertEquals(target.dispatchEvent(plain), true);
  assertEquals(plain.defaultPrevented, false);
}

export function passiveListenersCannotCancel() {
  const target = new EventTarget();
  target.addEventListener("x", (e) => e.preventDefault(), { passive: true });
  const event = new Event("x", { cancelable: true });
  assertEquals(target.dispatchEvent(event), true);
  assertEquals(event.defaultPrevented, false);
}

export function signalRemovesListener() {
  const target = new EventTarget();
  const controller = new AbortController();
  let count = 0;
  target.addEventListener("x", () => count++, { signal: controller.signal });
  target.dispatchEvent(new Event("x"));
  controller.abort();
  target.dispatchEvent(new Event("x"));
  assertEquals(count, 1);
  target.addEventListener("x", () => count++, { signal: controller.signal });  // already aborted
  target.dispatchEvent(new Event("x"));
  assertEquals(count, 1);
  assertThrows(() => target.addEventListener("x", () => {}, { signal: {} }), TypeError, "AbortSignal");
}

export function listenerExceptionsAreReportedNotThrown() {
  const target = new EventTarget();
  let after = false;
  target.addEventListener("x", () => { throw new Error("boom (expected in the log)"); });
  target.addEventListener("x", () => { after = true; });
  assertEquals(target.dispatchEvent(new Event("x")), true);
  assert(after);
}

export function redispatchingIsAnError() {
  const target = new EventTarget();
  const event = new Event("x");
  let inner;
  target.addEventListener("x", () => { inner = assertThrows(() => target.dispatchEvent(event), "InvalidStateError"); });
  target.dispatchEvent(event);
  assert(inner instanceof DOMException);
  assertEquals(target.dispatchEvent(event), true);  // fine again afterwards
}

export function argumentChecks() {
  const target = new EventTarget();
  assertThrows(() => target.addEventListener("x"), TypeError,
    "Failed to execute 'addEventListener' on 'EventTarget': 2 arguments required, but only 1 present.");
  assertThrows(() => target.dispatchEvent({ type: "x" }), TypeError, "parameter 1 is not of type 'Event'.");
  assertThrows(() => target.addEventListener("x", 5), TypeError);
  target.addEventListener("x", null);  // ignored
}

export function customEventDetail() {
  const event = new CustomEvent("x", { detail: { n: 1 } });
  assert(event instanceof Event);
  assertEquals(event.detail, { n: 1 });
  assertEquals(new CustomEvent("x").detail, null);
  assertEquals(Object.prototype.toString.call(event), "[object CustomEvent]");
}

export function subclassesOfEventTarget() {
  class Emitter extends EventTarget {}
  const emitter = new Emitter();
  let got = null;
  emitter.addEventListener("x", (e) => { got = e.target; });
  emitter.dispatchEvent(new CustomEvent("x"));
  assert(got === emitter);
}
