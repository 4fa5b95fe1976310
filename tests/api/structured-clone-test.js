// structuredClone() (https://html.spec.whatwg.org/#dom-structuredclone).
import { assert, assertEquals, assertRejects, assertThrows } from "wisp:test";

export function clonesDeeply() {
  const original = { a: [1, { b: "c" }], d: new Date(5), m: new Map([[1, new Set([2])]]), u: new Uint8Array([7]) };
  const copy = structuredClone(original);
  assertEquals(copy, original);
  assert(copy !== original && copy.a !== original.a && copy.a[1] !== original.a[1]);
}

export function keepsCycles() {
  const cyclic = { name: "x" };
  cyclic.self = cyclic;
  const copy = structuredClone(cyclic);
  assert(copy.self === copy);
}

export function rejectsUncloneables() {
  assertThrows(() => structuredClone(() => {}), "DataCloneError");
  assertThrows(() => structuredClone({ f: Symbol("s") }), "DataCloneError");
  assertThrows(() => structuredClone(new Proxy({}, {})), "DataCloneError");
  assertThrows(() => structuredClone(globalThis), "DataCloneError");
}

export function platformObjectsThrowDataCloneError() {
  const cases = [
    ["URL", new URL("https://example.com/")],
    ["URLSearchParams", new URLSearchParams("a=1")],
    ["Headers", new Headers({ a: "1" })],
    ["Request", new Request("https://example.com/")],
    ["Response", new Response("body")],
    ["Event", new Event("x")],
    ["CustomEvent", new CustomEvent("x", { detail: 1 })],
    ["EventTarget", new EventTarget()],
    ["AbortController", new AbortController()],
    ["AbortSignal", AbortSignal.abort()],
    ["TextEncoder", new TextEncoder()],
    ["Navigator", navigator],
    ["Performance", performance],
  ];
  for (const [name, value] of cases) {
    const error = assertThrows(() => structuredClone(value), "DataCloneError", `${name} object could not be cloned.`);
    assert(error instanceof DOMException && error.code === DOMException.DATA_CLONE_ERR, name);
    // Also when nested, and for subclasses.
    assertThrows(() => structuredClone({ list: [new Map([["k", value]])] }), "DataCloneError", name);
  }
  class MyEvent extends Event {}
  assertThrows(() => structuredClone(new MyEvent("x")), "DataCloneError", "Event object could not be cloned.");
}

export function ordinaryObjectsAreNotMistakenForPlatformObjects() {
  assertEquals(structuredClone(Object.create(null)), {});
  class Plain { constructor() { this.x = 1; } }
  assertEquals(structuredClone(new Plain()), { x: 1 });
}

export function domExceptionsKeepNameAndMessage() {
  const original = new DOMException("went wrong", "NotFoundError");
  const copy = structuredClone(original);
  assert(copy !== original);
  assert(copy instanceof DOMException && copy instanceof Error);
  assertEquals([copy.name, copy.message, copy.code], ["NotFoundError", "went wrong", 8]);
  assert(typeof copy.stack === "string");
  // Inside other values, identity kept.
  const nested = structuredClone({ a: original, b: [original] });
  assert(nested.a === nested.b[0] && nested.a.name === "NotFoundError");
  // A subclass comes back as a DOMException.
  class Custom extends DOMException {}
  assertEquals(Object.getPrototypeOf(structuredClone(new Custom("m", "AbortError"))), DOMException.prototype);
  // The interface deleted from the global: still deserialised.
  const saved = globalThis.DOMException;
  delete globalThis.DOMException;
  try {
    assert(structuredClone(original) instanceof saved);
  } finally {
    globalThis.DOMException = saved;
  }
}

export function domExceptionInterfaceStaysStandard() {
  assertEquals(Object.getPrototypeOf(DOMException), Function.prototype);
  assertEquals(Object.getPrototypeOf(DOMException.prototype), Error.prototype);
  assertEquals(Object.prototype.toString.call(new DOMException()), "[object DOMException]");
}

export function errorsCloneAsHtmlSays() {
  for (const Type of [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError]) {
    const original = new Type("message here");
    original.extra = "dropped";
    const copy = structuredClone(original);
    assertEquals(Object.getPrototypeOf(copy), Type.prototype);
    assertEquals([copy.name, copy.message, copy.extra], [Type.name, "message here", undefined]);
  }
  // An unknown name becomes a plain Error.
  const odd = new Error("m");
  odd.name = "OddError";
  assertEquals(Object.getPrototypeOf(structuredClone(odd)), Error.prototype);
  // No own message: none on the copy either.
  assertEquals(Object.hasOwn(structuredClone(new Error()), "message"), false);
}

export function gettersRunOnce() {
  let reads = 0;
  const value = { get x() { reads++; return { y: 1 }; } };
  assertEquals(structuredClone(value), { x: { y: 1 } });
  assertEquals(reads, 1);
}

