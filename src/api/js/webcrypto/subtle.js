// https://w3c.github.io/webcrypto/#subtlecrypto-interface, plus Workers' timingSafeEqual.
//
// Each method converts its arguments (Web IDL), normalizes the algorithm, checks the key
// against it, and runs the algorithm's operation (the families in this folder, which call the
// native half synchronously). The spec runs operations "in parallel"; here they run before
// the method returns, and their result or error settles the returned promise.
import {
  configureInterface, converters, createEnumConverter, createSequenceConverter, illegalConstructor,
  illegalInvocation, internalKey, isObject, methodPrefix, requiredArguments,
} from "../webidl.js";
import { isCryptoKey, keySlots } from "./crypto-key.js";
import { parseJwk, serializeJwk, toJsonWebKey } from "./jwk.js";
import { normalizeAlgorithm, toAlgorithmIdentifier } from "./normalize.js";
import { copyBytes, fail, keyUsages, nativeCrypto, toArrayBuffer } from "./util.js";
import { HMAC } from "./hmac.js";
import { AES_CBC, AES_CTR, AES_GCM, AES_KW } from "./aes.js";
import { RSA_OAEP, RSA_PSS, RSASSA_PKCS1_v1_5 } from "./rsa.js";
import { ECDH, ECDSA } from "./ec.js";
import { Ed25519, Ed448, NODE_ED25519, X25519, X448 } from "./okp.js";
import { HKDF, PBKDF2 } from "./kdf.js";

// Registered name -> its operations.
const algorithms = {
  HMAC, "AES-CTR": AES_CTR, "AES-CBC": AES_CBC, "AES-GCM": AES_GCM, "AES-KW": AES_KW,
  "RSASSA-PKCS1-v1_5": RSASSA_PKCS1_v1_5, "RSA-PSS": RSA_PSS, "RSA-OAEP": RSA_OAEP, ECDSA, ECDH,
  Ed25519, Ed448, X25519, X448, "NODE-ED25519": NODE_ED25519, PBKDF2, HKDF,
};

const toKeyFormat = createEnumConverter("KeyFormat", ["raw", "spki", "pkcs8", "jwk"]);
const toKeyUsages = createSequenceConverter(createEnumConverter("KeyUsage", keyUsages));

function toCryptoKey(value, prefix, context) {
  if (!isCryptoKey(value)) throw new TypeError(`${prefix}: ${context} is not of type 'CryptoKey'.`);
  return value;
}

function toBytes(value, prefix, context) {
  return copyBytes(converters.BufferSource(value, prefix, context));
}

// `(BufferSource or JsonWebKey)`
function toKeyData(value, prefix, context) {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return toBytes(value, prefix, context);
  return toJsonWebKey(value, prefix, context);
}

// The key must be for this algorithm and allow this usage (InvalidAccessError otherwise).
function checkKey(algorithm, key, usage) {
  const slots = keySlots(key);
  if (slots.algorithm.name !== algorithm.name) {
    fail("InvalidAccessError", `The key is for ${slots.algorithm.name}, not ${algorithm.name}.`);
  }
  if (!slots.usages.includes(usage)) fail("InvalidAccessError", `The key does not allow the '${usage}' usage.`);
  return slots;
}

// The algorithm's implementation of an operation; the normalization tables only let
// algorithms through that have it.
function operation(algorithm, op) {
  return algorithms[algorithm.name][op].bind(algorithms[algorithm.name]);
}

// "If the [[type]] of result is "secret" or "private" and usages is empty, throw a SyntaxError."
function checkNotUseless(key) {
  const { type, usages } = keySlots(key);
  if ((type === "secret" || type === "private") && usages.length === 0) {
    fail("SyntaxError", `A ${type} key needs at least one usage.`);
  }
  return key;
}

function importKeyWith(format, keyData, algorithm, extractable, usages) {
  if (format === "jwk" ? keyData instanceof Uint8Array : !(keyData instanceof Uint8Array)) {
    throw new TypeError(format === "jwk" ? "The 'jwk' format needs a JsonWebKey, not a BufferSource."
      : `The '${format}' format needs a BufferSource, not a JsonWebKey.`);
  }
  return checkNotUseless(operation(algorithm, "importKey")(format, keyData, algorithm, extractable, usages));
}

function exportKeyOf(format, key) {
  const slots = keySlots(key);
  const algorithm = algorithms[slots.algorithm.name];
  if (!algorithm.exportKey) fail("NotSupportedError", `${slots.algorithm.name} keys cannot be exported.`);
  if (!slots.extractable) fail("InvalidAccessError", "The key is not extractable.");
  return algorithm.exportKey(format, slots);
}

// Normalizes for `op`, or for `fallback` when the algorithm does not support `op` (wrapKey
// with an encryption algorithm).
function normalizeWithFallback(algorithm, op, fallback, prefix) {
  try {
    return normalizeAlgorithm(algorithm, op, prefix);
  } catch (error) {
    if (error?.name !== "NotSupportedError") throw error;
    return normalizeAlgorithm(algorithm, fallback, prefix);
  }
}

