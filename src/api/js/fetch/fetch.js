// https://fetch.spec.whatwg.org/#fetch-method: the global fetch(), as Workers has it.
//
// The request goes to the Worker's global outbound through ops.fetchStart (C++: src/api/fetch.h,
// io/outbound/): the network under the process's egress policy, or nothing at all when the
// Worker's outbound is blocked (fetchStart then throws Workers' "not permitted" error). Each
// call is one subrequest of the current invocation. The request body is sent whole; the
// response body is a byte stream pulled from C++ as the Worker reads it (ops.fetchRead).
// The Worker's AbortSignal stops the request at any point, the body included.
//
// A Fetcher as the global outbound (globalOutbound: a service binding) would route here too:
// before ops.fetchStart, hand `request` to that Fetcher's fetch() instead.
import { ops } from "../ops.js";
import { loadArea } from "../lazy.js";
import { methodPrefix, requiredArguments } from "../webidl.js";
import { InnerBody, innerOf } from "./body.js";
import { headerPairs, headersFromList } from "./headers.js";
import { Request } from "./request.js";
import { createResponse } from "./response.js";

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
  });
}

export async function fetch(input, init = undefined) {
  requiredArguments(arguments.length, 1, methodPrefix("WorkerGlobalScope", "fetch"));
  const request = new Request(input, init);
  const signal = request.signal;
  signal.throwIfAborted();
  const url = request.url;
  if (!url.startsWith("http:") && !url.startsWith("https:")) throw new TypeError(`Fetch API cannot load: ${url}`);

  const inner = innerOf(request);
  const body = inner === null ? null : await inner.consume();
  signal.throwIfAborted();

  const [id, pending] = ops.fetchStart(request.method, url, headerPairs(request.headers), body, request.redirect);
  let unwatch;
  const head = await new Promise((resolve, reject) => {
    pending.then(resolve, reject);
    unwatch = watchSignal(signal, (reason) => {
      ops.fetchAbort(id);
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
