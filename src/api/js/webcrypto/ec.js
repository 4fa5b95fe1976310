// https://w3c.github.io/webcrypto/#ecdsa and #ecdh, on P-256, P-384 and P-521.
import { keySlots, newCryptoKey } from "./crypto-key.js";
import { checkJwk, encodeBase64Url, finishJwk, requiredBytes } from "./jwk.js";
import {
  checkUsages, fail, intersectUsages, nativeCrypto, normalizeUsages, toArrayBuffer, truncateBits,
} from "./util.js";

const curves = ["P-256", "P-384", "P-521"];
const ecdsaJwkAlg = { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512" };

function checkCurve(namedCurve) {
  if (!curves.includes(namedCurve)) fail("NotSupportedError", `Unrecognized elliptic curve "${namedCurve}".`);
}

function ecAlgorithm(name, { publicUsages, privateUsages, use, jwkAlg, operations }) {
  const allUsages = [...publicUsages, ...privateUsages];

  function importJwk(jwk, namedCurve, extractable, usages) {
    const isPrivate = jwk.d !== undefined;
    checkUsages(usages, isPrivate ? privateUsages : publicUsages, name);
    checkCurve(namedCurve);
    checkJwk(jwk, { kty: "EC", use, usages, extractable });
    if (jwk.crv !== namedCurve) {
      fail("DataError", `The JSON Web Key's 'crv' (${JSON.stringify(jwk.crv ?? null)}) does not match the namedCurve "${namedCurve}".`);
    }
    if (jwkAlg && jwk.alg !== undefined && jwk.alg !== jwkAlg[namedCurve]) {
      fail("DataError", `The JSON Web Key's 'alg' must be "${jwkAlg[namedCurve]}" for ${namedCurve}, not "${jwk.alg}".`);
    }
    const x = requiredBytes(jwk, "x");
    const y = requiredBytes(jwk, "y");
    const d = isPrivate ? requiredBytes(jwk, "d") : undefined;
    return nativeCrypto().importEcJwk(namedCurve, x, y, d);
  }

  return {
    generateKey(algorithm, extractable, usages) {
      checkUsages(usages, allUsages, name);
      checkCurve(algorithm.namedCurve);
      const [publicMaterial, privateMaterial] = nativeCrypto().generateEc(algorithm.namedCurve);
      const keyAlg = { name, namedCurve: algorithm.namedCurve };
      return {
        publicKey: newCryptoKey("public", true, keyAlg, intersectUsages(usages, publicUsages), publicMaterial),
        privateKey: newCryptoKey("private", extractable, keyAlg, intersectUsages(usages, privateUsages), privateMaterial),
      };
    },

    importKey(format, keyData, algorithm, extractable, usages) {
      const native = nativeCrypto();
      const { namedCurve } = algorithm;
      let material;
      let type = "public";
      if (format === "spki" || format === "raw") {
        checkUsages(usages, publicUsages, name);
        checkCurve(namedCurve);
        material = format === "spki" ? native.importSpki(keyData, "ec") : native.importEcRaw(namedCurve, keyData);
      } else if (format === "pkcs8") {
        checkUsages(usages, privateUsages, name);
        checkCurve(namedCurve);
        material = native.importPkcs8(keyData, "ec");
        type = "private";
      } else if (format === "jwk") {
        material = importJwk(keyData, namedCurve, extractable, usages);
        if (keyData.d !== undefined) type = "private";
      } else {
        fail("NotSupportedError", `${name} keys cannot be imported in the '${format}' format.`);
      }
      const actual = native.keyDetails(material).namedCurve;
      if (actual !== namedCurve) fail("DataError", `The key is on curve "${actual}", not "${namedCurve}".`);
      return newCryptoKey(type, extractable, { name, namedCurve }, normalizeUsages(usages), material);
    },

    exportKey(format, slots) {
      const native = nativeCrypto();
      if (format === "spki" || format === "raw") {
        if (slots.type !== "public") fail("InvalidAccessError", `Only a public key can be exported as ${format === "raw" ? "raw" : "SPKI"}.`);
        return toArrayBuffer(format === "spki" ? native.exportSpki(slots.material) : native.exportEcRaw(slots.material));
      }
      if (format === "pkcs8") {
        if (slots.type !== "private") fail("InvalidAccessError", "Only a private key can be exported as PKCS #8.");
        return toArrayBuffer(native.exportPkcs8(slots.material));
      }
      if (format === "jwk") {
        const [x, y, d] = native.exportEcJwk(slots.material);
        const jwk = { kty: "EC", crv: slots.algorithm.namedCurve, x: encodeBase64Url(x), y: encodeBase64Url(y) };
        if (d !== undefined) jwk.d = encodeBase64Url(d);
        return finishJwk(jwk, slots);
      }
      fail("NotSupportedError", `${name} keys cannot be exported in the '${format}' format.`);
    },

    ...operations,
  };
}

// deriveBits for ECDH, X25519 and X448: the shared secret, cut to `length` bits.
export function deriveSharedBits(algorithm, slots, length) {
  if (slots.type !== "private") fail("InvalidAccessError", "Key agreement needs a private key as the base key.");
  const peer = keySlots(algorithm.public);
  if (peer.type !== "public") fail("InvalidAccessError", "The 'public' key of key agreement must be a public key.");
  if (peer.algorithm.name !== slots.algorithm.name) {
    fail("InvalidAccessError", `The public key is a ${peer.algorithm.name} key, not a ${slots.algorithm.name} key.`);
  }
  if (peer.algorithm.namedCurve !== slots.algorithm.namedCurve) {
    fail("InvalidAccessError", `The public key is on ${peer.algorithm.namedCurve}, the private key on ${slots.algorithm.namedCurve}.`);
  }
  const secret = nativeCrypto().deriveShared(slots.material, peer.material);
  return toArrayBuffer(truncateBits(secret, length, slots.algorithm.name));
}

export const ECDSA = ecAlgorithm("ECDSA", {
  publicUsages: ["verify"], privateUsages: ["sign"], use: "sig", jwkAlg: ecdsaJwkAlg,
  operations: {
    sign(algorithm, slots, data) {
      if (slots.type !== "private") fail("InvalidAccessError", "Signing requires a private key.");
      return toArrayBuffer(nativeCrypto().ecdsaSign(algorithm.hash.name, slots.material, data));
    },
    verify(algorithm, slots, signature, data) {
      if (slots.type !== "public") fail("InvalidAccessError", "Verification requires a public key.");
      return nativeCrypto().ecdsaVerify(algorithm.hash.name, slots.material, signature, data);
    },
  },
});

// ECDH ignores a JWK's "alg" (https://github.com/w3c/webcrypto/pull/401).
export const ECDH = ecAlgorithm("ECDH", {
  publicUsages: [], privateUsages: ["deriveKey", "deriveBits"], use: "enc", jwkAlg: null,
  operations: { deriveBits: deriveSharedBits },
});
