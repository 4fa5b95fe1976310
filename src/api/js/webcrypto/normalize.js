// https://w3c.github.io/webcrypto/#algorithm-normalization : which algorithms each operation
// supports, the parameter dictionary each one takes, and "normalize an algorithm".
import { converters, isObject, makeException } from "../webidl.js";
import { isCryptoKey } from "./crypto-key.js";
import { copyBytes, fail } from "./util.js";

// ---- member types of the parameter dictionaries ----

const enforceRange = { enforceRange: true };

const types = {
  BufferSource: (v, prefix, context) => copyBytes(converters.BufferSource(v, prefix, context)),
  // BigInteger: a Uint8Array holding an unsigned big-endian integer.
  BigInteger(v, prefix, context) {
    if (!(v instanceof Uint8Array)) throw makeException(TypeError, "is not of type 'Uint8Array'.", prefix, context);
    return copyBytes(v);
  },
  HashAlgorithmIdentifier: (v, prefix, context) => toAlgorithmIdentifier(v, prefix, context),
  DOMString: converters.DOMString,
  CryptoKey(v, prefix, context) {
    if (!isCryptoKey(v)) throw makeException(TypeError, "is not of type 'CryptoKey'.", prefix, context);
    return v;
  },
  octet: (v, prefix, context) => converters.octet(v, prefix, context, enforceRange),
  "unsigned short": (v, prefix, context) => converters["unsigned short"](v, prefix, context, enforceRange),
  "unsigned long": (v, prefix, context) => converters["unsigned long"](v, prefix, context, enforceRange),
};

// Web IDL: `(object or DOMString)`.
export function toAlgorithmIdentifier(v, prefix, context) {
  return isObject(v) ? v : converters.DOMString(v, prefix, context);
}

// The dictionaries (https://w3c.github.io/webcrypto/#dfn-Algorithm and the algorithms'
// sections), each as the members it adds to its parent: [key, type, required].
const dictionaries = {
  RsaHashedKeyGenParams: [
    [["modulusLength", "unsigned long", true], ["publicExponent", "BigInteger", true]],  // RsaKeyGenParams
    [["hash", "HashAlgorithmIdentifier", true]],
  ],
  RsaHashedImportParams: [[["hash", "HashAlgorithmIdentifier", true]]],
  RsaPssParams: [[["saltLength", "unsigned long", true]]],
  RsaOaepParams: [[["label", "BufferSource", false]]],
  EcdsaParams: [[["hash", "HashAlgorithmIdentifier", true]]],
  EcKeyGenParams: [[["namedCurve", "DOMString", true]]],
  EcKeyImportParams: [[["namedCurve", "DOMString", true]]],
  EcdhKeyDeriveParams: [[["public", "CryptoKey", true]]],
  AesCtrParams: [[["counter", "BufferSource", true], ["length", "octet", true]]],
  AesKeyGenParams: [[["length", "unsigned short", true]]],
  AesDerivedKeyParams: [[["length", "unsigned short", true]]],
  AesCbcParams: [[["iv", "BufferSource", true]]],
  AesGcmParams: [[["additionalData", "BufferSource", false], ["iv", "BufferSource", true], ["tagLength", "octet", false]]],
  HmacImportParams: [[["hash", "HashAlgorithmIdentifier", true], ["length", "unsigned long", false]]],
  HmacKeyGenParams: [[["hash", "HashAlgorithmIdentifier", true], ["length", "unsigned long", false]]],
  HkdfParams: [[["hash", "HashAlgorithmIdentifier", true], ["info", "BufferSource", true], ["salt", "BufferSource", true]]],
  Pbkdf2Params: [[["hash", "HashAlgorithmIdentifier", true], ["iterations", "unsigned long", true], ["salt", "BufferSource", true]]],
  Ed448Params: [[["context", "BufferSource", false]]],
};

// ---- which algorithm takes which dictionary, per operation ----

const rsa = ["RSASSA-PKCS1-v1_5", "RSA-PSS", "RSA-OAEP"];
const aes = ["AES-CTR", "AES-CBC", "AES-GCM", "AES-KW"];
const okp = ["Ed25519", "X25519", "Ed448", "X448"];
const each = (names, dictionary) => Object.fromEntries(names.map((n) => [n, dictionary]));

