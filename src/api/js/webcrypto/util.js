// Small pieces every WebCrypto algorithm uses: the spec's errors, usages, byte copies.
import { ops } from "../ops.js";
import { DOMException } from "../dom-exception.js";

let native;
// The native operations (src/api/crypto/webcrypto.h), created on first use.
export function nativeCrypto() {
  native ??= ops.webcrypto();
  return native;
}

// Throws the DOMException called `name` (NotSupportedError, SyntaxError, InvalidAccessError,
// DataError, OperationError).
export function fail(name, message) {
  throw new DOMException(message, name);
}

// https://w3c.github.io/webcrypto/#dfn-KeyUsage, in the enumeration's order: usage lists are
// kept deduplicated and in this order ("usage intersection").
export const keyUsages = ["encrypt", "decrypt", "sign", "verify", "deriveKey", "deriveBits", "wrapKey", "unwrapKey"];

export function normalizeUsages(usages) {
  return keyUsages.filter((usage) => usages.includes(usage));
}

export function intersectUsages(usages, allowed) {
  return keyUsages.filter((usage) => usages.includes(usage) && allowed.includes(usage));
}

// "If usages contains an entry which is not one of `allowed`, throw a SyntaxError."
export function checkUsages(usages, allowed, algorithm) {
  for (const usage of usages) {
    if (!allowed.includes(usage)) {
      const list = allowed.length === 0 ? "none" : allowed.map((u) => `'${u}'`).join(", ");
      fail("SyntaxError", `Unsupported key usage '${usage}' for this ${algorithm} key (allowed: ${list}).`);
    }
  }
}

// A copy of the bytes of an ArrayBuffer or view (the spec copies every BufferSource it is given).
export function copyBytes(source) {
  if (source.byteLength === 0) return new Uint8Array(0);  // also a detached buffer
  if (ArrayBuffer.isView(source)) {
    return new Uint8Array(source.buffer.slice(source.byteOffset, source.byteOffset + source.byteLength));
  }
  return new Uint8Array(source.slice(0));
}

// The ArrayBuffer of a Uint8Array that native code made (it owns its whole buffer).
export function toArrayBuffer(bytes) {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes.buffer
    : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

// The first `bits` bits of `bytes` (https://w3c.github.io/webcrypto/#ecdh-operations, deriveBits).
export function truncateBits(bytes, bits, algorithm) {
  if (bits === null) return bytes;
  if (bits > bytes.length * 8) {
    fail("OperationError", `The requested length (${bits} bits) exceeds the ${bytes.length * 8} bits ${algorithm} derives.`);
  }
  const out = bytes.slice(0, Math.ceil(bits / 8));
  if (bits % 8 !== 0) out[out.length - 1] &= 0xff << (8 - (bits % 8));
  return out;
}
