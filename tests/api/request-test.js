// Request (https://fetch.spec.whatwg.org/#request-class), with Workers' differences.
import { assert, assertEquals, assertRejects, assertThrows } from "wisp:test";

export function defaults() {
  const request = new Request("https://Example.com/a b?q#f");
  assertEquals(request.url, "https://example.com/a%20b?q#f");
  assertEquals(request.method, "GET");
  assertEquals(request.redirect, "follow");
  assertEquals([...request.headers], []);
  assertEquals(request.cf, undefined);
  assertEquals(request.bodyUsed, false);
  assert(request.signal instanceof AbortSignal);
  assertEquals(request.signal.aborted, false);
  assert(request.signal === request.signal);
}

export function urlInputs() {
  assertEquals(new Request(new URL("https://example.com/x")).url, "https://example.com/x");
  assertEquals(new Request({ toString: () => "https://example.com/y" }).url, "https://example.com/y");
  assertThrows(() => new Request("/relative"), TypeError, "Invalid URL: /relative");
  assertThrows(() => new Request("nope"), TypeError, "Invalid URL");
  assertThrows(() => new Request("http://exa mple.com"), TypeError, "Invalid URL");
  assertThrows(() => new Request(), TypeError, "Failed to construct 'Request': 1 argument required, but only 0 present.");
  assertThrows(() => new Request(Symbol("s")), TypeError);
}

