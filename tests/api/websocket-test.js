// WebSocketPair, WebSocket, CloseEvent and Response's webSocket, as Workers has them
// (src/api/js/websocket/, src/api/js/fetch/response.js): both ends of a pair in this isolate.
import { assert, assertEquals, assertThrows } from "wisp:test";

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function acceptedPair() {
  const [client, server] = Object.values(new WebSocketPair());
  client.accept();
  server.accept();
  return [client, server];
}

export function shapes() {
  assertEquals([typeof WebSocket, typeof WebSocketPair, typeof CloseEvent], ["function", "function", "function"]);
  const pair = new WebSocketPair();
  assert(pair[0] instanceof WebSocket && pair[1] instanceof WebSocket && pair[0] !== pair[1]);
  assert(pair[0] instanceof EventTarget);
  assertEquals(Object.keys(pair), ["0", "1"]);
  const [a, b] = pair;  // iterable
  assert(a === pair[0] && b === pair[1]);
  assertEquals([WebSocket.CONNECTING, WebSocket.OPEN, WebSocket.CLOSING, WebSocket.CLOSED], [0, 1, 2, 3]);
  assertEquals(a.OPEN, 1);
  assertEquals(a.readyState, WebSocket.OPEN);
  assertEquals([a.url, a.protocol, a.extensions, a.binaryType], [null, "", "", "arraybuffer"]);
  assertEquals(Object.prototype.toString.call(a), "[object WebSocket]");
  assert(!("onmessage" in a));  // as in workerd: listeners only
  assertThrows(() => new WebSocket("wss://example.com/"), DOMException);
}

export async function textAndBinaryBothWays() {
  const [client, server] = acceptedPair();
  const atServer = [], atClient = [];
  const events = [];
  server.addEventListener("message", (event) => { atServer.push(event.data); events.push(event); });
  client.addEventListener("message", (event) => atClient.push(event.data));
  client.send("hello");
  client.send(new Uint8Array([1, 2, 3]));
  server.send(new Uint16Array([0x0201]).buffer);
  assertEquals(atServer.length, 0);  // delivered later, never inside send()
  await tick();
  assertEquals(atServer[0], "hello");
  assertEquals(events[0].origin, null);
  assert(atServer[1] instanceof ArrayBuffer);
  assertEquals([...new Uint8Array(atServer[1])], [1, 2, 3]);
  assertEquals([...new Uint8Array(atClient[0])], [1, 2]);
}

export async function sentBytesAreCopied() {
  const [client, server] = acceptedPair();
  let got;
  server.addEventListener("message", (event) => { got = event.data; });
  const bytes = new Uint8Array([7, 8, 9]);
  client.send(bytes.subarray(1));
  bytes[1] = 0;
  await tick();
  assertEquals([...new Uint8Array(got)], [8, 9]);
}

export async function binaryTypeBlob() {
  const [client, server] = acceptedPair();
  server.binaryType = "blob";
  server.binaryType = "nonsense";  // ignored, as for any enum attribute
  assertEquals(server.binaryType, "blob");
  let got;
  server.addEventListener("message", (event) => { got = event.data; });
  client.send(new Uint8Array([65, 66]));
  await tick();
  assert(got instanceof Blob);
  assertEquals(await got.text(), "AB");
}

export async function messagesWaitForAccept() {
  const [client, server] = Object.values(new WebSocketPair());
  client.accept();
  const seen = [];
  server.addEventListener("message", (event) => seen.push(event.data));
  client.send("one");
  client.send("two");
  await tick();
  assertEquals(seen, []);
  server.accept();
  await tick();
  assertEquals(seen, ["one", "two"]);
}

export async function closeWithCodeAndReason() {
  const [client, server] = acceptedPair();
  const events = [];
  server.addEventListener("close", (event) => events.push(event));
  client.close(4000, "bye");
  assertEquals(client.readyState, WebSocket.CLOSING);
  await tick();
  const [event] = events;
  assert(event instanceof CloseEvent);
  assertEquals(event.type, "close");
  assertEquals([event.code, event.reason, event.wasClean], [4000, "bye", true]);
  assertEquals(server.readyState, WebSocket.CLOSING);
  let clientClosed;
  client.addEventListener("close", (e) => { clientClosed = e; });
  server.close(1000, "ok");
  await tick();
  assertEquals([clientClosed.code, clientClosed.reason], [1000, "ok"]);
  assertEquals([client.readyState, server.readyState], [WebSocket.CLOSED, WebSocket.CLOSED]);
  client.close();  // a second close is ignored
}

export async function closeWithoutCodeIs1005() {
  const [client, server] = acceptedPair();
  let got;
  server.addEventListener("close", (event) => { got = event; });
  client.close();
  await tick();
  assertEquals([got.code, got.reason], [1005, ""]);
}

export function workerdErrors() {
  const [client] = Object.values(new WebSocketPair());
  assertThrows(() => client.send("x"), TypeError,
    "You must call one of accept() or state.acceptWebSocket() on this WebSocket before sending messages.");
  client.accept();
  assertThrows(() => client.close(999), DOMException, "Invalid WebSocket close code: 999.");
  assertThrows(() => client.close(1005), DOMException, "Invalid WebSocket close code: 1005.");
  assertThrows(() => client.close(undefined, "why"), TypeError,
    "If you specify a WebSocket close reason, you must also specify a code.");
  client.close(1000);
  assertThrows(() => client.close(999), DOMException, "Invalid WebSocket close code: 999.");  // checked first
  assertThrows(() => client.send("x"), TypeError, "Can't call WebSocket send() after close().");
  assertThrows(() => client.send(), TypeError);
}

export function responseWebSocket() {
  const [client, server] = Object.values(new WebSocketPair());
  server.accept();
  const response = new Response(null, { status: 101, webSocket: client });
  assertEquals(response.status, 101);
  assert(response.webSocket === client);
  assertEquals(new Response("x").webSocket, null);
  assertThrows(() => new Response(null, { webSocket: client }), RangeError,
    "Responses with a WebSocket must have status code 101.");
  assertThrows(() => new Response(null, { status: 101 }), RangeError,
    "Responses may only be constructed with status codes in the range 200 to 599, inclusive.");
  assertThrows(() => new Response(null, { status: 101, webSocket: {} }), TypeError,
    "Incorrect type for the 'webSocket' field on 'InitializerDict': the provided value is not of type 'WebSocket'.");
  assertThrows(() => response.clone(), TypeError, "Cannot clone a response to a WebSocket handshake.");
  const copy = new Response(null, response);  // another Response as init keeps its webSocket
  assert(copy.webSocket === client);
}