export function transferDetachesTheBuffer() {
  const buffer = new Uint8Array([1, 2, 3]).buffer;
  const copy = structuredClone(buffer, { transfer: [buffer] });
  assertEquals(buffer.byteLength, 0);
  assertEquals([...new Uint8Array(copy)], [1, 2, 3]);
  const other = new ArrayBuffer(2);
  structuredClone(other, { transfer: new Set([other]) });  // any iterable
  assertEquals(other.byteLength, 0);
  // A view over a transferred buffer is cloned over the moved contents.
  const bytes = new Uint8Array([4, 5]);
  const view = structuredClone(bytes, { transfer: [bytes.buffer] });
  assertEquals([[...view], bytes.byteLength], [[4, 5], 0]);
}

export function transferErrors() {
  const buffer = new ArrayBuffer(1);
  assertThrows(() => structuredClone(buffer, { transfer: [buffer, buffer] }), "DataCloneError", "duplicate");
  assertThrows(() => structuredClone(1, { transfer: [new URL("https://a/")] }), "DataCloneError", "transferable");
  assertThrows(() => structuredClone(1, { transfer: [new Uint8Array(1)] }), "DataCloneError", "transferable");
  structuredClone(buffer, { transfer: [buffer] });
  assertThrows(() => structuredClone(buffer, { transfer: [buffer] }), "DataCloneError", "detached");
  // A clone that fails detaches nothing.
  const kept = new ArrayBuffer(3);
  assertThrows(() => structuredClone([kept, () => {}], { transfer: [kept] }), "DataCloneError");
  assertEquals(kept.byteLength, 3);
}

export function argumentChecks() {
  assertThrows(() => structuredClone(), TypeError, "1 argument required, but only 0 present.");
  assertThrows(() => structuredClone(1, { transfer: 5 }), TypeError);
  assertThrows(() => structuredClone(1, 5), TypeError);
  assertEquals(structuredClone(undefined), undefined);
  assertEquals(structuredClone(1, null), 1);
}

export async function blobsAndFilesAreCloned() {
  const blob = new Blob(["hello, ", "world"], { type: "text/plain" });
  const copy = structuredClone(blob);
  assert(copy !== blob && copy instanceof Blob);
  assertEquals([copy.size, copy.type, await copy.text()], [12, "text/plain", "hello, world"]);
  // A slice keeps only its own bytes.
  assertEquals(await structuredClone(blob.slice(7)).text(), "world");
  const file = new File([new Uint8Array([0, 255])], "a.bin", { type: "application/x-y", lastModified: 42 });
  const fileCopy = structuredClone({ list: [file, file] });
  assert(fileCopy.list[0] === fileCopy.list[1] && fileCopy.list[0] instanceof File);
  assertEquals([fileCopy.list[0].name, fileCopy.list[0].lastModified, fileCopy.list[0].type], ["a.bin", 42, "application/x-y"]);
  assertEquals([...new Uint8Array(await fileCopy.list[0].arrayBuffer())], [0, 255]);
  // A subclass comes back as its closest serialisable class; the interfaces look standard.
  class Named extends File {}
  assertEquals(Object.getPrototypeOf(structuredClone(new Named([], "n"))), File.prototype);
  assertEquals(Object.getPrototypeOf(Blob), Function.prototype);
  assertEquals(Object.getPrototypeOf(File), Blob);
  // Blobs are serialisable, not transferable.
  assertThrows(() => structuredClone(blob, { transfer: [blob] }), "DataCloneError");
}

export async function cryptoKeysAreCloned() {
  const data = new TextEncoder().encode("signed");
  const hmac = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
  const hmacCopy = structuredClone(hmac);
  assert(hmacCopy !== hmac && hmacCopy instanceof CryptoKey);
  assertEquals([hmacCopy.type, hmacCopy.extractable, hmacCopy.usages, hmacCopy.algorithm],
               ["secret", false, ["sign", "verify"], { name: "HMAC", hash: { name: "SHA-256" }, length: 512 }]);
  const mac = await crypto.subtle.sign("HMAC", hmac, data);
  assert(await crypto.subtle.verify("HMAC", hmacCopy, mac, data));
  // A non-extractable key stays non-extractable.
  await assertRejects(crypto.subtle.exportKey("raw", hmacCopy), "InvalidAccessError");

  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  const { privateKey, publicKey } = structuredClone(pair);
  assertEquals([privateKey.type, publicKey.type, publicKey.algorithm.namedCurve], ["private", "public", "P-256"]);
  const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, privateKey, data);
  assert(await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, pair.publicKey, signature, data));
  assertEquals(new Uint8Array(await crypto.subtle.exportKey("spki", publicKey)),
               new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey)));
}