export function methodsAreNormalized() {
  const method = (m) => new Request("https://example.com/", { method: m }).method;
  assertEquals(["get", "post", "put", "delete", "head", "options"].map(method), ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"]);
  // Only those six are uppercased; other tokens pass through as given.
  assertEquals(method("patch"), "patch");
  assertEquals(method("PATCH"), "PATCH");
  assertEquals(method("PROPFIND"), "PROPFIND");
}

export function badMethodsThrow() {
  for (const m of ["CONNECT", "trace", "Track", "", "GE T", "GET\n", "é"]) {
    assertThrows(() => new Request("https://example.com/", { method: m }), TypeError);
  }
  assertThrows(() => new Request("https://example.com/", { method: "connect" }), TypeError, "Invalid HTTP method string: connect");
}

export function getAndHeadCannotHaveABody() {
  const message = "Request with a GET or HEAD method cannot have a body.";
  assertThrows(() => new Request("https://example.com/", { body: "x" }), TypeError, message);
  assertThrows(() => new Request("https://example.com/", { method: "HEAD", body: "x" }), TypeError, message);
  assertThrows(() => new Request("https://example.com/", { method: "get", body: new Uint8Array(1) }), TypeError, message);
  // A null body is fine.
  assertEquals(new Request("https://example.com/", { body: null }).method, "GET");
  // Turning a POST with a body into a GET is not.
  const post = new Request("https://example.com/", { method: "POST", body: "x" });
  assertThrows(() => new Request(post, { method: "GET" }), TypeError, message);
  assertEquals(post.bodyUsed, false);
}

export async function postWithBody() {
  const request = new Request("https://example.com/", { method: "POST", body: "payload" });
  assertEquals(request.headers.get("content-type"), "text/plain;charset=UTF-8");
  assertEquals(await request.text(), "payload");
}

export function headersInit() {
  const request = new Request("https://example.com/", { headers: { "X-A": "1" } });
  assertEquals(request.headers.get("x-a"), "1");
  request.headers.set("x-b", "2");  // a constructed request's headers are mutable
  assertEquals(request.headers.get("x-b"), "2");
  assertThrows(() => new Request("https://example.com/", { headers: [["bad name", "v"]] }), TypeError, "Invalid header name.");
  assertThrows(() => new Request("https://example.com/", { headers: 5 }), TypeError);
}

export function redirectOption() {
  for (const value of ["follow", "manual", "error"]) {
    assertEquals(new Request("https://example.com/", { redirect: value }).redirect, value);
  }
  assertThrows(() => new Request("https://example.com/", { redirect: "bogus" }), TypeError, "RequestRedirect");
}

export function signalOption() {
  const controller = new AbortController();
  const request = new Request("https://example.com/", { signal: controller.signal });
  assert(request.signal === controller.signal);
  controller.abort();
  assert(request.signal.aborted);
  assertThrows(() => new Request("https://example.com/", { signal: {} }), TypeError, "AbortSignal");
  const withNull = new Request(request, { signal: null });
  assertEquals(withNull.signal.aborted, false);
}

export function initMustBeADictionary() {
  assertThrows(() => new Request("https://example.com/", 5), TypeError, "RequestInit");
  assertEquals(new Request("https://example.com/", null).method, "GET");
  // Unsupported members are ignored.
  assertEquals(new Request("https://example.com/", { mode: "cors", credentials: "omit" }).method, "GET");
}

export function cfOption() {
  const cf = { cacheTtl: 5 };
  const request = new Request("https://example.com/", { cf });
  assertEquals(request.cf, { cacheTtl: 5 });
  assertEquals(new Request(request).cf, { cacheTtl: 5 });
}

export async function fromAnotherRequest() {
  const controller = new AbortController();
  const original = new Request("https://example.com/a", {
    method: "PUT", headers: { "x-a": "1" }, body: "data", redirect: "manual", signal: controller.signal,
  });
  const copy = new Request(original);
  assertEquals([copy.url, copy.method, copy.redirect, copy.headers.get("x-a")], ["https://example.com/a", "PUT", "manual", "1"]);
  assert(copy.signal === controller.signal);  // Workers shares the signal
  assert(copy.headers !== original.headers);
  // The body moves to the new request.
  assertEquals(original.bodyUsed, true);
  assertEquals(await copy.text(), "data");
  assertThrows(() => new Request(original), TypeError, "Cannot reconstruct a Request with a used body.");
}

export async function initOverridesTheInputRequest() {
  const original = new Request("https://example.com/a", { method: "POST", body: "old", headers: { a: "1" } });
  const replaced = new Request(original, { body: "new", headers: { b: "2" }, method: "PATCH" });
  assertEquals(replaced.method, "PATCH");
  assertEquals([...replaced.headers], [["b", "2"], ["content-type", "text/plain;charset=UTF-8"]]);
  assertEquals(await replaced.text(), "new");
  assertEquals(original.bodyUsed, false);  // Workers: an init body leaves the input's body alone
  assertEquals(await original.text(), "old");
}

export async function initCanBeAnotherRequest() {
  // Workers: the other request's members (and a copy of its body) are taken over.
  const other = new Request("https://example.com/other", {
    method: "POST", body: "copied", headers: { "x-o": "1" }, redirect: "manual", cf: { a: 1 },
  });
  const request = new Request("https://example.com/mine", other);
  assertEquals([request.url, request.method, request.redirect, request.headers.get("x-o")],
    ["https://example.com/mine", "POST", "manual", "1"]);
  assertEquals(request.cf, { a: 1 });
  assertEquals(await request.text(), "copied");
  assertEquals(await other.text(), "copied");
  assertThrows(() => new Request("https://example.com/", other), TypeError, "Body has already been used.");
}

export async function cloneIsIndependent() {
  const request = new Request("https://example.com/", { method: "POST", body: "abc", headers: { x: "1" } });
  const clone = request.clone();
  clone.headers.set("x", "2");
  assertEquals(request.headers.get("x"), "1");
  assertEquals([clone.method, clone.url], ["POST", "https://example.com/"]);
  assertEquals(await clone.text(), "abc");
  assertEquals(request.bodyUsed, false);
  assertEquals(await request.text(), "abc");
  assertThrows(() => request.clone(), TypeError, "Request body is already used.");
}

export async function incomingStyleGetWithBodyPassesThrough() {
  // Workers lets a request keep a body when neither method nor body is changed.
  const post = new Request("https://example.com/", { method: "POST", body: "x" });
  const moved = new Request(post, { headers: { y: "1" } });
  assertEquals(await moved.text(), "x");
}

export function brandChecks() {
  const url = Object.getOwnPropertyDescriptor(Request.prototype, "url").get;
  assertThrows(() => url.call({}), TypeError, "Illegal invocation");
  assertThrows(() => url.call(new Response()), TypeError, "Illegal invocation");
  assertThrows(() => Request.prototype.clone.call({}), TypeError, "Illegal invocation");
  assertThrows(() => Request("https://example.com/"), TypeError);
}

export function interfaceShape() {
  assertEquals([Request.name, Request.length], ["Request", 1]);
  assertEquals(Object.prototype.toString.call(new Request("https://a.b/")), "[object Request]");
  const names = Object.getOwnPropertyNames(Request.prototype);
  for (const name of ["method", "url", "headers", "redirect", "signal", "clone", "cf"]) {
    assert(names.includes(name), name);
  }
  assertEquals(Object.getOwnPropertyDescriptor(Request.prototype, "url").enumerable, true);
}

export async function subclassesWork() {
  class Tagged extends Request {
    get tag() { return `${this.method} ${this.url}`; }
  }
  const request = new Tagged("https://example.com/", { method: "POST", body: "b" });
  assertEquals(request.tag, "POST https://example.com/");
  assertEquals(await request.text(), "b");
  await assertRejects(() => request.text(), TypeError);
}

export async function streamBodies() {
  const body = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode("streamed")); c.close(); } });
  // As in Workers, `duplex: "half"` may be left out; any other value is refused.
  const request = new Request("https://example.com/", { method: "POST", body });
  assert(request.body === body);
  assertEquals(await request.text(), "streamed");
  new Request("https://example.com/", { method: "POST", body: new ReadableStream(), duplex: "half" });
  assertThrows(() => new Request("https://example.com/", { method: "POST", body: "x", duplex: "full" }), TypeError);
  assertThrows(() => new Request("https://example.com/", { body: new ReadableStream() }), TypeError, "GET or HEAD");
}

