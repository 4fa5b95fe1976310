// CompressionStream and DecompressionStream (https://compression.spec.whatwg.org/) on zlib.
import { assert, assertEquals, assertRejects, assertThrows } from "wisp:test";

const formats = ["gzip", "deflate", "deflate-raw"];

// Writes `chunks` into a transform stream while reading it; returns the chunks read.
async function through(stream, chunks) {
  const writer = stream.writable.getWriter();
  const writing = (async () => {
    for (const chunk of chunks) await writer.write(chunk);
    await writer.close();
  })();
  writing.catch(() => {});  // the read below reports the same error
  const reader = stream.readable.getReader();
  const out = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    out.push(value);
  }
  await writing;
  return out;
}

function concat(chunks) {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

const text = (bytes) => new TextDecoder().decode(bytes);
const utf8 = (string) => new TextEncoder().encode(string);

export async function everyFormatRoundTrips() {
  const input = utf8("The quick brown fox jumps over the lazy dog. ".repeat(500));
  for (const format of formats) {
    const compressed = concat(await through(new CompressionStream(format), [input.subarray(0, 100), input.subarray(100)]));
    assert(compressed.byteLength < input.byteLength / 10, `${format}: ${compressed.byteLength} bytes`);
    const back = await through(new DecompressionStream(format), [compressed.subarray(0, 7), compressed.subarray(7)]);
    assertEquals(concat(back), input);
  }
}

export async function outputHasEachFormatsFraming() {
  const gzip = concat(await through(new CompressionStream("gzip"), [utf8("x")]));
  assertEquals([...gzip.subarray(0, 3)], [0x1f, 0x8b, 8]);
  const deflate = concat(await through(new CompressionStream("deflate"), [utf8("x")]));
  assertEquals(((deflate[0] << 8) | deflate[1]) % 31, 0);  // the zlib header check
  assertEquals(deflate[0] & 0x0f, 8);
}

export async function decompressesWhatOtherImplementationsWrote() {
  // "expected output", compressed by a browser (from the WPT decompression tests).
  const deflate = new Uint8Array([120, 156, 75, 173, 40, 72, 77, 46, 73, 77, 81, 200, 47, 45, 41, 40, 45, 1, 0, 48, 173, 6, 36]);
  const gzip = new Uint8Array([31, 139, 8, 0, 0, 0, 0, 0, 0, 3, 75, 173, 40, 72, 77, 46, 73, 77, 81, 200, 47, 45, 41, 40,
    45, 1, 0, 176, 1, 57, 179, 15, 0, 0, 0]);
  assertEquals(text(concat(await through(new DecompressionStream("deflate"), [deflate]))), "expected output");
  assertEquals(text(concat(await through(new DecompressionStream("gzip"), [gzip.buffer]))), "expected output");
  const raw = deflate.subarray(2, deflate.length - 4);
  assertEquals(text(concat(await through(new DecompressionStream("deflate-raw"), [new DataView(raw.buffer, 2, raw.length)]))),
    "expected output");
}

export async function corruptInputIsATypeError() {
  await assertRejects(() => through(new DecompressionStream("gzip"), [utf8("not gzip at all")]), TypeError,
    "Decompression failed");
  await assertRejects(() => through(new DecompressionStream("deflate"), [new Uint8Array([120, 156, 255, 255, 255])]), TypeError);
}

export async function dataAfterTheEndIsATypeError() {
  const compressed = concat(await through(new CompressionStream("deflate"), [utf8("abc")]));
  const junk = concat([compressed, new Uint8Array([1])]);
  await assertRejects(() => through(new DecompressionStream("deflate"), [junk]), TypeError, "after the end");
  await assertRejects(() => through(new DecompressionStream("deflate"), [compressed, new Uint8Array([0])]), TypeError,
    "after the end");
}

export async function truncatedInputIsATypeError() {
  const compressed = concat(await through(new CompressionStream("gzip"), [utf8("hello world")]));
  await assertRejects(() => through(new DecompressionStream("gzip"), [compressed.subarray(0, compressed.length - 1)]),
    TypeError, "truncated");
  await assertRejects(() => through(new DecompressionStream("gzip"), []), TypeError, "truncated");
}

export async function chunksMustBeBufferSources() {
  for (const chunk of ["text", 42, null, {}, [1, 2]]) {
    await assertRejects(() => through(new CompressionStream("gzip"), [chunk]), TypeError);
    await assertRejects(() => through(new DecompressionStream("gzip"), [chunk]), TypeError);
  }
}

export async function emptyChunksAreAllowed() {
  const compressed = await through(new CompressionStream("deflate-raw"), [new Uint8Array(0), utf8("a"), new ArrayBuffer(0)]);
  assertEquals(text(concat(await through(new DecompressionStream("deflate-raw"), compressed))), "a");
}

export async function largeOutputComesInBoundedChunks() {
  const zeros = new Uint8Array(3 * 1024 * 1024);
  const compressed = concat(await through(new CompressionStream("gzip"), [zeros]));
  assert(compressed.byteLength < 10000, `${compressed.byteLength} bytes`);
  const chunks = await through(new DecompressionStream("gzip"), [compressed]);
  for (const chunk of chunks) {
    assert(chunk instanceof Uint8Array);
    assert(chunk.byteLength <= 65536, `a chunk of ${chunk.byteLength} bytes`);
  }
  assertEquals(concat(chunks).byteLength, zeros.byteLength);
}

export function constructorsCheckTheFormat() {
  assertThrows(() => new CompressionStream("brotli"), TypeError);
  assertThrows(() => new DecompressionStream("GZIP"), TypeError);
  assertThrows(() => new CompressionStream(), TypeError);
  const error = new Error("from toString");
  assertThrows(() => new DecompressionStream({ toString() { throw error; } }), Error, "from toString");
  const cs = new CompressionStream("gzip");
  assert(cs.readable instanceof ReadableStream);
  assert(cs.writable instanceof WritableStream);
  const readable = Object.getOwnPropertyDescriptor(CompressionStream.prototype, "readable").get;
  assertThrows(() => readable.call(new DecompressionStream("gzip")), TypeError, "Illegal invocation");
}

export async function pipesFromAndToResponseBodies() {
  const compressed = new Response("body text").body.pipeThrough(new CompressionStream("gzip"));
  const response = new Response(compressed.pipeThrough(new DecompressionStream("gzip")));
  assertEquals(await response.text(), "body text");
}
