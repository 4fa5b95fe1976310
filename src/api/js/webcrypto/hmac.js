// https://w3c.github.io/webcrypto/#hmac
import { newCryptoKey } from "./crypto-key.js";
import { checkJwk, encodeBase64Url, finishJwk, requiredBytes } from "./jwk.js";
import { checkUsages, fail, nativeCrypto, normalizeUsages, toArrayBuffer } from "./util.js";

const usagesAllowed = ["sign", "verify"];

// The hash's block size: the key length when none is given.
function blockBits(hash) {
  return hash.name === "SHA-384" || hash.name === "SHA-512" ? 1024 : 512;
}

const jwkAlg = { "SHA-1": "HS1", "SHA-256": "HS256", "SHA-384": "HS384", "SHA-512": "HS512" };

function makeKey(extractable, usages, hash, length, material) {
  return newCryptoKey("secret", extractable, { name: "HMAC", length, hash: { name: hash.name } },
    normalizeUsages(usages), material);
}

export const HMAC = {
  generateKey(algorithm, extractable, usages) {
    checkUsages(usages, usagesAllowed, "HMAC");
    const length = algorithm.length ?? blockBits(algorithm.hash);
    if (length === 0) fail("OperationError", "The HMAC key length must not be zero.");
    const material = nativeCrypto().generateSecret(Math.ceil(length / 8));
    return makeKey(extractable, usages, algorithm.hash, length, material);
  },

  importKey(format, keyData, algorithm, extractable, usages) {
    checkUsages(usages, usagesAllowed, "HMAC");
    let bytes;
    if (format === "raw") {
      bytes = keyData;
    } else if (format === "jwk") {
      if (keyData.kty !== "oct") fail("DataError", `The JSON Web Key's 'kty' must be "oct" for HMAC.`);
      bytes = requiredBytes(keyData, "k");
      if (keyData.alg !== undefined && keyData.alg !== jwkAlg[algorithm.hash.name]) {
        fail("DataError", `The JSON Web Key's 'alg' ("${keyData.alg}") does not match the hash ${algorithm.hash.name}.`);
      }
      checkJwk(keyData, { kty: "oct", use: "sig", usages, extractable });
    } else {
      fail("NotSupportedError", `HMAC keys cannot be imported in the '${format}' format.`);
    }
    let length = bytes.length * 8;
    if (length === 0) fail("DataError", "The HMAC key must not be empty.");
    if (algorithm.length !== undefined) {
      if (algorithm.length > length || algorithm.length <= length - 8) {
        fail("DataError", `The HMAC length (${algorithm.length} bits) does not match the key data (${length} bits).`);
      }
      length = algorithm.length;
    }
    return makeKey(extractable, usages, algorithm.hash, length, nativeCrypto().importSecret(bytes));
  },

  exportKey(format, slots) {
    const bytes = nativeCrypto().exportSecret(slots.material);
    if (format === "raw") return toArrayBuffer(bytes);
    if (format === "jwk") {
      return finishJwk({ kty: "oct", k: encodeBase64Url(bytes), alg: jwkAlg[slots.algorithm.hash.name] }, slots);
    }
    fail("NotSupportedError", `HMAC keys cannot be exported in the '${format}' format.`);
  },

  sign(algorithm, slots, data) {
    return toArrayBuffer(nativeCrypto().hmacSign(slots.algorithm.hash.name, slots.material, data));
  },

  verify(algorithm, slots, signature, data) {
    return nativeCrypto().hmacVerify(slots.algorithm.hash.name, slots.material, signature, data);
  },

  getKeyLength(algorithm) {
    if (algorithm.length === undefined) return blockBits(algorithm.hash);
    if (algorithm.length === 0) throw new TypeError("The HMAC key length must not be zero.");
    return algorithm.length;
  },
};
