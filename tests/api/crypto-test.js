// crypto.getRandomValues() and crypto.randomUUID() (https://w3c.github.io/webcrypto/#crypto-interface).
import { assert, assertEquals, assertMatch, assertNotEquals, assertThrows } from "wisp:test";

export function getRandomValuesFillsInPlace() {
  const array = new Uint8Array(64);
  const result = crypto.getRandomValues(array);
  assert(result === array);
  assert(array.some((b) => b !== 0));  // 64 zero bytes: chance 2^-512
  for (const Type of [Int8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, BigInt64Array, BigUint64Array]) {
    const view = new Type(4);
    assert(crypto.getRandomValues(view) === view, Type.name);
  }
  assertEquals(crypto.getRandomValues(new Uint8Array(0)).length, 0);
}

export function getRandomValuesRespectsViewBounds() {
  const buffer = new Uint8Array(16);
  crypto.getRandomValues(new Uint8Array(buffer.buffer, 4, 8));
  assertEquals([...buffer.slice(0, 4), ...buffer.slice(12)], [0, 0, 0, 0, 0, 0, 0, 0]);
}

export function getRandomValuesRejectsNonIntegerArrays() {
  for (const view of [new Float32Array(1), new Float64Array(1), new DataView(new ArrayBuffer(1))]) {
    const error = assertThrows(() => crypto.getRandomValues(view), "TypeMismatchError");
    assert(error instanceof DOMException);
  }
  assertThrows(() => crypto.getRandomValues(new ArrayBuffer(1)), TypeError);
  assertThrows(() => crypto.getRandomValues([1, 2]), TypeError);
  assertThrows(() => crypto.getRandomValues(), TypeError, "1 argument required, but only 0 present.");
}

export function getRandomValuesQuota() {
  crypto.getRandomValues(new Uint8Array(65536));
  crypto.getRandomValues(new Uint32Array(16384));
  assertThrows(() => crypto.getRandomValues(new Uint8Array(65537)), "QuotaExceededError");
  assertThrows(() => crypto.getRandomValues(new Uint16Array(32769)), "QuotaExceededError");
}

export function randomUUIDIsVersion4() {
  const uuid = crypto.randomUUID();
  assertMatch(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assertNotEquals(uuid, crypto.randomUUID());
}

export function cryptoIsBranded() {
  assert(crypto instanceof Crypto);
  assertThrows(() => new Crypto(), TypeError, "Illegal constructor");
  assertThrows(() => crypto.getRandomValues.call({}, new Uint8Array(1)), TypeError, "Illegal invocation");
  assertThrows(() => Crypto.prototype.randomUUID.call(undefined), TypeError, "Illegal invocation");
  assertEquals(Object.prototype.toString.call(crypto), "[object Crypto]");
  assert(crypto.subtle instanceof SubtleCrypto && crypto.subtle === crypto.subtle);
  assertThrows(() => Reflect.get(Crypto.prototype, "subtle", {}), TypeError, "Illegal invocation");
}

export function performanceAndNavigator() {
  assert(performance instanceof Performance);
  const now = performance.now();
  assert(typeof now === "number" && now >= 0);
  assert(Math.abs(performance.timeOrigin + now - Date.now()) < 1000);
  assertEquals(performance.toJSON(), { timeOrigin: performance.timeOrigin });
  assertThrows(() => new Performance(), TypeError, "Illegal constructor");
  assert(navigator instanceof Navigator);
  assertEquals(navigator.userAgent, "Cloudflare-Workers");
  assertEquals(navigator.hardwareConcurrency, 1);
  assertThrows(() => new Navigator(), TypeError, "Illegal constructor");
}
