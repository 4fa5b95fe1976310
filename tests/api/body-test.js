// The Body mixin (https://fetch.spec.whatwg.org/#body-mixin) on Request and Response.
import { assert, assertEquals, assertRejects, assertThrows } from "wisp:test";

const usedMessage = "Body has already been used. It can only be used once. Use tee() first if you need to read it twice.";

export async function stringBody() {
  const response = new Response("héllo");
  assertEquals(response.headers.get("content-type"), "text/plain;charset=UTF-8");
  assertEquals(response.bodyUsed, false);
  const text = response.text();
  assertEquals(response.bodyUsed, true);  // marked used at once, before the promise settles
  assertEquals(await text, "héllo");
}

export async function bufferSourceBodies() {
  const bytes = new Uint8Array([1, 2, 3, 4]);
  const fromView = new Response(bytes.subarray(1, 3));
  const fromBuffer = new Response(bytes.buffer);
  const fromDataView = new Response(new DataView(bytes.buffer, 2));
  bytes[1] = 99;  // the body is a copy
  assertEquals(await fromView.bytes(), new Uint8Array([2, 3]));
  assertEquals(new Uint8Array(await fromBuffer.arrayBuffer()), new Uint8Array([1, 2, 3, 4]));
  assertEquals(await fromDataView.bytes(), new Uint8Array([3, 4]));
  assertEquals(fromView.headers.has("content-type"), false);
}

export async function urlSearchParamsBody() {
  const response = new Response(new URLSearchParams({ a: "1 2", b: "&" }));
  assertEquals(response.headers.get("content-type"), "application/x-www-form-urlencoded;charset=UTF-8");
  assertEquals(await response.text(), "a=1+2&b=%26");
}

export async function otherObjectsAreStringified() {
  assertEquals(await new Response({}).text(), "[object Object]");
  assertEquals(await new Response(42).text(), "42");
  assertEquals(await new Response({ toString: () => "custom" }).text(), "custom");
  assertEquals(await new Response("\uD800").text(), "\uFFFD");
  assertThrows(() => new Response(Symbol("s")), TypeError);
}

export async function explicitContentTypeWins() {
  const response = new Response("{}", { headers: { "Content-Type": "application/json" } });
  assertEquals(response.headers.get("content-type"), "application/json");
  const request = new Request("https://example.com/", {
    method: "POST", body: new URLSearchParams("a=b"), headers: [["content-type", "text/custom"]],
  });
  assertEquals(request.headers.get("content-type"), "text/custom");
}

export async function nullBodyReadsAsEmptyAndStaysUnused() {
  for (const response of [new Response(), new Response(null), new Response(undefined)]) {
    assertEquals(response.headers.has("content-type"), false);
    assertEquals(await response.text(), "");
    assertEquals(await response.text(), "");
    assertEquals((await response.arrayBuffer()).byteLength, 0);
    assertEquals(await response.bytes(), new Uint8Array(0));
    assertEquals(response.bodyUsed, false);
  }
  await assertRejects(() => new Response().json(), SyntaxError);
}

export async function json() {
  const response = new Response('{"a":[1,"x"],"b":null}');
  assertEquals(await response.json(), { a: [1, "x"], b: null });
  await assertRejects(() => new Response("{not json").json(), SyntaxError);
}

export async function textStripsUTF8BOMAndReplacesBadBytes() {
  assertEquals(await new Response(new Uint8Array([0xEF, 0xBB, 0xBF, 0x68, 0x69])).text(), "hi");
  assertEquals(await new Response(new Uint8Array([0x61, 0xFF, 0x62])).text(), "a\uFFFDb");
}

