// https://w3c.github.io/webcrypto/#crypto-interface. `subtle` lives in the lazy area
// "webcrypto" (src/api/js/webcrypto/), loaded the first time it is read.
import { ops } from "./ops.js";
import { loadArea } from "./lazy.js";
import { DOMException } from "./dom-exception.js";
import {
  configureInterface, converters, illegalConstructor, illegalInvocation, internalKey, isObject,
  methodPrefix, requiredArguments,
} from "./webidl.js";

const integerArrays = new Set([
  "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array",
  "Uint32Array", "BigInt64Array", "BigUint64Array",
]);
// The real class of a typed array (undefined for anything else); Symbol.toStringTag on the
// object itself could lie.
const typedArrayName = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag).get;

export class Crypto {
  #brand;

  constructor(key = undefined) {
    if (key !== internalKey) illegalConstructor();
  }

  get subtle() {
    if (!isObject(this) || !(#brand in this)) illegalInvocation();
    return loadArea("webcrypto").subtle;
  }

  getRandomValues(array) {
    if (!isObject(this) || !(#brand in this)) illegalInvocation();
    const prefix = methodPrefix("Crypto", "getRandomValues");
    requiredArguments(arguments.length, 1, prefix);
    converters.ArrayBufferView(array, prefix, "parameter 1");
    const type = Reflect.apply(typedArrayName, array, []);
    if (!integerArrays.has(type)) {
      throw new DOMException(`${prefix}: The provided ArrayBufferView is of type '${type ?? "DataView"}', which is not an integer array type.`, "TypeMismatchError");
    }
    if (array.byteLength > 65536) {
      throw new DOMException(`${prefix}: The ArrayBufferView's byte length (${array.byteLength}) exceeds the number of bytes of entropy available via this API (65536).`, "QuotaExceededError");
    }
    ops.fillRandom(array);
    return array;
  }

  // https://w3c.github.io/webcrypto/#dfn-Crypto-method-randomUUID (version 4)
  randomUUID() {
    if (!isObject(this) || !(#brand in this)) illegalInvocation();
    const bytes = new Uint8Array(16);
    ops.fillRandom(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}
configureInterface(Crypto, "Crypto");

export const crypto = new Crypto(internalKey);
