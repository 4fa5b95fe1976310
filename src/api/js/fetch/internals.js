// How the runtime hands an HTTP request to JavaScript and reads the Response back
// (internals.newRequest / internals.serializeResponse, see index.js).
import { InnerBody, innerOf } from "./body.js";
import { headerPairs, headersFromList } from "./headers.js";
import { createRequest } from "./request.js";
import { defaultStatusText, isResponse, responseStateOf } from "./response.js";

// The incoming request of a fetch event. headers: [[name, value], ...]; body: Uint8Array or
// null. As in Workers, its headers are immutable.
export function newRequest(method, url, headers, body) {
  if (body instanceof ArrayBuffer) body = new Uint8Array(body);
  const hasBody = body !== null && body !== undefined && !(body.byteLength === 0 && (method === "GET" || method === "HEAD"));
  return createRequest({
    method: String(method),
    url: String(url),
    headers: headersFromList(headers, "immutable"),
    redirect: "follow",
    signal: null,
    cf: undefined,
    body: hasBody ? new InnerBody(body) : null,
  });
}

// What the fetch handler's result becomes on the wire:
// { status, statusText, headers: [[name, value], ...] (one pair per value, so each Set-Cookie
// is its own), body: Uint8Array }. A stream body is read to its end first (C++ takes the whole
// body for now).
export async function serializeResponse(value) {
  if (!isResponse(value)) {
    throw new TypeError("Incorrect type for Promise: the Promise did not resolve to 'Response'.");
  }
  const { status, statusText, headers } = responseStateOf(value);
  const inner = innerOf(value);
  if (inner !== null && inner.unusable) throw inner.unusableError();
  const body = inner === null ? new Uint8Array(0) : (await inner.read()).bytes;
  return {
    status,
    statusText: statusText ?? defaultStatusText(status),
    headers: headerPairs(headers),
    body,
  };
}