export async function secondReadRejects() {
  const response = new Response("once");
  assertEquals(await response.text(), "once");
  assert(response.bodyUsed);
  await assertRejects(() => response.text(), TypeError, usedMessage);
  await assertRejects(() => response.arrayBuffer(), TypeError, usedMessage);
  await assertRejects(() => response.bytes(), TypeError, usedMessage);
  await assertRejects(() => response.json(), TypeError, usedMessage);
  const request = new Request("https://example.com/", { method: "PUT", body: "x" });
  await request.arrayBuffer();
  await assertRejects(() => request.text(), TypeError, usedMessage);
}

export async function bytesAreAUint8ArrayOverTheWholeBuffer() {
  const bytes = await new Response("abc").bytes();
  assert(bytes instanceof Uint8Array);
  assertEquals([bytes.byteOffset, bytes.byteLength, bytes.buffer.byteLength], [0, 3, 3]);
}

export async function cloneCopiesTheBody() {
  const response = new Response("twice");
  const copy = response.clone();
  assertEquals(await response.text(), "twice");
  assertEquals(await copy.text(), "twice");
  assertThrows(() => response.clone(), TypeError, "already used");
  const request = new Request("https://example.com/", { method: "POST", body: "r" });
  const requestCopy = request.clone();
  assertEquals(await requestCopy.text(), "r");
  assertEquals(await request.text(), "r");
  assertThrows(() => request.clone(), TypeError, "already used");
}

export async function methodsRejectForeignReceivers() {
  const text = Response.prototype.text;
  await assertRejects(() => text.call({}), TypeError, "Illegal invocation");
  await assertRejects(() => Request.prototype.json.call(new Headers()), TypeError, "Illegal invocation");
  const bodyUsed = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Response.prototype), "bodyUsed").get;
  assertThrows(() => bodyUsed.call({}), TypeError, "Illegal invocation");
}

export function requestAndResponseShareTheBodyMembers() {
  // As in Workers: both inherit from one Body prototype, which is not a constructor for users.
  const Body = Object.getPrototypeOf(Response.prototype).constructor;
  assert(Object.getPrototypeOf(Request.prototype) === Object.getPrototypeOf(Response.prototype));
  assertThrows(() => new Body(), TypeError, "Illegal constructor");
  assertEquals("Body" in globalThis, false);
  for (const name of ["arrayBuffer", "bytes", "json", "text", "bodyUsed"]) {
    assert(name in Response.prototype, name);
  }
}

// --- Bodies as streams ---------------------------------------------------------------------

const lockedMessage = "This ReadableStream is currently locked to a reader.";