// null: the operation takes no parameters beyond the name. "NODE-ED25519" is the name Workers
// gave Ed25519 before the standard one existed; it takes a namedCurve.
const supported = {
  digest: each(["SHA-1", "SHA-256", "SHA-384", "SHA-512"], null),
  generateKey: {
    ...each(rsa, "RsaHashedKeyGenParams"), ...each(["ECDSA", "ECDH"], "EcKeyGenParams"),
    ...each(aes, "AesKeyGenParams"), HMAC: "HmacKeyGenParams", ...each(okp, null),
    "NODE-ED25519": "EcKeyGenParams",
  },
  importKey: {
    ...each(rsa, "RsaHashedImportParams"), ...each(["ECDSA", "ECDH"], "EcKeyImportParams"),
    ...each(aes, null), HMAC: "HmacImportParams", ...each(["PBKDF2", "HKDF"], null), ...each(okp, null),
    "NODE-ED25519": "EcKeyImportParams",
  },
  sign: {
    "RSASSA-PKCS1-v1_5": null, "RSA-PSS": "RsaPssParams", ECDSA: "EcdsaParams", HMAC: null,
    Ed25519: null, Ed448: "Ed448Params", "NODE-ED25519": null,
  },
  encrypt: { "RSA-OAEP": "RsaOaepParams", "AES-CTR": "AesCtrParams", "AES-CBC": "AesCbcParams", "AES-GCM": "AesGcmParams" },
  wrapKey: { "AES-KW": null },
  deriveBits: { ...each(["ECDH", "X25519", "X448"], "EcdhKeyDeriveParams"), HKDF: "HkdfParams", PBKDF2: "Pbkdf2Params" },
  "get key length": { ...each(aes, "AesDerivedKeyParams"), HMAC: "HmacImportParams", HKDF: null, PBKDF2: null },
};
supported.verify = supported.sign;
supported.decrypt = supported.encrypt;
supported.unwrapKey = supported.wrapKey;

const byUpperCaseName = Object.fromEntries(Object.entries(supported).map(([op, algorithms]) => [
  op, new Map(Object.keys(algorithms).map((name) => [name.toUpperCase(), name])),
]));

function convertDictionary(levels, value, prefix, dictionaryName) {
  const out = {};
  for (const members of levels) {
    for (const [key, type, required] of members) {
      const context = `member '${key}' of '${dictionaryName}'`;
      const raw = value[key];
      if (raw !== undefined) {
        out[key] = types[type](raw, prefix, context);
      } else if (required) {
        throw makeException(TypeError, "Required member is undefined.", prefix, context);
      }
    }
  }
  return out;
}

// https://w3c.github.io/webcrypto/#dfn-normalize-an-algorithm. Returns a plain object with the
// registered (canonical) name and the converted parameters; throws TypeError for a malformed
// dictionary and NotSupportedError for an algorithm the operation does not support.
export function normalizeAlgorithm(algorithm, op, prefix) {
  if (typeof algorithm === "string") return normalizeAlgorithm({ name: algorithm }, op, prefix);
  const name = algorithm.name;
  if (name === undefined) throw makeException(TypeError, "Required member is undefined.", prefix, "member 'name' of 'Algorithm'");
  const nameString = converters.DOMString(name, prefix, "member 'name' of 'Algorithm'");
  const registered = byUpperCaseName[op].get(nameString.toUpperCase());
  if (registered === undefined) {
    fail("NotSupportedError", `Unrecognized algorithm name "${nameString}" for this operation (${op}).`);
  }
  const dictionaryName = supported[op][registered];
  const normalized = dictionaryName ? convertDictionary(dictionaries[dictionaryName], algorithm, prefix, dictionaryName) : {};
  normalized.name = registered;
  // The hash of a parameter dictionary is itself normalized, as a digest algorithm.
  if (normalized.hash !== undefined) normalized.hash = normalizeAlgorithm(normalized.hash, "digest", prefix);
  return normalized;
}
