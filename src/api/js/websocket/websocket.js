// WebSocket and WebSocketPair as Cloudflare Workers has them
// (https://developers.cloudflare.com/workers/runtime-apis/websockets/): a pair's two ends talk to
// each other inside this isolate; an end returned in a 101 Response is handed to the runtime
// ("exported"), which bridges it to the client's connection (src/io/js-web-socket.h, and
// src/server/websocket-session.h for the server's side). Error texts are workerd's.
//
// Each end keeps an inbox of what its peer sent it. An accepted end dispatches its inbox as
// events, in order, one microtask after the send (never inside the peer's send()); an end not yet
// accepted keeps it until accept(); an exported end hands it to the runtime (ops.webSocketSend,
// ops.webSocketClose) once the runtime has taken it.
import { ops } from "../ops.js";
import { DOMException } from "../dom-exception.js";
import { ErrorEvent, EventTarget, fireEvent } from "../events.js";
import {
  configureInterface, constructPrefix, converters, defineConstants, illegalInvocation, internalKey, isObject,
  methodPrefix, requiredArguments,
} from "../webidl.js";
import { deliveredMessageEvent } from "../messaging/message-event.js";
import { loadArea } from "../lazy.js";
import { CloseEvent } from "./close-event.js";

const CONNECTING = 0, OPEN = 1, CLOSING = 2, CLOSED = 3;
const resolved = Promise.resolve();
const then = Promise.prototype.then;

const mustAccept = "You must call one of accept() or state.acceptWebSocket() on this WebSocket before sending messages.";

// Exported ends by runtime id (until the runtime reports them closed).
const exported = new Map();
let nextExportId = 1;

let isWebSocket, stateOf, newEnd;

export class WebSocket extends EventTarget {
  #s;

  static {
    isWebSocket = (value) => isObject(value) && #s in value;
    stateOf = (ws) => ws.#s;
    newEnd = () => {
      const ws = new this(internalKey);
      ws.#s = {
        peer: null,          // the other end of the pair
        accepted: false,
        released: false,     // returned in a Response: this isolate no longer uses it
        exportId: 0,         // the runtime's id, once exported
        bridged: false,      // the runtime has taken it: its inbox goes to the client
        closedOutgoing: false,  // close() was called
        closedIncoming: false,  // a close arrived
        errored: false,
        inbox: [],           // what the peer sent: { type: "message", data } | { type: "close", ... }
        draining: false,
        binaryType: "arraybuffer",
      };
      return ws;
    };
  }

  constructor(url, protocols = undefined) {
    if (url === internalKey) {
      super();
      return;
    }
    const prefix = constructPrefix("WebSocket");
    requiredArguments(arguments.length, 1, prefix);
    converters.USVString(url, prefix, "parameter 1");
    throw new DOMException(
      "WebSocket Constructor: wisp does not support outgoing WebSocket connections (new WebSocket(url)); " +
        "use new WebSocketPair() to serve WebSockets.",
      "NotSupportedError");
  }

  accept() {
    const s = checked(this).#s;
    if (s.released) throw new TypeError("Can't accept() WebSocket that was already used in a response.");
    if (s.accepted) return;
    s.accepted = true;
    if (s.inbox.length > 0) scheduleDrain(this);
  }

  send(message) {
    const s = checked(this).#s;
    requiredArguments(arguments.length, 1, methodPrefix("WebSocket", "send"));
    if (s.closedOutgoing) throw new TypeError("Can't call WebSocket send() after close().");
    if (s.released || s.errored) return;  // as in workerd: ignored once the connection is gone
    if (!s.accepted) throw new TypeError(mustAccept);
    let data;
    if (typeof message === "string") data = message;
    else if (message instanceof ArrayBuffer) data = new Uint8Array(message.slice(0));
    else if (ArrayBuffer.isView(message)) {
      data = new Uint8Array(message.buffer.slice(message.byteOffset, message.byteOffset + message.byteLength));
    } else data = converters.USVString(message, methodPrefix("WebSocket", "send"), "parameter 1");
    transmit(s.peer, { type: "message", data });
  }

  // As in workerd, the code is checked first; a reason over the 123 bytes a close frame carries
  // is cut when it goes out to a client (src/server/websocket-session.cc).
  close(code = undefined, reason = undefined) {
    const s = checked(this).#s;
    const prefix = methodPrefix("WebSocket", "close");
    if (code !== undefined) {
      code = converters.long(code, prefix, "parameter 1");
      if (!(code >= 1000 && code < 5000 && code !== 1004 && code !== 1005 && code !== 1006 && code !== 1015)) {
        throw new DOMException(`Invalid WebSocket close code: ${code}.`, "InvalidAccessError");
      }
    }
    if (reason !== undefined) reason = converters.USVString(reason, prefix, "parameter 2");
    if (s.closedOutgoing || s.released || s.errored) return;
    if (!s.accepted) throw new TypeError(mustAccept);
    if (reason !== undefined && code === undefined) {
      throw new TypeError("If you specify a WebSocket close reason, you must also specify a code.");
    }
    s.closedOutgoing = true;
    // 1005: a close frame without a code ("no status received").
    transmit(s.peer, { type: "close", code: code ?? 1005, reason: reason ?? "", wasClean: true });
  }

  get readyState() {
    const s = checked(this).#s;
    if ((s.closedIncoming && s.closedOutgoing) || s.errored) return CLOSED;
    if (s.closedIncoming || s.closedOutgoing) return CLOSING;
    return OPEN;
  }

  // A pair's ends have no URL, and no subprotocol or extensions (empty, as in workerd).
  get url() { checked(this); return null; }
  get protocol() { checked(this); return ""; }
  get extensions() { checked(this); return ""; }

  // "arraybuffer" (the default, as in Workers without the websocket_standard_binary_type
  // flag) or "blob"; other values are ignored, as for any Web IDL enum attribute.
  get binaryType() { return checked(this).#s.binaryType; }
  set binaryType(value) {
    const s = checked(this).#s;
    value = converters.DOMString(value, methodPrefix("WebSocket", "binaryType"), "value");
    if (value === "arraybuffer" || value === "blob") s.binaryType = value;
  }
}
defineConstants(WebSocket, { CONNECTING, OPEN, CLOSING, CLOSED });
configureInterface(WebSocket, "WebSocket");

