// https://fetch.spec.whatwg.org/#fetch-method: the global fetch(), as Workers has it.
//
// The request goes to the Worker's global outbound through ops.fetchStart (C++: src/api/fetch.h,
// io/outbound/): the network under the process's egress policy; for a dynamic Worker whose
// globalOutbound is a Fetcher of its host (ctx.exports.Name({props})), a new invocation of that
// entrypoint, whose Response comes back here as if from the network; or nothing at all when the
// Worker's outbound is blocked (fetchStart then throws Workers' "not permitted" error). Each
// call is one subrequest of the current invocation. A request body of bytes is sent whole; one
// that is a stream is pulled by C++ as it sends it (fetch/native-body.js); the response body is
// a byte stream pulled from C++ as the Worker reads it (ops.fetchRead).
// The Worker's AbortSignal stops the request at any point, the body included.
import { ops } from "../ops.js";
import { loadArea } from "../lazy.js";
import { methodPrefix, requiredArguments } from "../webidl.js";
import { InnerBody, innerOf } from "./body.js";
import { headerPairs, headersFromList } from "./headers.js";
import { abortBody, cancelBody, exportStream } from "./native-body.js";
import { Request } from "./request.js";
import { createResponse } from "./response.js";
import { processDataURL } from "./data-url.js";

// https://fetch.spec.whatwg.org/#null-body-status
const nullBodyStatuses = new Set([101, 103, 204, 205, 304]);

// Response.url never has a fragment.
function withoutFragment(href) {
  const hash = href.indexOf("#");
  return hash < 0 ? href : href.slice(0, hash);
}

// Calls `onAbort` once if `signal` aborts; returns a function that stops listening.
function watchSignal(signal, onAbort) {
  const listener = () => onAbort(signal.reason);
  signal.addEventListener("abort", listener, { once: true });
  return () => signal.removeEventListener("abort", listener);
}

// The response body of request `id`: bytes are pulled from C++ as the stream is read.
function bodyStream(id, signal) {
  const { ReadableStream } = loadArea("streams");
  let unwatch = () => {};
  const finish = () => {
    unwatch();
    unwatch = () => {};
  };
  return new ReadableStream({
    type: "bytes",
    start(controller) {
      unwatch = watchSignal(signal, (reason) => {
        ops.fetchAbort(id);
        controller.error(reason);
      });
    },
    async pull(controller) {
      let chunk;
      try {
        chunk = await ops.fetchRead(id);
      } catch (error) {
        finish();
        throw error;
      }
      if (signal.aborted) return;  // the abort listener has errored the stream
      if (chunk === undefined) {
        finish();
        controller.close();
        controller.byobRequest?.respond(0);
      } else {
        controller.enqueue(chunk);
      }
    },
    cancel() {
      finish();
      ops.fetchAbort(id);
    },
  }, { __proto__: null });  // a strategy of defaults that Object.prototype cannot add to
}

// A data: URL is answered here, as workerd does (data-url.js); no subrequest is made.
function fetchDataURL(request) {
  const data = processDataURL(request.url);
  if (data === null) throw new TypeError(`Fetch API cannot load: ${request.url}`);
  return createResponse({
    type: "default",
    status: 200,
    statusText: "OK",
    headers: headersFromList([["content-type", data.mimeType]], "none"),
    urlList: [],
    cf: undefined,
    body: new InnerBody(request.method === "GET" ? data.bytes : new Uint8Array(0)),
  });
}

export async function fetch(input, init = undefined) {
  requiredArguments(arguments.length, 1, methodPrefix("WorkerGlobalScope", "fetch"));
  const request = new Request(input, init);
  const signal = request.signal;
  if (signal.aborted) {
    // https://fetch.spec.whatwg.org/#abort-fetch: a stream body nobody has read is cancelled.
    const inner = innerOf(request);
    if (inner !== null && inner.streamed && !inner.unusable) inner.stream.cancel(signal.reason).catch(() => {});
    throw signal.reason;
  }
  const url = request.url;
  if (url.startsWith("data:")) return fetchDataURL(request);
  if (!url.startsWith("http:") && !url.startsWith("https:")) throw new TypeError(`Fetch API cannot load: ${url}`);

  const inner = innerOf(request);
  const streamed = inner !== null && inner.streamed;
  const body = inner === null || streamed ? null : await inner.consume();
  signal.throwIfAborted();

  // A stream body is handed to C++, which pulls it as it sends it.
  const bodyStreamId = streamed ? exportStream(inner.stream) : undefined;
  let id, pending;
  try {
    [id, pending] = ops.fetchStart(request.method, url, headerPairs(request.headers), body, request.redirect,
      bodyStreamId, streamed ? inner.length ?? undefined : undefined);
  } catch (error) {
    if (streamed) cancelBody(bodyStreamId, String(error?.message ?? error));
    throw error;
  }
  let unwatch;
  const head = await new Promise((resolve, reject) => {
    pending.then(resolve, reject);
    unwatch = watchSignal(signal, (reason) => {
      ops.fetchAbort(id);
      if (streamed) abortBody(bodyStreamId, reason);  // a body still being sent is cancelled
      reject(reason);
    });
  }).finally(() => unwatch());

  const [status, statusText, headerList, urlList] = head;
  let responseBody = null;
  if (request.method === "HEAD" || nullBodyStatuses.has(status)) {
    ops.fetchAbort(id);  // nothing to read: let the request go
  } else {
    responseBody = InnerBody.fromStream(bodyStream(id, signal));
  }
  return createResponse({
    type: "default",
    status,
    statusText,
    headers: headersFromList(headerList, "immutable"),
    urlList: urlList.map(withoutFragment),
    cf: undefined,
    body: responseBody,
  });
}
