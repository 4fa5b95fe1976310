// https://w3c.github.io/webcrypto/#aes-ctr, #aes-cbc, #aes-gcm, #aes-kw
import { newCryptoKey } from "./crypto-key.js";
import { checkJwk, encodeBase64Url, finishJwk, requiredBytes } from "./jwk.js";
import { checkUsages, fail, nativeCrypto, normalizeUsages, toArrayBuffer } from "./util.js";

const lengths = [128, 192, 256];
const gcmTagLengths = [32, 64, 96, 104, 112, 120, 128];

function checkLength(length, name, error) {
  if (!lengths.includes(length)) fail(error, `${name} keys must be 128, 192 or 256 bits long, not ${length}.`);
}

function aesAlgorithm(name, usagesAllowed, modes) {
  const suffix = name.slice(4);  // the JWK "alg" is A128CTR, A256KW, ...
  const makeKey = (extractable, usages, length, material) =>
    newCryptoKey("secret", extractable, { name, length }, normalizeUsages(usages), material);
  return {
    generateKey(algorithm, extractable, usages) {
      checkUsages(usages, usagesAllowed, name);
      checkLength(algorithm.length, name, "OperationError");
      return makeKey(extractable, usages, algorithm.length, nativeCrypto().generateSecret(algorithm.length / 8));
    },

    importKey(format, keyData, algorithm, extractable, usages) {
      checkUsages(usages, usagesAllowed, name);
      let bytes;
      if (format === "raw") {
        bytes = keyData;
        checkLength(bytes.length * 8, name, "DataError");
      } else if (format === "jwk") {
        if (keyData.kty !== "oct") fail("DataError", `The JSON Web Key's 'kty' must be "oct" for ${name}.`);
        bytes = requiredBytes(keyData, "k");
        checkLength(bytes.length * 8, name, "DataError");
        const alg = `A${bytes.length * 8}${suffix}`;
        if (keyData.alg !== undefined && keyData.alg !== alg) {
          fail("DataError", `The JSON Web Key's 'alg' must be "${alg}", not "${keyData.alg}".`);
        }
        checkJwk(keyData, { kty: "oct", use: "enc", usages, extractable });
      } else {
        fail("NotSupportedError", `${name} keys cannot be imported in the '${format}' format.`);
      }
      return makeKey(extractable, usages, bytes.length * 8, nativeCrypto().importSecret(bytes));
    },

    exportKey(format, slots) {
      const bytes = nativeCrypto().exportSecret(slots.material);
      if (format === "raw") return toArrayBuffer(bytes);
      if (format === "jwk") {
        return finishJwk({ kty: "oct", k: encodeBase64Url(bytes), alg: `A${bytes.length * 8}${suffix}` }, slots);
      }
      fail("NotSupportedError", `${name} keys cannot be exported in the '${format}' format.`);
    },

    getKeyLength(algorithm) {
      checkLength(algorithm.length, name, "OperationError");
      return algorithm.length;
    },

    ...modes,
  };
}

const cipherUsages = ["encrypt", "decrypt", "wrapKey", "unwrapKey"];

function cbc(encrypt) {
  return (algorithm, slots, data) => {
    if (algorithm.iv.length !== 16) fail("OperationError", "The AES-CBC iv must be 16 bytes long.");
    return toArrayBuffer(nativeCrypto().aesCbc(encrypt, slots.material, algorithm.iv, data));
  };
}

function ctr(encrypt) {
  return (algorithm, slots, data) => {
    if (algorithm.counter.length !== 16) fail("OperationError", "The AES-CTR counter must be 16 bytes long.");
    if (algorithm.length === 0 || algorithm.length > 128) {
      fail("OperationError", "The AES-CTR length must be between 1 and 128 bits.");
    }
    return toArrayBuffer(nativeCrypto().aesCtr(encrypt, slots.material, algorithm.counter, algorithm.length, data));
  };
}

function gcm(encrypt) {
  return (algorithm, slots, data) => {
    const tagLength = algorithm.tagLength ?? 128;
    if (!gcmTagLengths.includes(tagLength)) {
      fail("OperationError", `The AES-GCM tagLength must be one of ${gcmTagLengths.join(", ")}, not ${tagLength}.`);
    }
    if (!encrypt && data.length * 8 < tagLength) fail("OperationError", "The data is shorter than the AES-GCM tag.");
    const additionalData = algorithm.additionalData ?? new Uint8Array(0);
    return toArrayBuffer(nativeCrypto().aesGcm(encrypt, slots.material, algorithm.iv, additionalData, tagLength, data));
  };
}

function kw(wrap) {
  return (algorithm, slots, data) => toArrayBuffer(nativeCrypto().aesKw(wrap, slots.material, data));
}

export const AES_CTR = aesAlgorithm("AES-CTR", cipherUsages, { encrypt: ctr(true), decrypt: ctr(false) });
export const AES_CBC = aesAlgorithm("AES-CBC", cipherUsages, { encrypt: cbc(true), decrypt: cbc(false) });
export const AES_GCM = aesAlgorithm("AES-GCM", cipherUsages, { encrypt: gcm(true), decrypt: gcm(false) });
export const AES_KW = aesAlgorithm("AES-KW", ["wrapKey", "unwrapKey"], { wrapKey: kw(true), unwrapKey: kw(false) });
