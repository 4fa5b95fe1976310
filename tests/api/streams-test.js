// Streams (https://streams.spec.whatwg.org/), the encoding streams, and Workers'
// IdentityTransformStream / FixedLengthStream.
import { assert, assertEquals, assertRejects, assertThrows } from "wisp:test";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function readAll(readable) {
  const chunks = [];
  for await (const chunk of readable) chunks.push(chunk);
  return chunks;
}

function bytesOf(chunks) {
  return [...chunks.flatMap((chunk) => [...chunk])];
}

export function globalsAreInterfaces() {
  const names = [
    "ReadableStream", "ReadableStreamDefaultReader", "ReadableStreamBYOBReader", "ReadableStreamBYOBRequest",
    "ReadableStreamDefaultController", "ReadableByteStreamController", "WritableStream",
    "WritableStreamDefaultWriter", "WritableStreamDefaultController", "TransformStream",
    "TransformStreamDefaultController", "ByteLengthQueuingStrategy", "CountQueuingStrategy",
    "TextEncoderStream", "TextDecoderStream", "IdentityTransformStream", "FixedLengthStream",
  ];
  for (const name of names) {
    globalThis[name];  // loads the area: until then the globals are accessors
    const desc = Object.getOwnPropertyDescriptor(globalThis, name);
    assertEquals(typeof desc.value, "function", name);
    assertEquals([desc.writable, desc.enumerable, desc.configurable], [true, false, true], name);
    assertEquals(desc.value.name, name);
    assertEquals(Object.prototype.toString.call(desc.value.prototype), `[object ${name}]`);
  }
  assertThrows(() => new ReadableStreamDefaultController(), TypeError);
  assertThrows(() => ReadableStream(), TypeError);
}

export async function defaultStreamReadsChunksInOrder() {
  const stream = new ReadableStream({
    start(controller) {
      controller.enqueue("a");
      controller.enqueue({ b: 1 });
      controller.close();
    },
  });
  const reader = stream.getReader();
  assert(stream.locked);
  assertEquals(await reader.read(), { value: "a", done: false });
  assertEquals(await reader.read(), { value: { b: 1 }, done: false });
  assertEquals(await reader.read(), { value: undefined, done: true });
  await reader.closed;
  reader.releaseLock();
  assertEquals(stream.locked, false);
}

export async function pullIsCalledOnDemand() {
  let pulls = 0;
  const stream = new ReadableStream({
    pull(controller) {
      pulls++;
      if (pulls > 3) controller.close();
      else controller.enqueue(pulls);
    },
  }, { highWaterMark: 0 });
  await Promise.resolve();
  assertEquals(pulls, 0);
  assertEquals(await readAll(stream), [1, 2, 3]);
}

export async function byteStreamFillsABYOBView() {
  const stream = new ReadableStream({
    type: "bytes",
    start(controller) {
      controller.enqueue(new Uint8Array([1, 2, 3, 4, 5]));
      controller.close();
    },
  });
  const reader = stream.getReader({ mode: "byob" });
  assert(reader instanceof ReadableStreamBYOBReader);
  const first = await reader.read(new Uint8Array(3));
  assertEquals(first, { value: new Uint8Array([1, 2, 3]), done: false });
  const second = await reader.read(new Uint8Array(first.value.buffer));  // the buffer comes back
  assertEquals(second.value, new Uint8Array([4, 5]));
  const end = await reader.read(new Uint8Array(second.value.buffer));
  assertEquals(end.done, true);
  assertEquals(end.value.byteLength, 0);
}

export async function byobReadDetachesTheGivenBuffer() {
  const stream = new ReadableStream({ type: "bytes", pull(c) { c.enqueue(new Uint8Array([7])); } });
  const view = new Uint8Array(4);
  const { value } = await stream.getReader({ mode: "byob" }).read(view);
  assertEquals(view.byteLength, 0);  // transferred into the result
  assertEquals(value, new Uint8Array([7]));
}