let brand;

export class SubtleCrypto {
  #brand;

  constructor(key = undefined) {
    if (key !== internalKey) illegalConstructor();
  }

  static {
    brand = (value) => isObject(value) && #brand in value;
  }

  encrypt(algorithm, key, data) {
    return settle(this, "encrypt", arguments.length, 3, (prefix) => {
      algorithm = toAlgorithmIdentifier(algorithm, prefix, "parameter 1");
      key = toCryptoKey(key, prefix, "parameter 2");
      data = toBytes(data, prefix, "parameter 3");
      const normalized = normalizeAlgorithm(algorithm, "encrypt", prefix);
      return operation(normalized, "encrypt")(normalized, checkKey(normalized, key, "encrypt"), data);
    });
  }

  decrypt(algorithm, key, data) {
    return settle(this, "decrypt", arguments.length, 3, (prefix) => {
      algorithm = toAlgorithmIdentifier(algorithm, prefix, "parameter 1");
      key = toCryptoKey(key, prefix, "parameter 2");
      data = toBytes(data, prefix, "parameter 3");
      const normalized = normalizeAlgorithm(algorithm, "decrypt", prefix);
      return operation(normalized, "decrypt")(normalized, checkKey(normalized, key, "decrypt"), data);
    });
  }

  sign(algorithm, key, data) {
    return settle(this, "sign", arguments.length, 3, (prefix) => {
      algorithm = toAlgorithmIdentifier(algorithm, prefix, "parameter 1");
      key = toCryptoKey(key, prefix, "parameter 2");
      data = toBytes(data, prefix, "parameter 3");
      const normalized = normalizeAlgorithm(algorithm, "sign", prefix);
      return operation(normalized, "sign")(normalized, checkKey(normalized, key, "sign"), data);
    });
  }

  verify(algorithm, key, signature, data) {
    return settle(this, "verify", arguments.length, 4, (prefix) => {
      algorithm = toAlgorithmIdentifier(algorithm, prefix, "parameter 1");
      key = toCryptoKey(key, prefix, "parameter 2");
      signature = toBytes(signature, prefix, "parameter 3");
      data = toBytes(data, prefix, "parameter 4");
      const normalized = normalizeAlgorithm(algorithm, "verify", prefix);
      return operation(normalized, "verify")(normalized, checkKey(normalized, key, "verify"), signature, data);
    });
  }

  digest(algorithm, data) {
    return settle(this, "digest", arguments.length, 2, (prefix) => {
      algorithm = toAlgorithmIdentifier(algorithm, prefix, "parameter 1");
      data = toBytes(data, prefix, "parameter 2");
      const normalized = normalizeAlgorithm(algorithm, "digest", prefix);
      return toArrayBuffer(nativeCrypto().digest(normalized.name, data));
    });
  }

  generateKey(algorithm, extractable, keyUsages) {
    return settle(this, "generateKey", arguments.length, 3, (prefix) => {
      algorithm = toAlgorithmIdentifier(algorithm, prefix, "parameter 1");
      extractable = converters.boolean(extractable);
      keyUsages = toKeyUsages(keyUsages, prefix, "parameter 3");
      const normalized = normalizeAlgorithm(algorithm, "generateKey", prefix);
      const result = operation(normalized, "generateKey")(normalized, extractable, keyUsages);
      checkNotUseless(isCryptoKey(result) ? result : result.privateKey);
      return result;
    });
  }

  deriveKey(algorithm, baseKey, derivedKeyType, extractable, keyUsages) {
    return settle(this, "deriveKey", arguments.length, 5, (prefix) => {
      algorithm = toAlgorithmIdentifier(algorithm, prefix, "parameter 1");
      baseKey = toCryptoKey(baseKey, prefix, "parameter 2");
      derivedKeyType = toAlgorithmIdentifier(derivedKeyType, prefix, "parameter 3");
      extractable = converters.boolean(extractable);
      keyUsages = toKeyUsages(keyUsages, prefix, "parameter 5");
      const normalized = normalizeAlgorithm(algorithm, "deriveBits", prefix);
      const importAlgorithm = normalizeAlgorithm(derivedKeyType, "importKey", prefix);
      const lengthAlgorithm = normalizeAlgorithm(derivedKeyType, "get key length", prefix);
      const slots = checkKey(normalized, baseKey, "deriveKey");
      const length = operation(lengthAlgorithm, "getKeyLength")(lengthAlgorithm);
      const secret = operation(normalized, "deriveBits")(normalized, slots, length);
      return importKeyWith("raw", new Uint8Array(secret), importAlgorithm, extractable, keyUsages);
    });
  }

  deriveBits(algorithm, baseKey, length = null) {
    return settle(this, "deriveBits", arguments.length, 2, (prefix) => {
      algorithm = toAlgorithmIdentifier(algorithm, prefix, "parameter 1");
      baseKey = toCryptoKey(baseKey, prefix, "parameter 2");
      // `optional unsigned long? length = null`
      length = length === null || length === undefined ? null : converters["unsigned long"](length, prefix, "parameter 3");
      const normalized = normalizeAlgorithm(algorithm, "deriveBits", prefix);
      return operation(normalized, "deriveBits")(normalized, checkKey(normalized, baseKey, "deriveBits"), length);
    });
  }