export async function aRequestMadeFromAnotherReadsItsStreamThrough() {
  const source = new Request("https://example.com/", { method: "POST", body: "moved" });
  const body = source.body;
  const copy = new Request(source);
  assertEquals(source.bodyUsed, true);
  assert(source.body === body);
  assert(copy.body !== body);
  assertEquals(await copy.text(), "moved");
  assertThrows(() => new Request(source), TypeError, "Cannot reconstruct a Request with a used body.");
}

// Workers has no base URL: relative URLs stay errors, in Request, fetch() and Response.redirect(),
// also with a `location` on the global (only the WPT harness gives a base, its own way).
export async function relativeUrlsNeedABase() {
  globalThis.location = { href: "https://example.com/dir/page.html" };
  try {
    assertThrows(() => new Request(""), TypeError, "Invalid URL");
    assertThrows(() => new Request("/x"), TypeError, "Invalid URL: /x");
    assertThrows(() => Response.redirect("/x"), TypeError, "Unable to parse URL: /x");
    await assertRejects(fetch("x.json"), TypeError, "Invalid URL: x.json");
  } finally {
    delete globalThis.location;
  }
}

// As in Workers: `cache` takes no-store, no-cache and reload (undefined by default), `integrity`
// only "", and keepalive is always false.
export function cacheIntegrityAndKeepalive() {
  const url = "https://example.com/";
  const plain = new Request(url);
  assertEquals([plain.cache, plain.integrity, plain.keepalive], [undefined, "", false]);
  for (const mode of ["no-store", "no-cache", "reload"]) {
    assertEquals(new Request(url, { cache: mode }).cache, mode);
    assertEquals(new Request(new Request(url, { cache: mode })).cache, mode);
    assertEquals(new Request(url, { cache: mode }).clone().cache, mode);
  }
  for (const mode of ["default", "force-cache", "only-if-cached", "potato"]) {
    assertThrows(() => new Request(url, { cache: mode }), TypeError, `Unsupported cache mode: ${mode}`);
  }
  assertEquals(new Request(url, { integrity: "" }).integrity, "");
  assertThrows(() => new Request(url, { integrity: "sha256-abc" }), TypeError, "integrity");
  assertEquals(new Request(url, { keepalive: true }).keepalive, false);
  // Browser-only members are ignored, not validated.
  const ignored = new Request(url, { mode: "navigate", credentials: "x", referrer: "::", priority: "x", window: 1 });
  assertEquals([ignored.mode, ignored.credentials, ignored.referrer], [undefined, undefined, undefined]);
}
