// https://w3c.github.io/webcrypto/#cryptokey-interface
import { configureInterface, illegalConstructor, illegalInvocation, internalKey, isObject } from "../webidl.js";

let readSlots;
let hasBrand;

export class CryptoKey {
  #type;
  #extractable;
  #algorithm;  // the internal KeyAlgorithm record; user code never sees this object
  #usages;
  #material;   // the native KeyMaterial
  #algorithmObject;
  #usagesObject;

  constructor(key = undefined, type, extractable, algorithm, usages, material) {
    if (key !== internalKey) illegalConstructor();
    this.#type = type;
    this.#extractable = extractable;
    this.#algorithm = algorithm;
    this.#usages = usages;
    this.#material = material;
  }

  get type() {
    if (!isObject(this) || !(#type in this)) illegalInvocation();
    return this.#type;
  }

  get extractable() {
    if (!isObject(this) || !(#type in this)) illegalInvocation();
    return this.#extractable;
  }

  // The spec caches both objects: the same object on every read (crypto_key_cached_slots).
  get algorithm() {
    if (!isObject(this) || !(#type in this)) illegalInvocation();
    this.#algorithmObject ??= cloneAlgorithm(this.#algorithm);
    return this.#algorithmObject;
  }

  get usages() {
    if (!isObject(this) || !(#type in this)) illegalInvocation();
    this.#usagesObject ??= [...this.#usages];
    return this.#usagesObject;
  }

  static {
    readSlots = (key) => ({
      type: key.#type, extractable: key.#extractable, algorithm: key.#algorithm, usages: key.#usages,
      material: key.#material,
    });
    hasBrand = (value) => isObject(value) && #type in value;
  }
}
configureInterface(CryptoKey, "CryptoKey");

// A KeyAlgorithm dictionary as JS sees it: fresh objects all the way down.
function cloneAlgorithm(algorithm) {
  const out = {};
  for (const [name, value] of Object.entries(algorithm)) {
    if (value instanceof Uint8Array) out[name] = new Uint8Array(value);
    else if (isObject(value)) out[name] = cloneAlgorithm(value);
    else out[name] = value;
  }
  return out;
}

export function newCryptoKey(type, extractable, algorithm, usages, material) {
  return new CryptoKey(internalKey, type, extractable, algorithm, usages, material);
}

// The internal slots: { type, extractable, algorithm, usages, material }.
export function keySlots(key) {
  return readSlots(key);
}

export function isCryptoKey(value) {
  return hasBrand(value);
}