export async function readWithMinWaitsForEnoughBytes() {
  let n = 0;
  const stream = new ReadableStream({ type: "bytes", pull(c) { c.enqueue(new Uint8Array([++n])); } });
  const { value } = await stream.getReader({ mode: "byob" }).read(new Uint8Array(4), { min: 3 });
  assertEquals(value.byteLength >= 3, true);
  assertEquals([...value.subarray(0, 3)], [1, 2, 3]);
}

export async function teeGivesBothBranchesEveryChunk() {
  const stream = ReadableStream.from(["x", "y"]);
  const [a, b] = stream.tee();
  assert(stream.locked);
  assertEquals(await readAll(b), ["x", "y"]);
  assertEquals(await readAll(a), ["x", "y"]);
}

export async function asyncIterationAndFrom() {
  async function* source() {
    yield 1;
    yield 2;
  }
  const stream = ReadableStream.from(source());
  assertEquals(await readAll(stream), [1, 2]);
  const iterator = ReadableStream.from([1])[Symbol.asyncIterator]();
  const asyncIteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}).prototype);
  assert(Object.getPrototypeOf(Object.getPrototypeOf(iterator)) === asyncIteratorPrototype);
  assertEquals(Object.prototype.toString.call(iterator), "[object ReadableStream AsyncIterator]");
  // Breaking out of a loop cancels the stream, unless preventCancel.
  let cancelled = false;
  const endless = new ReadableStream({ pull(c) { c.enqueue(0); }, cancel() { cancelled = true; } });
  for await (const chunk of endless.values({ preventCancel: false })) {
    assertEquals(chunk, 0);
    break;
  }
  assert(cancelled);
}

export async function cancelReachesTheSource() {
  let reason;
  const stream = new ReadableStream({ cancel(r) { reason = r; } });
  await stream.cancel("stop");
  assertEquals(reason, "stop");
  const locked = new ReadableStream();
  locked.getReader();
  await assertRejects(() => locked.cancel(), TypeError);
}

export async function writableStreamWritesInOrderWithBackpressure() {
  const written = [];
  let release;
  const stream = new WritableStream({
    async write(chunk) {
      written.push(chunk);
      if (chunk === 1) await new Promise((resolve) => { release = resolve; });
    },
  }, new CountQueuingStrategy({ highWaterMark: 2 }));
  const writer = stream.getWriter();
  assertEquals(writer.desiredSize, 2);
  const writes = [writer.write(1), writer.write(2), writer.write(3)];
  assertEquals(writer.desiredSize, -1);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assertEquals(written, [1]);
  release();
  await Promise.all(writes);
  assertEquals(writer.desiredSize, 2);
  await writer.close();
  assertEquals(written, [1, 2, 3]);
}

export async function writableAbortSignalsTheSink() {
  let abortedWith;
  let signalAborted = false;
  const stream = new WritableStream({
    start(controller) {
      controller.signal.addEventListener("abort", () => { signalAborted = true; });
    },
    abort(reason) { abortedWith = reason; },
  });
  await stream.getWriter().abort("why");
  assertEquals(abortedWith, "why");
  assert(signalAborted);
}

export async function transformStreamAndPipeThrough() {
  const upper = new TransformStream({
    transform(chunk, controller) { controller.enqueue(chunk.toUpperCase()); },
    flush(controller) { controller.enqueue("!"); },
  });
  const out = ReadableStream.from(["a", "b"]).pipeThrough(upper);
  assertEquals(await readAll(out), ["A", "B", "!"]);
}

export async function pipeToStopsOnAbortWithAnAbortError() {
  const controller = new AbortController();
  const written = [];
  const source = new ReadableStream({ pull(c) { c.enqueue(written.length); } }, { highWaterMark: 0 });
  const sink = new WritableStream({
    write(chunk) {
      written.push(chunk);
      if (written.length === 3) controller.abort();
    },
  });
  const error = await assertRejects(() => source.pipeTo(sink, { signal: controller.signal }), "AbortError");
  assert(error instanceof DOMException, "wisp's DOMException");
  assertEquals(written, [0, 1, 2]);
  assertEquals(source.locked, false);
}

