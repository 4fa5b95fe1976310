// structuredClone() (https://html.spec.whatwg.org/#dom-structuredclone).
import { assert, assertEquals, assertThrows } from "wisp:test";

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
}

export function transferDetachesTheBuffer() {
  const buffer = new Uint8Array([1, 2, 3]).buffer;
  const copy = structuredClone(buffer, { transfer: [buffer] });
  assertEquals(buffer.byteLength, 0);
  assertEquals([...new Uint8Array(copy)], [1, 2, 3]);
  const other = new ArrayBuffer(2);
  structuredClone(other, { transfer: new Set([other]) });  // any iterable
  assertEquals(other.byteLength, 0);
}

export function argumentChecks() {
  assertThrows(() => structuredClone(), TypeError, "1 argument required, but only 0 present.");
  assertThrows(() => structuredClone(1, { transfer: 5 }), TypeError);
  assertEquals(structuredClone(undefined), undefined);
  assertEquals(structuredClone(1, null), 1);
}
