// https://w3c.github.io/webcrypto/#pbkdf2 and #hkdf: keys that only derive.
import { newCryptoKey } from "./crypto-key.js";
import { checkUsages, fail, nativeCrypto, normalizeUsages, toArrayBuffer } from "./util.js";

function kdfAlgorithm(name, derive) {
  return {
    importKey(format, keyData, algorithm, extractable, usages) {
      if (format !== "raw") fail("NotSupportedError", `${name} keys can only be imported in the 'raw' format.`);
      checkUsages(usages, ["deriveKey", "deriveBits"], name);
      if (extractable) fail("SyntaxError", `${name} keys cannot be extractable.`);
      return newCryptoKey("secret", false, { name }, normalizeUsages(usages), nativeCrypto().importSecret(keyData));
    },

    getKeyLength() {
      return null;
    },

    deriveBits(algorithm, slots, length) {
      if (length === null) fail("OperationError", `${name} needs the length of the bits to derive.`);
      if (length % 8 !== 0) fail("OperationError", `${name} can only derive a multiple of 8 bits, not ${length}.`);
      return toArrayBuffer(derive(algorithm, slots, length));
    },
  };
}

const maxPbkdf2Iterations = 100000;

export const PBKDF2 = kdfAlgorithm("PBKDF2", (algorithm, slots, length) => {
  if (algorithm.iterations === 0) fail("OperationError", "PBKDF2 needs at least one iteration.");
  // Cloudflare's limit, which bounds the CPU one call can take.
  if (algorithm.iterations > maxPbkdf2Iterations) {
    fail("NotSupportedError", `Pbkdf2 failed: iteration counts above ${maxPbkdf2Iterations} are not supported (requested ${algorithm.iterations}).`);
  }
  return nativeCrypto().pbkdf2(algorithm.hash.name, slots.material, algorithm.salt, algorithm.iterations, length);
});

export const HKDF = kdfAlgorithm("HKDF", (algorithm, slots, length) =>
  nativeCrypto().hkdf(algorithm.hash.name, slots.material, algorithm.salt, algorithm.info, length));
