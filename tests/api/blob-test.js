// Blob and File (https://w3c.github.io/FileAPI/), and Blob as a fetch body.
import { assert, assertEquals, assertRejects, assertThrows } from "wisp:test";

export async function partsOfEveryKindAreConcatenated() {
  const bytes = new Uint8Array([0x41, 0x42, 0x43, 0x44]);
  const blob = new Blob(["é", bytes.subarray(1, 3), bytes.buffer, new Blob(["!"]), new DataView(bytes.buffer, 3)]);
  assertEquals(blob.size, 2 + 2 + 4 + 1 + 1);
  assertEquals(await blob.text(), "éBCABCD!D");
  bytes[0] = 0;  // the Blob holds a copy
  assertEquals(await blob.text(), "éBCABCD!D");
}

export async function stringsAreUtf8AndLoneSurrogatesBecomeReplacementCharacters() {
  const blob = new Blob(["\uD800x"]);
  assertEquals(await blob.bytes(), new Uint8Array([0xEF, 0xBF, 0xBD, 0x78]));
}

export async function nativeEndingsTurnCrlfIntoLf() {
  assertEquals(await new Blob(["a\r\nb\rc\n"], { endings: "native" }).text(), "a\nb\nc\n");
  assertEquals(await new Blob(["a\r\nb"]).text(), "a\r\nb");
  assertThrows(() => new Blob([], { endings: "dos" }), TypeError);
}

export function typeIsLowercasedOrDroppedWhenNotPrintableAscii() {
  assertEquals(new Blob([], { type: "Text/HTML;Charset=UTF-8" }).type, "text/html;charset=utf-8");
  assertEquals(new Blob([], { type: "text/plain\u00e9" }).type, "");
  assertEquals(new Blob([], { type: "a\nb" }).type, "");
  assertEquals(new Blob().type, "");
}

export function blobPartsMustBeASequence() {
  assertThrows(() => new Blob("abc"), TypeError);
  assertThrows(() => new Blob(null), TypeError);
  assertThrows(() => new Blob({}), TypeError);
  assertThrows(() => Blob(), TypeError);
}

export async function sliceClampsAndSharesNothingVisible() {
  const blob = new Blob(["0123456789"], { type: "text/plain" });
  assertEquals(await blob.slice(2, 5).text(), "234");
  assertEquals(await blob.slice(-3).text(), "789");
  assertEquals(await blob.slice(-100, 2).text(), "01");
  assertEquals(await blob.slice(8, 3).text(), "");
  assertEquals(await blob.slice(0, 1e20).text(), "0123456789");
  assertEquals(blob.slice(1, 2).type, "");
  assertEquals(blob.slice(1, 2, "Image/PNG").type, "image/png");
  const inner = blob.slice(2, 8).slice(1, 3);
  assertEquals(await inner.text(), "34");
  const bytes = await inner.bytes();
  bytes[0] = 0x21;  // a copy: the Blob does not change
  assertEquals(await inner.text(), "34");
  assertEquals((await inner.arrayBuffer()).byteLength, 2);
}

export async function textDecodesUtf8WithReplacement() {
  assertEquals(await new Blob([new Uint8Array([0xEF, 0xBB, 0xBF, 0x68, 0xFF])]).text(), "h\uFFFD");
}

export async function streamReadsTheBytesInChunks() {
  const big = new Uint8Array(200000).map((_, i) => i % 251);
  const reader = new Blob([big]).stream().getReader();
  const received = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    assert(value instanceof Uint8Array);
    assert(value.byteLength <= 65536, `a chunk of ${value.byteLength} bytes`);
    received.push(...value);
  }
  assertEquals(new Uint8Array(received), big);
}

export async function streamWorksWithAByobReader() {
  const reader = new Blob(["hello"]).stream().getReader({ mode: "byob" });
  const { value } = await reader.read(new Uint8Array(3));
  assertEquals(new TextDecoder().decode(value), "hel");
  const rest = await reader.read(new Uint8Array(10));
  assertEquals(new TextDecoder().decode(rest.value), "lo");
  assertEquals((await reader.read(new Uint8Array(10))).done, true);
}

export async function fileHasANameAndLastModified() {
  const file = new File(["x", "yz"], "a/b.txt", { type: "TEXT/plain", lastModified: 42 });
  assert(file instanceof Blob);
  assertEquals(file.name, "a/b.txt");
  assertEquals(file.lastModified, 42);
  assertEquals(file.type, "text/plain");
  assertEquals(await file.text(), "xyz");
  assertEquals(String(file), "[object File]");
  assertEquals(new File([], "n").lastModified, Date.now());
  assertThrows(() => new File([]), TypeError);
  assert(!(file.slice(0, 1) instanceof File));
}

export function gettersCheckTheirReceiver() {
  const size = Object.getOwnPropertyDescriptor(Blob.prototype, "size").get;
  assertThrows(() => size.call({}), TypeError, "Illegal invocation");
  const name = Object.getOwnPropertyDescriptor(File.prototype, "name").get;
  assertThrows(() => name.call(new Blob()), TypeError, "Illegal invocation");
}

export async function blobAsAResponseBodyKeepsItsType() {
  const response = new Response(new Blob(["<p>"], { type: "text/html" }));
  assertEquals(response.headers.get("content-type"), "text/html");
  assertEquals(await response.text(), "<p>");
  const untyped = new Response(new Blob(["x"]));
  assertEquals(untyped.headers.has("content-type"), false);
}

export async function responseBlobTakesTheContentType() {
  const blob = await new Response("héllo", { headers: { "content-type": "Text/Plain; charset=UTF-8" } }).blob();
  assert(blob instanceof Blob);
  assertEquals(blob.type, "text/plain;charset=UTF-8");
  assertEquals(await blob.text(), "héllo");
  const untyped = await new Response(new Uint8Array([1, 2])).blob();
  assertEquals(untyped.type, "");
  assertEquals(untyped.size, 2);
  const request = new Request("https://example.com/", { method: "POST", body: "abc" });
  const fromRequest = await request.blob();
  assertEquals(fromRequest.type, "text/plain;charset=UTF-8");
  assertEquals(request.bodyUsed, true);
  await assertRejects(() => request.blob(), TypeError);
}