export async function pipeToPropagatesErrorsAndClose() {
  const failing = new ReadableStream({ start(c) { c.error(new RangeError("source broke")); } });
  let abortReason;
  await assertRejects(() => failing.pipeTo(new WritableStream({ abort(r) { abortReason = r; } })), RangeError);
  assertEquals(abortReason.message, "source broke");
  let closed = false;
  await ReadableStream.from([1]).pipeTo(new WritableStream({ close() { closed = true; } }));
  assert(closed);
}

export function queuingStrategies() {
  const bytes = new ByteLengthQueuingStrategy({ highWaterMark: 16 });
  assertEquals(bytes.highWaterMark, 16);
  assertEquals(bytes.size(new Uint8Array(5)), 5);
  const count = new CountQueuingStrategy({ highWaterMark: 3 });
  assertEquals(count.size("anything"), 1);
  assertThrows(() => new CountQueuingStrategy(), TypeError);
}

export async function textEncoderStreamJoinsSplitSurrogatePairs() {
  const stream = new TextEncoderStream();
  assertEquals(stream.encoding, "utf-8");
  const writer = stream.writable.getWriter();
  writer.write("a\uD83D");  // the pair of 😀 is split over two chunks
  writer.write("\uDE00b");
  writer.write("\uD800");   // a lone high surrogate at the end
  writer.close();
  const chunks = await readAll(stream.readable);
  assert(chunks.every((c) => c instanceof Uint8Array));
  assertEquals(decoder.decode(new Uint8Array(bytesOf(chunks))), "a😀b\uFFFD");
}

export async function textDecoderStreamDecodesSplitCharacters() {
  const stream = new TextDecoderStream("utf-8", { fatal: false });
  assertEquals([stream.encoding, stream.fatal, stream.ignoreBOM], ["utf-8", false, false]);
  const bytes = encoder.encode("héllo 😀");
  const writer = stream.writable.getWriter();
  for (const b of bytes) writer.write(new Uint8Array([b]));
  writer.close();
  assertEquals((await readAll(stream.readable)).join(""), "héllo 😀");

  const fatal = new TextDecoderStream("utf-8", { fatal: true });
  const fatalWriter = fatal.writable.getWriter();
  fatalWriter.write(new Uint8Array([0xff])).catch(() => {});
  await assertRejects(() => fatal.readable.getReader().read(), TypeError);
  assertThrows(() => new TextDecoderStream("no-such-encoding"), RangeError);
  const notBytes = new TextDecoderStream();
  const read = notBytes.readable.getReader().read();  // a transform runs when its output is wanted
  await assertRejects(() => notBytes.writable.getWriter().write(42), TypeError);
  await assertRejects(() => read, TypeError);
}

export async function textStreamsBrandCheck() {
  const getter = Object.getOwnPropertyDescriptor(TextEncoderStream.prototype, "readable").get;
  assertThrows(() => getter.call(new TransformStream()), TypeError, "Illegal invocation");
  const piped = ReadableStream.from(["ok"]).pipeThrough(new TextEncoderStream()).pipeThrough(new TextDecoderStream());
  assertEquals(await readAll(piped), ["ok"]);
}

// --- IdentityTransformStream and FixedLengthStream ------------------------------------------

export async function identityTransformStreamPassesBytesThrough() {
  const its = new IdentityTransformStream();
  assert(its instanceof TransformStream);
  assertEquals(Object.prototype.toString.call(its), "[object IdentityTransformStream]");
  const writer = its.writable.getWriter();
  const reader = its.readable.getReader();
  const source = new Uint8Array([1, 2, 3]);
  const write = writer.write(source.subarray(1));
  source[1] = 9;  // the write took a copy
  assertEquals(await reader.read(), { value: new Uint8Array([2, 3]), done: false });
  await write;
  const text = writer.write("hé");  // strings are written as UTF-8
  assertEquals(decoder.decode((await reader.read()).value), "hé");
  await text;
  writer.write(new Uint8Array(0));  // no chunk, and not a close
  writer.close();
  assertEquals(await reader.read(), { value: undefined, done: true });
}

export async function identityWritesSettleWhenRead() {
  const its = new IdentityTransformStream();
  const writer = its.writable.getWriter();
  let settled = false;
  const write = writer.write(new Uint8Array([1])).then(() => { settled = true; });
  await new Promise((resolve) => setTimeout(resolve, 0));
  assertEquals(settled, false);  // nobody read it yet
  await its.readable.getReader().read();
  await write;
  assert(settled);
}