function streamOf(...chunks) {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

export async function bodyIsAByteStream() {
  const response = new Response("héllo");
  const body = response.body;
  assert(body instanceof ReadableStream);
  assert(response.body === body, "the same stream each time");
  assertEquals(response.bodyUsed, false);
  const reader = body.getReader({ mode: "byob" });  // a byte stream, as in Workers
  const { value } = await reader.read(new Uint8Array(16));
  assertEquals(new TextDecoder().decode(value), "héllo");
  assertEquals(response.bodyUsed, true);
  assertEquals(new Response().body, null);
  assertEquals(new Response(null, { status: 204 }).body, null);
}

export async function readingTheStreamUsesTheBody() {
  const response = new Response("abc");
  const reader = response.body.getReader();
  await assertRejects(() => response.text(), TypeError, lockedMessage);
  assertThrows(() => response.clone(), TypeError, lockedMessage);
  assertEquals(response.bodyUsed, false);  // locked, not yet disturbed
  await reader.read();
  reader.releaseLock();
  assertEquals(response.bodyUsed, true);
  await assertRejects(() => response.text(), TypeError, usedMessage);
  assertThrows(() => response.clone(), TypeError, "already used");
}

export async function bodyAfterItWasRead() {
  const response = new Response("abc");
  await response.text();
  const body = response.body;  // a stream that has been read to its end
  assert(body instanceof ReadableStream);
  assert(body.locked);
  assertEquals(response.bodyUsed, true);
}

export async function streamBodiesAreReadToTheEnd() {
  const encoder = new TextEncoder();
  const response = new Response(streamOf(encoder.encode("he"), encoder.encode("llo")));
  assertEquals(response.headers.has("content-type"), false);
  assertEquals(await response.text(), "hello");
  assertEquals(response.bodyUsed, true);
  // As in Workers, any BufferSource chunk is bytes.
  const mixed = new Response(streamOf(new Uint8Array([1]).buffer, new Int16Array([0x0302]), new DataView(new Uint8Array([4]).buffer)));
  assertEquals(await mixed.bytes(), new Uint8Array([1, 2, 3, 4]));
  assertEquals(await new Request("https://example.com/", { method: "POST", body: streamOf(encoder.encode("{\"a\":1}")) }).json(), { a: 1 });
  assertEquals((await new Response(streamOf()).arrayBuffer()).byteLength, 0);
}

export async function nonByteChunksFailTheRead() {
  await assertRejects(() => new Response(streamOf("text")).text(), TypeError, "This ReadableStream did not return bytes.");
  await assertRejects(() => new Response(streamOf(42)).bytes(), TypeError, "did not return bytes");
  const failing = new ReadableStream({ pull(c) { c.error(new RangeError("source failed")); } });
  await assertRejects(() => new Response(failing).text(), RangeError, "source failed");
}

export function usedOrLockedStreamsAreRefused() {
  const message = "This ReadableStream is disturbed (has already been read from), and cannot be used as a body.";
  const locked = streamOf();
  locked.getReader();
  assertThrows(() => new Response(locked), TypeError, message);
  const read = streamOf(new Uint8Array([1]));
  read.getReader().read();
  assertThrows(() => new Response(read), TypeError, message);
}

export async function cloneTeesAStreamBody() {
  const chunk = new Uint8Array([1, 2, 3]);
  const response = new Response(streamOf(chunk));
  const original = response.body;
  const copy = response.clone();
  assert(response.body !== original, "the original keeps one branch of the tee");
  assert(original.locked);
  const [mine, theirs] = await Promise.all([response.body.getReader().read(), copy.body.getReader().read()]);
  assert(mine.value === chunk);
  assert(theirs.value !== chunk, "the clone's chunks are copies");
  assertEquals(theirs.value, chunk);
}

export async function cloneOfAnUnreadBodyStaysLazy() {
  const response = new Response("lazy");
  const copy = response.clone();
  assertEquals(await copy.text(), "lazy");
  assertEquals(await response.text(), "lazy");
}

export async function thenOnObjectPrototypeCannotInterceptABody() {
  try {
    Object.prototype.then = function (resolve) {  // eslint-disable-line no-extend-native
      delete Object.prototype.then;
      resolve({ done: false, value: new Uint8Array([0x21]) });
    };
    assertEquals(await new Response("bytes").text(), "bytes");
    Object.prototype.then = function (resolve) {  // eslint-disable-line no-extend-native
      delete Object.prototype.then;
      resolve(undefined);
    };
    assertEquals(await new Response(streamOf(new TextEncoder().encode("stream"))).text(), "stream");
  } finally {
    delete Object.prototype.then;
  }
}

// A body whose stream has errored (a fetch() aborted after its response came) rejects every read
// with the stream's error before the next microtask, and stays readable that way.
export async function anErroredStreamRejectsReadsAtOnce() {
  let controller;
  const response = new Response(new ReadableStream({ start(c) { controller = c; } }));
  const error = new Error("aborted");
  controller.error(error);
  const log = [];
  const text = response.text();
  await Promise.all([text.catch(() => log.push("text")), Promise.resolve().then(() => log.push("next"))]);
  assertEquals(log, ["text", "next"]);
  assert(await assertRejects(response.text()) === error);
  assert(await assertRejects(response.arrayBuffer()) === error);
  // A foreign receiver rejects rather than throws.
  await assertRejects(Response.prototype.json.call({}), TypeError, "Illegal invocation");
}
