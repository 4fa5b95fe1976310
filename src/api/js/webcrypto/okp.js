// https://w3c.github.io/webcrypto/#ed25519 and #x25519, Ed448 and X448 from the Secure Curves
// draft (https://wicg.github.io/webcrypto-secure-curves/), and Workers' older name for
// Ed25519: {name: "NODE-ED25519", namedCurve: "NODE-ED25519"}.
import { newCryptoKey } from "./crypto-key.js";
import { deriveSharedBits } from "./ec.js";
import { checkJwk, decodeBase64Url, encodeBase64Url, finishJwk, requiredBytes } from "./jwk.js";
import {
  checkUsages, fail, intersectUsages, nativeCrypto, normalizeUsages, toArrayBuffer,
} from "./util.js";

const signatureUsages = { publicUsages: ["verify"], privateUsages: ["sign"], use: "sig" };
const agreementUsages = { publicUsages: [], privateUsages: ["deriveKey", "deriveBits"], use: "enc" };

// name: the algorithm; kind: the key type (native, and the JWK "crv").
function okpAlgorithm(name, kind, { publicUsages, privateUsages, use }, operations, legacy = false) {
  const allUsages = [...publicUsages, ...privateUsages];
  const keyAlgorithm = legacy ? { name, namedCurve: name } : { name };
  const signs = publicUsages.includes("verify");

  // NODE-ED25519 names its one curve; the standard algorithms have no namedCurve.
  function checkLegacyCurve(algorithm) {
    if (legacy && algorithm.namedCurve !== name) {
      fail("NotSupportedError", `EdDSA curve "${algorithm.namedCurve}" isn't supported.`);
    }
  }

  function importJwk(jwk, extractable, usages) {
    const isPrivate = jwk.d !== undefined;
    checkUsages(usages, isPrivate ? privateUsages : publicUsages, name);
    checkJwk(jwk, { kty: "OKP", use, usages, extractable });
    if (jwk.crv !== kind) fail("DataError", `The JSON Web Key's 'crv' must be "${kind}", not ${JSON.stringify(jwk.crv ?? null)}.`);
    if (signs && jwk.alg !== undefined && jwk.alg !== kind && jwk.alg !== "EdDSA") {
      fail("DataError", `The JSON Web Key's 'alg' must be "${kind}" or "EdDSA", not "${jwk.alg}".`);
    }
    const native = nativeCrypto();
    const x = requiredBytes(jwk, "x");
    if (!isPrivate) return native.importOkpRaw(kind, x, false);
    const material = native.importOkpRaw(kind, decodeBase64Url(jwk.d, "d"), true);
    const derived = native.exportOkpRaw(material, false);
    if (derived.length !== x.length || derived.some((byte, i) => byte !== x[i])) {
      fail("DataError", "The JSON Web Key's public key 'x' does not belong to its private key 'd'.");
    }
    return material;
  }

  return {
    generateKey(algorithm, extractable, usages) {
      checkUsages(usages, allUsages, name);
      checkLegacyCurve(algorithm);
      const [publicMaterial, privateMaterial] = nativeCrypto().generateOkp(kind);
      return {
        publicKey: newCryptoKey("public", true, keyAlgorithm, intersectUsages(usages, publicUsages), publicMaterial),
        privateKey: newCryptoKey("private", extractable, keyAlgorithm, intersectUsages(usages, privateUsages), privateMaterial),
      };
    },

    importKey(format, keyData, algorithm, extractable, usages) {
      const native = nativeCrypto();
      let material;
      let type = "public";
      if (format === "spki" || format === "raw") {
        checkUsages(usages, publicUsages, name);
        checkLegacyCurve(algorithm);
        material = format === "spki" ? native.importSpki(keyData, kind) : native.importOkpRaw(kind, keyData, false);
      } else if (format === "pkcs8") {
        checkUsages(usages, privateUsages, name);
        checkLegacyCurve(algorithm);
        material = native.importPkcs8(keyData, kind);
        type = "private";
      } else if (format === "jwk") {
        checkLegacyCurve(algorithm);
        material = importJwk(keyData, extractable, usages);
        if (keyData.d !== undefined) type = "private";
      } else {
        fail("NotSupportedError", `${name} keys cannot be imported in the '${format}' format.`);
      }
      return newCryptoKey(type, extractable, keyAlgorithm, normalizeUsages(usages), material);
    },

    exportKey(format, slots) {
      const native = nativeCrypto();
      if (format === "spki" || format === "raw") {
        if (slots.type !== "public") fail("InvalidAccessError", `Only a public key can be exported as ${format === "raw" ? "raw" : "SPKI"}.`);
        return toArrayBuffer(format === "spki" ? native.exportSpki(slots.material) : native.exportOkpRaw(slots.material, false));
      }
      if (format === "pkcs8") {
        if (slots.type !== "private") fail("InvalidAccessError", "Only a private key can be exported as PKCS #8.");
        return toArrayBuffer(native.exportPkcs8(slots.material));
      }
      if (format === "jwk") {
        const jwk = { kty: "OKP", crv: kind, x: encodeBase64Url(native.exportOkpRaw(slots.material, false)) };
        if (slots.type === "private") jwk.d = encodeBase64Url(native.exportOkpRaw(slots.material, true));
        if (signs && !legacy) jwk.alg = name;
        return finishJwk(jwk, slots);
      }
      fail("NotSupportedError", `${name} keys cannot be exported in the '${format}' format.`);
    },

    ...operations,
  };
}

const eddsa = {
  sign(algorithm, slots, data) {
    if (slots.type !== "private") fail("InvalidAccessError", "Signing requires a private key.");
    if (algorithm.context?.length > 0) fail("NotSupportedError", "Ed448 signing contexts are not supported.");
    return toArrayBuffer(nativeCrypto().eddsaSign(slots.material, data));
  },
  verify(algorithm, slots, signature, data) {
    if (slots.type !== "public") fail("InvalidAccessError", "Verification requires a public key.");
    if (algorithm.context?.length > 0) fail("NotSupportedError", "Ed448 signing contexts are not supported.");
    return nativeCrypto().eddsaVerify(slots.material, signature, data);
  },
};

export const Ed25519 = okpAlgorithm("Ed25519", "Ed25519", signatureUsages, eddsa);
export const Ed448 = okpAlgorithm("Ed448", "Ed448", signatureUsages, eddsa);
export const X25519 = okpAlgorithm("X25519", "X25519", agreementUsages, { deriveBits: deriveSharedBits });
export const X448 = okpAlgorithm("X448", "X448", agreementUsages, { deriveBits: deriveSharedBits });
export const NODE_ED25519 = okpAlgorithm("NODE-ED25519", "Ed25519", signatureUsages, eddsa, true);
