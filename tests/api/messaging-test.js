// MessageChannel, MessagePort and MessageEvent as workerd has them (src/api/js/messaging/).
// Each behaviour here was compared with workerd from npm (compatibility date 2025-09-01).
import { assert, assertEquals, assertThrows } from "wisp:test";

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

export function interfacesAndIllegalConstructor() {
  assertEquals([typeof MessageChannel, typeof MessagePort, typeof MessageEvent], ["function", "function", "function"]);
  assertThrows(() => new MessagePort(), TypeError, "Illegal constructor");
  const channel = new MessageChannel();
  assert(channel.port1 instanceof MessagePort && channel.port1 instanceof EventTarget);
  assert(channel.port1 !== channel.port2 && channel.port1 === channel.port1);
  assertEquals(Object.prototype.toString.call(channel), "[object MessageChannel]");
  assertEquals(String(channel.port1), "[object MessagePort]");
}

export async function messagesAreClonedAndDeliveredInAMicrotask() {
  const { port1, port2 } = new MessageChannel();
  const seen = [];
  const sent = { nested: [1, 2], when: new Date(0) };
  port2.onmessage = (event) => seen.push(event);
  port1.postMessage(sent);
  assertEquals(seen.length, 0);
  await Promise.resolve();
  assertEquals(seen.length, 1);
  const [event] = seen;
  assert(event instanceof MessageEvent);
  assertEquals(event.data, sent);
  assert(event.data !== sent && event.data.when instanceof Date);
  assertEquals([event.type, event.isTrusted, event.origin, event.lastEventId], ["message", true, null, ""]);
  assert(event.source === port2 && event.target === port2);
  assertEquals(event.ports, []);
}

export async function eachPostIsItsOwnMicrotask() {
  const { port1, port2 } = new MessageChannel();
  const order = [];
  port2.onmessage = (event) => order.push(`message ${event.data}`);
  setTimeout(() => order.push("timeout"), 0);
  port1.postMessage(1);
  queueMicrotask(() => order.push("microtask"));
  port1.postMessage(2);
  await tick();
  assertEquals(order, ["message 1", "microtask", "message 2", "timeout"]);
}

export async function bothDirections() {
  const { port1, port2 } = new MessageChannel();
  const got = [];
  port1.onmessage = (event) => got.push(`1:${event.data}`);
  port2.onmessage = (event) => got.push(`2:${event.data}`);
  port1.postMessage("a");
  port2.postMessage("b");
  await tick();
  assertEquals(got, ["2:a", "1:b"]);
}

export async function messagesWaitUntilThePortStarts() {
  const { port1, port2 } = new MessageChannel();
  port1.postMessage("q1");
  port1.postMessage("q2");
  await tick();
  const got = [];
  port2.onmessage = (event) => got.push(event.data);
  assertEquals(got, []);
  await tick();
  assertEquals(got, ["q1", "q2"]);
}

export async function addEventListenerStartsThePortAsInWorkerd() {
  const { port1, port2 } = new MessageChannel();
  const got = [];
  port2.addEventListener("message", (event) => got.push(event.data));
  port1.postMessage("x");
  await tick();
  assertEquals(got, ["x"]);
}

export async function withoutListenersThePortQueuesAgain() {
  const { port1, port2 } = new MessageChannel();
  const got = [];
  port2.onmessage = (event) => got.push(`a ${event.data}`);
  port2.onmessage = null;
  port1.postMessage("held");
  await tick();
  assertEquals(got, []);
  port2.start();
  port2.addEventListener("message", (event) => got.push(`b ${event.data}`));
  await tick();
  assertEquals(got, ["b held"]);
}

export async function onmessageMayBeAnEventListenerObject() {
  const { port1, port2 } = new MessageChannel();
  const got = [];
  port2.onmessage = { handleEvent: () => got.push("object") };
  assertEquals(typeof port2.onmessage, "object");
  port1.postMessage(1);
  await tick();
  // An event handler attribute calls only functions (HTML), as workerd does.
  assertEquals(got, []);
}

export async function closeClosesBothAndDropsLaterMessages() {
  const { port1, port2 } = new MessageChannel();
  const got = [];
  port1.addEventListener("close", (event) => got.push(`close1 ${event.isTrusted}`));
  port2.addEventListener("close", (event) => got.push(`close2 ${event.isTrusted}`));
  port2.onmessage = (event) => got.push(`message ${event.data}`);
  port1.postMessage("before close");
  port1.close();
  got.push("closed");
  port1.postMessage("after close");
  port2.postMessage("after close, other side");
  port1.close();
  await tick();
  assertEquals(got, ["close2 true", "close1 true", "closed", "message before close"]);
}

