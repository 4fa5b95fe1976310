// The global fetch() where no server is needed: its shape, argument errors, aborts before the
// request, and the default egress policy refusing private addresses before any byte is sent.
// tests/e2e/outbound_test.py covers real requests against a local server.
import { assert, assertEquals, assertRejects } from "wisp:test";

const loopbackRefusal =
  "was refused by the egress policy: 127.0.0.1 is a loopback address; private and special-purpose addresses " +
  "are refused unless allowPrivate is set or an allow entry's address range contains them";

export function fetchIsAGlobalFunction() {
  assertEquals(typeof fetch, "function");
  assertEquals(fetch.length, 1);
  assertEquals(fetch.name, "fetch");
  const desc = Object.getOwnPropertyDescriptor(globalThis, "fetch");
  assertEquals([desc.writable, desc.enumerable, desc.configurable], [true, false, true]);
}

export async function fetchWithoutArgumentsRejects() {
  const p = fetch();
  assert(p instanceof Promise);
  await assertRejects(p, TypeError, "1 argument required");
}

export async function onlyHttpSchemesCanBeFetched() {
  await assertRejects(fetch("ftp://127.0.0.1/file"), TypeError, "Fetch API cannot load: ftp://127.0.0.1/file");
  await assertRejects(fetch("blob:https://example.com/x"), TypeError, "Fetch API cannot load: blob:https://example.com/x");
  // and data: URLs, answered without a subrequest as workerd does (fetch-data-url-test.js)
}

export async function invalidUrlsRejectWithTypeError() {
  await assertRejects(fetch("http://"), TypeError);
  await assertRejects(fetch("not a url"), TypeError);
}

export async function anAbortedSignalRejectsBeforeTheRequest() {
  const controller = new AbortController();
  controller.abort();
  await assertRejects(fetch("http://127.0.0.1:1/", { signal: controller.signal }), "AbortError");
  const reason = new Error("mine");
  const error = await assertRejects(fetch("http://127.0.0.1:1/", { signal: AbortSignal.abort(reason) }));
  assert(error === reason);
}

export async function loopbackIsRefusedByDefault() {
  await assertRejects(fetch("http://127.0.0.1:1/x"), TypeError, `fetch() to http://127.0.0.1:1/x ${loopbackRefusal}`);
  await assertRejects(fetch("http://[::1]:1/"), TypeError, "::1 is a loopback address");
}

export async function cloudMetadataIsRefusedByDefault() {
  await assertRejects(fetch("http://169.254.169.254/latest/meta-data/"), TypeError,
                      "169.254.169.254 is a link-local address (where cloud metadata services live)");
}

export async function privateRangesAreRefusedByDefault() {
  for (const host of ["10.0.0.1", "172.16.0.1", "192.168.1.1", "[fd00::1]", "[::ffff:10.0.0.1]", "0.0.0.0"]) {
    await assertRejects(fetch(`http://${host}/`), TypeError, "was refused by the egress policy");
  }
}

export async function aRequestObjectIsFetchedAsIs() {
  const request = new Request("http://127.0.0.1:1/from-request", { method: "POST", body: "x" });
  await assertRejects(fetch(request), TypeError, "fetch() to http://127.0.0.1:1/from-request was refused");
  // Its body was read for the request.
  assert(request.bodyUsed);
}

// https://fetch.spec.whatwg.org/#abort-fetch: a stream body nobody has read is cancelled, at once
// and with the same reason the fetch() rejects with.
export async function anAbortedSignalCancelsAStreamBody() {
  let cancelReason;
  const body = new ReadableStream({ cancel(reason) { cancelReason = reason; } });
  const reason = new Error("stop");
  const pending = fetch("http://127.0.0.1:1/", { method: "POST", body, signal: AbortSignal.abort(reason) });
  assert(cancelReason === reason);
  assert(await assertRejects(pending) === reason);
}
