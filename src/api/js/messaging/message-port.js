// MessageChannel and MessagePort (https://html.spec.whatwg.org/#message-channels) as workerd has
// them (it exposes them from compatibility date 2025-08-15; wisp at any date): two entangled
// ports in one isolate; a message is structured-cloned when posted and dispatched as a
// MessageEvent in a microtask.
// Where workerd differs from the spec, wisp does what workerd does:
//   - a transfer list that is not empty is refused (Error: "Transfer list is not supported"), and
//     a SharedArrayBuffer in a message is a TypeError;
//   - adding a "message" listener starts the port, as setting onmessage does (Node.js does the
//     same); once the last one is gone the port queues messages again until one is added;
//   - close() closes both ports and fires "close" at each, the other one first;
//   - a delivered event's origin is null, and there is no onmessageerror/onclose attribute.
// One thing workerd lacks: structuredClone(port, { transfer: [port] }) moves the port (the
// spec's transfer steps, ../structured-clone.js), where workerd says "Object is not transferable".
import { EventTarget, Event, adoptEventTarget, defineEventHandler, fireEvent } from "../events.js";
import { DOMException } from "../dom-exception.js";
import { defineSerializable, defineTransferable, newPlatformObject, structuredClone } from "../structured-clone.js";
import {
  configureInterface, converters, createSequenceConverter, illegalConstructor, illegalInvocation, internalKey,
  isObject, methodPrefix,
} from "../webidl.js";
import { deliveredMessageEvent, registerMessagePortBrand } from "./message-event.js";

// port -> { port, peer (the entangled port's state, or null), mode, queue, detached }
//   mode: "pending" (messages wait in `queue`), "started" (each is dispatched), "closed"
const states = new WeakMap();

function stateOf(port) {
  const state = states.get(port);
  if (!state) illegalInvocation();
  return state;
}

registerMessagePortBrand((value) => states.has(value));

// Captured: user code may replace Promise.prototype.then.
const resolved = Promise.resolve();
const then = Promise.prototype.then;
const inMicrotask = (fn) => then.call(resolved, fn);

export class MessagePort extends EventTarget {
  constructor(key = undefined) {
    if (key !== internalKey) illegalConstructor();
    super();
    // A host object, so that structuredClone can transfer it (see ../structured-clone.js).
    const port = newPlatformObject(new.target);
    const state = { port, peer: null, mode: "pending", queue: [], detached: false };
    states.set(port, state);
    adoptEventTarget(port, (type, count) => {
      if (type === "message") messageListenersChanged(state, count);
    });
    return port;
  }

  // postMessage(message, transfer) or postMessage(message, { transfer })
  postMessage(message = undefined, options = undefined) {
    const state = stateOf(this);
    const transfer = convertTransfer(options, methodPrefix("MessagePort", "postMessage"));
    if (transfer.length > 0) throw new Error("Transfer list is not supported");
    // Serialised even when nobody will receive it: a value that cannot be cloned always throws.
    const data = cloneMessage(message);
    if (state.peer) deliver(state.peer, data);
  }

  start() {
    start(stateOf(this));
  }

  close() {
    close(stateOf(this));
  }
}
configureInterface(MessagePort, "MessagePort");
defineEventHandler(MessagePort, "message");

defineSerializable(MessagePort, "MessagePort", {
  serialize() {
    throw new DOMException(
      'Could not serialize object of type "MessagePort". This type does not support serialization.', "DataCloneError");
  },
  deserialize() {
    throw new DOMException("A MessagePort cannot be deserialized.", "DataCloneError");
  },
});

// https://html.spec.whatwg.org/#message-ports: the transfer steps (the port's entanglement and
// its queued messages move to the new port; the old one is left detached and closed).
defineTransferable(MessagePort, "MessagePort", {
  isDetached(port) {
    return stateOf(port).detached;
  },
  transfer(port) {
    const from = stateOf(port);
    const fresh = new MessagePort(internalKey);
    const to = states.get(fresh);
    to.peer = from.peer;
    if (to.peer) to.peer.peer = to;
    to.queue = from.queue;
    if (from.mode === "closed") to.mode = "closed";
    Object.assign(from, { peer: null, queue: [], mode: "closed", detached: true });
    return fresh;
  },
});

export class MessageChannel {
  #port1;
  #port2;

  constructor() {
    this.#port1 = new MessagePort(internalKey);
    this.#port2 = new MessagePort(internalKey);
    const one = states.get(this.#port1);
    const two = states.get(this.#port2);
    one.peer = two;
    two.peer = one;
  }

  get port1() { return channelOf(this).#port1; }
  get port2() { return channelOf(this).#port2; }

  static {
    isMessageChannel = (value) => isObject(value) && #port1 in value;
  }
}
let isMessageChannel;
function channelOf(value) {
  if (!isMessageChannel(value)) illegalInvocation();
  return value;
}
configureInterface(MessageChannel, "MessageChannel");

const convertTransferList = createSequenceConverter(converters.any);

// (sequence<any> or StructuredSerializeOptions): an iterable object is the list itself.
function convertTransfer(options, prefix) {
  if (options === undefined || options === null) return [];
  if (!isObject(options)) {
    throw new TypeError(`${prefix}: parameter 2 is not of type 'Array or PostMessageOptions'.`);
  }
  if (typeof options[Symbol.iterator] === "function") return convertTransferList(options, prefix, "parameter 2");
  const transfer = options.transfer;
  return transfer === undefined ? [] : convertTransferList(transfer, prefix, "member 'transfer' of 'PostMessageOptions'");
}

function cloneMessage(message) {
  try {
    return structuredClone(message);
  } catch (error) {
    if (error instanceof DOMException && error.message === "SharedArrayBuffer cannot be cloned.") {
      throw new TypeError("SharedArrayBuffer is unsupported with MessagePort");
    }
    throw error;
  }
}

function deliver(state, data) {
  if (state.mode === "pending") {
    state.queue.push(data);
  } else if (state.mode === "started") {
    inMicrotask(() => dispatchMessage(state.port, data));
  }
  // closed: the message is dropped
}

function dispatchMessage(port, data) {
  fireEvent(port, deliveredMessageEvent(data, port));
}

function start(state) {
  if (state.mode !== "pending") return;
  state.mode = "started";
  const queued = state.queue;
  state.queue = [];
  if (queued.length > 0) {
    inMicrotask(() => {
      for (const data of queued) dispatchMessage(state.port, data);
    });
  }
}

function messageListenersChanged(state, count) {
  if (count > 0) {
    start(state);
  } else if (state.mode === "started") {
    state.mode = "pending";
  }
}

// Messages already handed to a microtask are still dispatched; queued ones are dropped.
function close(state) {
  if (state.mode === "closed") return;
  state.mode = "closed";
  state.queue = [];
  const peer = state.peer;
  state.peer = null;
  if (peer) close(peer);
  fireEvent(state.port, new Event("close"));
}