export function transferListsAreRefusedAsInWorkerd() {
  const { port1 } = new MessageChannel();
  assertThrows(() => port1.postMessage(1, [new ArrayBuffer(8)]), Error, "Transfer list is not supported");
  assertThrows(() => port1.postMessage(1, { transfer: [new ArrayBuffer(8)] }), Error, "Transfer list is not supported");
  assertThrows(() => port1.postMessage(1, [port1]), Error, "Transfer list is not supported");
  assertThrows(() => port1.postMessage(1, 5), TypeError, "is not of type 'Array or PostMessageOptions'");
  port1.postMessage(1, []);
  port1.postMessage(1, { transfer: [] });
  port1.postMessage();
}

export async function uncloneableMessagesThrowWhenPosted() {
  const { port1, port2 } = new MessageChannel();
  port2.close();  // nobody receives: the message is still serialised
  assertThrows(() => port1.postMessage(() => 1), DOMException, "could not be cloned");
  assertThrows(() => port1.postMessage({ port: port1 }), DOMException, 'type "MessagePort"');
  try {
    port1.postMessage(new MessageChannel().port1);
  } catch (error) {
    assertEquals(error.name, "DataCloneError");
  }
}

export async function blobsAndUndefinedArrive() {
  const { port1, port2 } = new MessageChannel();
  const got = [];
  port2.onmessage = (event) => got.push(event.data);
  port1.postMessage(new Blob(["blob body"]));
  port1.postMessage();
  await tick();
  assert(got[0] instanceof Blob);
  assertEquals(await got[0].text(), "blob body");
  assertEquals(got.length, 2);
  assertEquals(got[1], undefined);
}

export async function listenerErrorsAreReportedAndDeliveryGoesOn() {
  const { port1, port2 } = new MessageChannel();
  const got = [];
  const onError = (event) => {
    got.push(`error ${event.error.message}`);
    event.preventDefault();
  };
  addEventListener("error", onError);
  try {
    port2.addEventListener("message", () => { throw new Error("boom"); });
    port2.addEventListener("message", (event) => got.push(`second ${event.data}`));
    port1.postMessage("m");
    await tick();
  } finally {
    removeEventListener("error", onError);
  }
  assertEquals(got, ["error boom", "second m"]);
}

export async function structuredCloneTransfersAPort() {
  const { port1, port2 } = new MessageChannel();
  const moved = structuredClone({ port: port2 }, { transfer: [port2] }).port;
  assert(moved instanceof MessagePort && moved !== port2);
  const got = [];
  moved.onmessage = (event) => got.push(event.data);
  port1.postMessage("to the moved port");
  await tick();
  assertEquals(got, ["to the moved port"]);
  // The original is detached: transferring it again is a DataCloneError.
  assertThrows(() => structuredClone(port2, { transfer: [port2] }), DOMException, "already detached");
  assertThrows(() => structuredClone(port1, { transfer: [port1, port1] }), DOMException, "duplicate");
  assertThrows(() => structuredClone(port1), DOMException, 'type "MessagePort"');
}

export async function queuedMessagesMoveWithATransferredPort() {
  const { port1, port2 } = new MessageChannel();
  port1.postMessage("queued");
  const moved = structuredClone(port2, { transfer: [port2] });
  const got = [];
  moved.onmessage = (event) => got.push(event.data);
  port2.onmessage = () => got.push("the detached port got it");
  await tick();
  assertEquals(got, ["queued"]);
}

export function messageEventConstructor() {
  const { port1 } = new MessageChannel();
  const event = new MessageEvent("message", { data: 5, origin: "o", lastEventId: "l", source: port1, ports: [port1] });
  assertEquals([event.data, event.origin, event.lastEventId], [5, "o", "l"]);
  assert(event.source === port1);
  assertEquals(event.ports.length, 1);
  assert(Object.isFrozen(event.ports) && event.ports === event.ports);
  const plain = new MessageEvent("m");
  assertEquals([plain.data, plain.origin, plain.lastEventId, plain.source, plain.ports], [null, "", "", null, []]);
  assertEquals(plain.isTrusted, false);
  assertThrows(() => new MessageEvent(), TypeError, "1 argument required");
  assertThrows(() => new MessageEvent("m", { source: {} }), TypeError, "is not of type 'MessagePort'");
  assertThrows(() => new MessageEvent("m", { ports: [{}] }), TypeError, "is not of type 'MessagePort'");
  assertThrows(() => Object.getOwnPropertyDescriptor(MessageEvent.prototype, "data").get.call(new Event("x")), TypeError);
}