function checked(ws) {
  if (!isWebSocket(ws)) illegalInvocation();
  return ws;
}

// https://developers.cloudflare.com/workers/runtime-apis/websockets/websocketpair/: two ends,
// as properties 0 and 1 (Object.values(pair) gives [client, server]) and by iteration.
export class WebSocketPair {
  constructor() {
    const first = newEnd(), second = newEnd();
    stateOf(first).peer = second;
    stateOf(second).peer = first;
    Object.defineProperty(this, 0, { value: first, enumerable: true, writable: false, configurable: false });
    Object.defineProperty(this, 1, { value: second, enumerable: true, writable: false, configurable: false });
  }

  *[Symbol.iterator]() {
    yield this[0];
    yield this[1];
  }
}
configureInterface(WebSocketPair, "WebSocketPair");

// Puts what an end sent into its peer's inbox (or, for an exported peer the runtime has taken,
// hands it to the runtime).
function transmit(peer, event) {
  if (peer === null) return;
  const s = stateOf(peer);
  if (s.bridged) return toRuntime(s.exportId, event);
  s.inbox.push(event);
  if (s.accepted) scheduleDrain(peer);
}

function toRuntime(id, event) {
  if (event.type === "message") ops.webSocketSend(id, event.data);
  else ops.webSocketClose(id, event.code, event.reason);
}

function scheduleDrain(ws) {
  const s = stateOf(ws);
  if (s.draining) return;
  s.draining = true;
  then.call(resolved, () => drain(ws));
}

function drain(ws) {
  const s = stateOf(ws);
  s.draining = false;
  while (s.inbox.length > 0) dispatch(ws, s.inbox.shift());
}

function dispatch(ws, event) {
  const s = stateOf(ws);
  if (event.type === "message") {
    let data = event.data;
    if (typeof data !== "string") {
      // Each message's bytes are a copy of their own (see send() and the runtime's op).
      const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
      const buffer = whole ? data.buffer : data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
      if (s.binaryType === "blob") {
        const { Blob } = loadArea("file");
        data = new Blob([buffer]);
      } else {
        data = buffer;
      }
    }
    fireEvent(ws, deliveredMessageEvent(data, null));  // origin null, as in workerd
  } else if (event.type === "close") {
    s.closedIncoming = true;
    fireEvent(ws, new CloseEvent("close", { code: event.code, reason: event.reason, wasClean: event.wasClean }));
  } else {
    s.errored = true;
    fireEvent(ws, new ErrorEvent("error", { message: event.message, error: event.error }));
  }
}

// ---- the runtime's side (index.js hands these to C++ through internals) ----

export { isWebSocket };

// A Response's webSocket is being returned to the runtime: the end leaves this isolate.
// Returns the id the runtime knows it by.
export function exportWebSocket(ws) {
  const s = stateOf(checked(ws));
  if (s.accepted) throw new TypeError("Can't return WebSocket in a Response after calling accept().");
  if (s.released) throw new TypeError("Can't return WebSocket that was already used in a response.");
  s.released = true;
  s.exportId = nextExportId++;
  exported.set(s.exportId, ws);
  return s.exportId;
}

// The runtime has taken exported end `id`: what its peer sent so far goes out now, the rest as
// it is sent.
export function webSocketBridged(id) {
  const ws = exported.get(id);
  if (ws === undefined) return;
  const s = stateOf(ws);
  s.bridged = true;
  const pending = s.inbox;
  s.inbox = [];
  for (const event of pending) toRuntime(id, event);
}

// The client sent something to exported end `id`: its peer gets it. kind "message" (data: a
// string or a Uint8Array) or "close" (code, reason, wasClean; the end is forgotten after it).
export function webSocketEvent(id, kind, data, reason = "", wasClean = false) {
  const ws = exported.get(id);
  if (ws === undefined) return;
  const s = stateOf(ws);
  if (kind === "close") {
    exported.delete(id);
    s.closedIncoming = true;
    transmit(s.peer, { type: "close", code: data, reason, wasClean });
  } else {
    transmit(s.peer, { type: "message", data });
  }
}
