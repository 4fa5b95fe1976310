// https://w3c.github.io/webcrypto/#rsassa-pkcs1, #rsa-pss, #rsa-oaep
import { newCryptoKey } from "./crypto-key.js";
import { checkJwk, decodeBase64Url, encodeBase64Url, finishJwk, requiredBytes } from "./jwk.js";
import { checkUsages, fail, intersectUsages, nativeCrypto, normalizeUsages, toArrayBuffer } from "./util.js";

// JWK member order of the native parts (see importRsaJwk in src/api/crypto/webcrypto.h).
const privateParts = ["d", "p", "q", "dp", "dq", "qi"];

function rsaAlgorithm(name, { publicUsages, privateUsages, use, jwkAlg, operations }) {
  const allUsages = [...publicUsages, ...privateUsages];

  // The KeyAlgorithm of a key: RsaHashedKeyAlgorithm.
  function keyAlgorithm(material, hash) {
    const native = nativeCrypto();
    const { modulusLength } = native.keyDetails(material);
    return { name, modulusLength, publicExponent: native.rsaPublicExponent(material), hash: { name: hash.name } };
  }

  function importJwk(jwk, algorithm, extractable, usages) {
    const isPrivate = jwk.d !== undefined;
    checkUsages(usages, isPrivate ? privateUsages : publicUsages, name);
    checkJwk(jwk, { kty: "RSA", use, usages, extractable });
    const expected = jwkAlg(algorithm.hash.name);
    if (jwk.alg !== undefined && jwk.alg !== expected) {
      fail("DataError", `The JSON Web Key's 'alg' must be "${expected}" for ${name} with ${algorithm.hash.name}, not "${jwk.alg}".`);
    }
    const parts = [requiredBytes(jwk, "n"), requiredBytes(jwk, "e")];
    if (isPrivate) {
      if (jwk.oth !== undefined) fail("NotSupportedError", "RSA keys with more than two primes are not supported.");
      parts.push(decodeBase64Url(jwk.d, "d"));
      // RFC 7518, 6.3.2: the CRT members come all together or not at all.
      const present = privateParts.slice(1).filter((member) => jwk[member] !== undefined);
      if (present.length === 5) {
        for (const member of privateParts.slice(1)) parts.push(decodeBase64Url(jwk[member], member));
      } else if (present.length > 0) {
        fail("DataError", "The JSON Web Key has only some of the RSA private key members 'p', 'q', 'dp', 'dq' and 'qi'.");
      }
    }
    return nativeCrypto().importRsaJwk(parts);
  }

  return {
    generateKey(algorithm, extractable, usages) {
      checkUsages(usages, allUsages, name);
      const [publicMaterial, privateMaterial] =
        nativeCrypto().generateRsa(algorithm.modulusLength, algorithm.publicExponent);
      const keyAlg = keyAlgorithm(publicMaterial, algorithm.hash);
      return {
        publicKey: newCryptoKey("public", true, keyAlg, intersectUsages(usages, publicUsages), publicMaterial),
        privateKey: newCryptoKey("private", extractable, keyAlg, intersectUsages(usages, privateUsages), privateMaterial),
      };
    },

    importKey(format, keyData, algorithm, extractable, usages) {
      let material;
      let type;
      if (format === "spki") {
        checkUsages(usages, publicUsages, name);
        material = nativeCrypto().importSpki(keyData, "rsa");
        type = "public";
      } else if (format === "pkcs8") {
        checkUsages(usages, privateUsages, name);
        material = nativeCrypto().importPkcs8(keyData, "rsa");
        type = "private";
      } else if (format === "jwk") {
        material = importJwk(keyData, algorithm, extractable, usages);
        type = keyData.d !== undefined ? "private" : "public";
      } else {
        fail("NotSupportedError", `${name} keys cannot be imported in the '${format}' format.`);
      }
      return newCryptoKey(type, extractable, keyAlgorithm(material, algorithm.hash), normalizeUsages(usages), material);
    },

    exportKey(format, slots) {
      const native = nativeCrypto();
      if (format === "spki") {
        if (slots.type !== "public") fail("InvalidAccessError", "Only a public key can be exported as SPKI.");
        return toArrayBuffer(native.exportSpki(slots.material));
      }
      if (format === "pkcs8") {
        if (slots.type !== "private") fail("InvalidAccessError", "Only a private key can be exported as PKCS #8.");
        return toArrayBuffer(native.exportPkcs8(slots.material));
      }
      if (format === "jwk") {
        const parts = native.exportRsaJwk(slots.material);
        const jwk = { kty: "RSA", alg: jwkAlg(slots.algorithm.hash.name) };
        ["n", "e", ...privateParts].forEach((member, i) => {
          if (parts[i] !== undefined) jwk[member] = encodeBase64Url(parts[i]);
        });
        return finishJwk(jwk, slots);
      }
      fail("NotSupportedError", `${name} keys cannot be exported in the '${format}' format.`);
    },

    ...operations,
  };
}

function requireType(slots, type, what) {
  if (slots.type !== type) fail("InvalidAccessError", `${what} requires a ${type} key.`);
}

function signing(padding, saltLength) {
  return {
    sign(algorithm, slots, data) {
      requireType(slots, "private", "Signing");
      return toArrayBuffer(nativeCrypto().rsaSign(padding, slots.algorithm.hash.name, saltLength(algorithm),
        slots.material, data));
    },
    verify(algorithm, slots, signature, data) {
      requireType(slots, "public", "Verification");
      return nativeCrypto().rsaVerify(padding, slots.algorithm.hash.name, saltLength(algorithm), slots.material,
        signature, data);
    },
  };
}

function oaep(encrypt) {
  return (algorithm, slots, data) => {
    requireType(slots, encrypt ? "public" : "private", encrypt ? "RSA-OAEP encryption" : "RSA-OAEP decryption");
    const label = algorithm.label ?? new Uint8Array(0);
    return toArrayBuffer(nativeCrypto().rsaOaep(encrypt, slots.algorithm.hash.name, slots.material, label, data));
  };
}

const hashSuffix = (hash) => hash.slice(4);  // "SHA-256" -> "256", "SHA-1" -> "1"

export const RSASSA_PKCS1_v1_5 = rsaAlgorithm("RSASSA-PKCS1-v1_5", {
  publicUsages: ["verify"], privateUsages: ["sign"], use: "sig",
  jwkAlg: (hash) => `RS${hashSuffix(hash)}`,
  operations: signing("pkcs1", () => 0),
});

export const RSA_PSS = rsaAlgorithm("RSA-PSS", {
  publicUsages: ["verify"], privateUsages: ["sign"], use: "sig",
  jwkAlg: (hash) => `PS${hashSuffix(hash)}`,
  operations: signing("pss", (algorithm) => algorithm.saltLength),
});

export const RSA_OAEP = rsaAlgorithm("RSA-OAEP", {
  publicUsages: ["encrypt", "wrapKey"], privateUsages: ["decrypt", "unwrapKey"], use: "enc",
  jwkAlg: (hash) => (hash === "SHA-1" ? "RSA-OAEP" : `RSA-OAEP-${hashSuffix(hash)}`),
  operations: { encrypt: oaep(true), decrypt: oaep(false) },
});
