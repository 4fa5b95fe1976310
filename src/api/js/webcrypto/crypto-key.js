// https://w3c.github.io/webcrypto/#cryptokey-interface
import { configureInterface, illegalConstructor, illegalInvocation, internalKey, isObject } from "../webidl.js";
import { DOMException } from "../dom-exception.js";
import { defineSerializable, newPlatformObject } from "../structured-clone.js";
import { nativeCrypto } from "./util.js";

// Key -> { type, extractable, algorithm (the internal KeyAlgorithm record; user code never sees
// this object), usages, material (the native KeyMaterial), algorithmObject, usagesObject }.
// Serialisable, so a key is a host object (newPlatformObject) and its slots cannot be #private
// fields: they would land on the `this` that the constructor discards.
const slots = new WeakMap();

function slotsOf(key) {
  const s = isObject(key) ? slots.get(key) : undefined;
  if (s === undefined) illegalInvocation();
  return s;
}

export class CryptoKey {
  constructor(key = undefined, type, extractable, algorithm, usages, material) {
    if (key !== internalKey) illegalConstructor();
    const self = newPlatformObject(new.target);
    slots.set(self, { type, extractable, algorithm, usages, material, algorithmObject: null, usagesObject: null });
    return self;
  }

  get type() {
    return slotsOf(this).type;
  }

  get extractable() {
    return slotsOf(this).extractable;
  }

  // The spec caches both objects: the same object on every read (crypto_key_cached_slots).
  get algorithm() {
    const s = slotsOf(this);
    s.algorithmObject ??= cloneAlgorithm(s.algorithm);
    return s.algorithmObject;
  }

  get usages() {
    const s = slotsOf(this);
    s.usagesObject ??= [...s.usages];
    return s.usagesObject;
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

// https://w3c.github.io/webcrypto/#cryptokey-interface-clone: a clone has the same slots and a
// copy of the key material, whether or not the key is extractable. The material travels as
// bytes: a secret as is, a private key as PKCS #8, a public one as SPKI (with its key kind).
defineSerializable(CryptoKey, "CryptoKey", {
  serialize(key) {
    const s = isObject(key) ? slots.get(key) : undefined;
    if (s === undefined) throw new DOMException("CryptoKey object could not be cloned.", "DataCloneError");
    const native = nativeCrypto();
    const material = s.type === "secret" ? native.exportSecret(s.material)
      : s.type === "private" ? native.exportPkcs8(s.material) : native.exportSpki(s.material);
    const kind = s.type === "secret" ? "secret" : native.keyDetails(s.material).kind;
    return {
      type: s.type, extractable: s.extractable, algorithm: s.algorithm, usages: s.usages,
      kind, material: new Uint8Array(material),
    };
  },
  deserialize({ type, extractable, algorithm, usages, kind, material }) {
    const native = nativeCrypto();
    const handle = type === "secret" ? native.importSecret(material)
      : type === "private" ? native.importPkcs8(material, kind) : native.importSpki(material, kind);
    return new CryptoKey(internalKey, type, extractable, algorithm, usages, handle);
  },
});

export function newCryptoKey(type, extractable, algorithm, usages, material) {
  return new CryptoKey(internalKey, type, extractable, algorithm, usages, material);
}

// The internal slots: { type, extractable, algorithm, usages, material }.
export function keySlots(key) {
  const { type, extractable, algorithm, usages, material } = slots.get(key);
  return { type, extractable, algorithm, usages, material };
}

export function isCryptoKey(value) {
  return isObject(value) && slots.has(value);
}