export async function identityReadableSupportsBYOB() {
  const its = new IdentityTransformStream();
  const writer = its.writable.getWriter();
  const reader = its.readable.getReader({ mode: "byob" });
  const write = writer.write(new Uint8Array([1, 2, 3, 4, 5]));
  const first = await reader.read(new Uint8Array(2));
  assertEquals(first.value, new Uint8Array([1, 2]));
  const rest = await reader.read(new Uint8Array(8));
  assertEquals(rest.value, new Uint8Array([3, 4, 5]));
  await write;
  writer.close();
  assertEquals((await reader.read(new Uint8Array(1))).done, true);
}

export async function identityRefusesNonBytes() {
  const its = new IdentityTransformStream();
  const writer = its.writable.getWriter();
  await assertRejects(() => writer.write({}), TypeError, "non-ArrayBuffer/ArrayBufferView");
}

export async function identityCancelAndAbortPropagate() {
  const its = new IdentityTransformStream();
  const writer = its.writable.getWriter();
  const pending = writer.write(new Uint8Array([1]));
  await its.readable.cancel(new Error("gone"));
  await assertRejects(() => pending, Error, "gone");
  await assertRejects(() => writer.write(new Uint8Array([2])), Error, "gone");

  const other = new IdentityTransformStream();
  const otherWriter = other.writable.getWriter();
  const parked = otherWriter.write(new Uint8Array([1]));
  const reader = other.readable.getReader();
  const abort = otherWriter.abort(new Error("stop"));
  await assertRejects(() => parked, Error, "stop");  // abort does not wait for a reader
  await abort;
  await assertRejects(() => reader.read(), Error, "stop");
}

export async function identityStreamAsAResponseBody() {
  const { readable, writable } = new IdentityTransformStream();
  const response = new Response(readable);
  assert(response.body === readable);
  const writer = writable.getWriter();
  writer.write(encoder.encode("streamed "));
  writer.write(encoder.encode("body"));
  writer.close();
  assertEquals(await response.text(), "streamed body");
}

export async function fixedLengthStreamChecksItsLength() {
  const exact = new FixedLengthStream(4);
  assert(exact instanceof IdentityTransformStream);
  assertEquals(Object.prototype.toString.call(exact), "[object FixedLengthStream]");
  const writer = exact.writable.getWriter();
  writer.write(new Uint8Array([1, 2]));
  writer.write(new Uint8Array([3, 4]));
  writer.close();
  assertEquals(await new Response(exact.readable).bytes(), new Uint8Array([1, 2, 3, 4]));

  const tooMany = new FixedLengthStream(2);
  const write = tooMany.writable.getWriter().write(new Uint8Array([1, 2, 3]));
  await assertRejects(() => tooMany.readable.getReader().read(), TypeError,
    "Attempt to write too many bytes through a FixedLengthStream.");
  await write;  // the write itself goes through, as in Workers

  const tooFew = new FixedLengthStream(10);
  const short = tooFew.writable.getWriter();
  short.write(new Uint8Array([1]));
  short.close();
  await assertRejects(() => new Response(tooFew.readable).text(), TypeError,
    "FixedLengthStream did not see all expected bytes before close().");

  const empty = new FixedLengthStream(0);
  empty.writable.close();
  assertEquals(await new Response(empty.readable).text(), "");
}

export function fixedLengthStreamConvertsItsLength() {
  new FixedLengthStream(5n);
  new FixedLengthStream(Number.MAX_SAFE_INTEGER);
  assertEquals(new FixedLengthStream(10, { highWaterMark: 100 }).writable.getWriter().desiredSize, 10);
  assertEquals(new FixedLengthStream(10, { highWaterMark: 3 }).writable.getWriter().desiredSize, 3);
  for (const bad of [-1, NaN, Infinity, 2 ** 53, -1n]) {
    assertThrows(() => new FixedLengthStream(bad), TypeError, undefined, String(bad));
  }
  assertThrows(() => new FixedLengthStream(), TypeError);
  assertThrows(() => new IdentityTransformStream(5), TypeError);
}
