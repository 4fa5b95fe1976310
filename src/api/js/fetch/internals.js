// How the runtime hands an HTTP request to JavaScript and reads the Response back
// (internals.newRequest / internals.serializeResponse, see index.js).
import { loadArea } from "../lazy.js";
import { InnerBody, innerOf } from "./body.js";
import { headerPairs, headersFromList } from "./headers.js";
import { exportStream, nativeBody } from "./native-body.js";
import { createRequest } from "./request.js";
import { defaultStatusText, isResponse, responseStateOf } from "./response.js";

// The incoming request of a fetch event. headers: [[name, value], ...]; body: Uint8Array, null,
// or the id of a body C++ streams in as the Worker reads it (a number, see native-body.js), with
// `bodyLength` its length when known. As in Workers, its headers are immutable.
export function newRequest(method, url, headers, body, bodyLength = undefined) {
  if (body instanceof ArrayBuffer) body = new Uint8Array(body);
  let inner = null;
  if (typeof body === "number") {
    inner = InnerBody.fromSource(nativeBody(body), bodyLength ?? null);
  } else if (body !== null && body !== undefined && !(body.byteLength === 0 && (method === "GET" || method === "HEAD"))) {
    inner = new InnerBody(body);
  }
  return createRequest({
    method: String(method),
    url: String(url),
    headers: headersFromList(headers, "immutable"),
    redirect: "follow",
    signal: null,
    cf: undefined,
    body: inner,
  });
}

// What the fetch handler's result becomes on the wire:
// { status, statusText, headers: [[name, value], ...] (one pair per value, so each Set-Cookie
// is its own), body: Uint8Array | null, bodyStream: id | undefined, bodyLength: number | null,
// webSocket: id | undefined } (webSocket: a 101 response's end, exported to the runtime, see
// websocket/websocket.js).
// With `streamBody`, a stream body is handed to C++ to pull as it writes it out (bodyStream, see
// native-body.js; bodyLength when known); otherwise it is read to its end first.
export async function serializeResponse(value, streamBody = false) {
  if (!isResponse(value)) {
    throw new TypeError("Incorrect type for Promise: the Promise did not resolve to 'Response'.");
  }
  const { status, statusText, headers, webSocket } = responseStateOf(value);
  const head = { status, statusText: statusText ?? defaultStatusText(status), headers: headerPairs(headers) };
  if (webSocket !== null) head.webSocket = loadArea("websocket").exportWebSocket(webSocket);
  const inner = innerOf(value);
  if (inner !== null && inner.unusable) throw inner.unusableError();
  if (streamBody && inner !== null && inner.streamed) {
    return { ...head, body: null, bodyStream: exportStream(inner.stream), bodyLength: inner.length };
  }
  return { ...head, body: inner === null ? new Uint8Array(0) : (await inner.read()).bytes };
}