  importKey(format, keyData, algorithm, extractable, keyUsages) {
    return settle(this, "importKey", arguments.length, 5, (prefix) => {
      format = toKeyFormat(format, prefix, "parameter 1");
      keyData = toKeyData(keyData, prefix, "parameter 2");
      algorithm = toAlgorithmIdentifier(algorithm, prefix, "parameter 3");
      extractable = converters.boolean(extractable);
      keyUsages = toKeyUsages(keyUsages, prefix, "parameter 5");
      const normalized = normalizeAlgorithm(algorithm, "importKey", prefix);
      return importKeyWith(format, keyData, normalized, extractable, keyUsages);
    });
  }

  exportKey(format, key) {
    return settle(this, "exportKey", arguments.length, 2, (prefix) => {
      format = toKeyFormat(format, prefix, "parameter 1");
      key = toCryptoKey(key, prefix, "parameter 2");
      return exportKeyOf(format, key);
    });
  }

  wrapKey(format, key, wrappingKey, wrapAlgorithm) {
    return settle(this, "wrapKey", arguments.length, 4, (prefix) => {
      format = toKeyFormat(format, prefix, "parameter 1");
      key = toCryptoKey(key, prefix, "parameter 2");
      wrappingKey = toCryptoKey(wrappingKey, prefix, "parameter 3");
      wrapAlgorithm = toAlgorithmIdentifier(wrapAlgorithm, prefix, "parameter 4");
      const normalized = normalizeWithFallback(wrapAlgorithm, "wrapKey", "encrypt", prefix);
      const slots = checkKey(normalized, wrappingKey, "wrapKey");
      const exported = exportKeyOf(format, key);
      const bytes = format === "jwk" ? serializeJwk(exported) : new Uint8Array(exported);
      const implementation = algorithms[normalized.name];
      const wrap = implementation.wrapKey ?? implementation.encrypt;
      return wrap.call(implementation, normalized, slots, bytes);
    });
  }

  unwrapKey(format, wrappedKey, unwrappingKey, unwrapAlgorithm, unwrappedKeyAlgorithm, extractable, keyUsages) {
    return settle(this, "unwrapKey", arguments.length, 7, (prefix) => {
      format = toKeyFormat(format, prefix, "parameter 1");
      wrappedKey = toBytes(wrappedKey, prefix, "parameter 2");
      unwrappingKey = toCryptoKey(unwrappingKey, prefix, "parameter 3");
      unwrapAlgorithm = toAlgorithmIdentifier(unwrapAlgorithm, prefix, "parameter 4");
      unwrappedKeyAlgorithm = toAlgorithmIdentifier(unwrappedKeyAlgorithm, prefix, "parameter 5");
      extractable = converters.boolean(extractable);
      keyUsages = toKeyUsages(keyUsages, prefix, "parameter 7");
      const normalized = normalizeWithFallback(unwrapAlgorithm, "unwrapKey", "decrypt", prefix);
      const importAlgorithm = normalizeAlgorithm(unwrappedKeyAlgorithm, "importKey", prefix);
      const slots = checkKey(normalized, unwrappingKey, "unwrapKey");
      const implementation = algorithms[normalized.name];
      const unwrap = implementation.unwrapKey ?? implementation.decrypt;
      const bytes = new Uint8Array(unwrap.call(implementation, normalized, slots, wrappedKey));
      const keyData = format === "jwk" ? parseJwk(bytes) : bytes;
      return importKeyWith(format, keyData, importAlgorithm, extractable, keyUsages);
    });
  }

  // Cloudflare Workers' extension: constant-time comparison of two equally long buffers.
  // https://developers.cloudflare.com/workers/runtime-apis/web-crypto/#timingsafeequal
  timingSafeEqual(a, b) {
    if (!brand(this)) illegalInvocation();
    const prefix = methodPrefix("SubtleCrypto", "timingSafeEqual");
    requiredArguments(arguments.length, 2, prefix);
    a = converters.BufferSource(a, prefix, "parameter 1");
    b = converters.BufferSource(b, prefix, "parameter 2");
    return nativeCrypto().timingSafeEqual(a, b);
  }
}
configureInterface(SubtleCrypto, "SubtleCrypto");

// Runs a method's steps; anything they throw (argument conversion included, as Web IDL says
// for promise-returning operations) rejects the returned promise.
function settle(self, method, present, required, steps) {
  try {
    if (!brand(self)) illegalInvocation();
    const prefix = methodPrefix("SubtleCrypto", method);
    requiredArguments(present, required, prefix);
    return Promise.resolve(steps(prefix));
  } catch (error) {
    return Promise.reject(error);
  }
}

export const subtle = new SubtleCrypto(internalKey);
