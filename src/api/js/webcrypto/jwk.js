// JSON Web Keys (https://w3c.github.io/webcrypto/#JsonWebKey-dictionary, RFC 7517/7518): the
// dictionary, base64url, and the checks every algorithm's JWK import shares.
import { atob, btoa } from "../base64.js";
import { converters, createSequenceConverter, isObject, makeException } from "../webidl.js";
import { fail } from "./util.js";

const string = converters.DOMString;
const stringSequence = createSequenceConverter(converters.DOMString);

function convertOtherPrimes(value, prefix, context) {
  return createSequenceConverter((item, p, c) => {
    if (item !== undefined && item !== null && !isObject(item)) {
      throw makeException(TypeError, "is not of type 'RsaOtherPrimesInfo'.", p, c);
    }
    const out = {};
    for (const key of ["d", "r", "t"]) {
      if (item?.[key] !== undefined) out[key] = string(item[key], p, c);
    }
    return out;
  })(value, prefix, context);
}

// Members in Web IDL's (lexicographic) order, with their converters.
const members = [
  ["alg", string], ["crv", string], ["d", string], ["dp", string], ["dq", string], ["e", string],
  ["ext", converters.boolean], ["k", string], ["key_ops", stringSequence], ["kty", string], ["n", string],
  ["oth", convertOtherPrimes], ["p", string], ["q", string], ["qi", string], ["use", string], ["x", string],
  ["y", string],
];

// Web IDL conversion to a JsonWebKey dictionary (null and undefined give an empty one).
export function toJsonWebKey(value, prefix, context) {
  if (value !== undefined && value !== null && !isObject(value)) {
    throw makeException(TypeError, "is not of type 'JsonWebKey'.", prefix, context);
  }
  const out = {};
  for (const [key, convert] of members) {
    const raw = value?.[key];
    if (raw !== undefined) out[key] = convert(raw, prefix, `member '${key}' of 'JsonWebKey'`);
  }
  return out;
}

// https://w3c.github.io/webcrypto/#concept-parse-a-jwk (for unwrapKey): any failure is a
// DataError.
export function parseJwk(bytes) {
  let key;
  try {
    key = toJsonWebKey(JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)));
  } catch {
    fail("DataError", "The unwrapped data is not a JSON Web Key.");
  }
  if (key.kty === undefined) fail("DataError", "The JSON Web Key has no 'kty' member.");
  return key;
}

// The UTF-8 JSON of an exported key (for wrapKey).
export function serializeJwk(jwk) {
  return new TextEncoder().encode(JSON.stringify(jwk));
}

// ---- base64url without padding (RFC 7515, section 2) ----

export function decodeBase64Url(text, member) {
  if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
    fail("DataError", `The JSON Web Key member '${member}' is not valid base64url.`);
  }
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function encodeBase64Url(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// A member the key type requires, decoded.
export function requiredBytes(jwk, member) {
  if (jwk[member] === undefined) fail("DataError", `The JSON Web Key lacks its '${member}' member.`);
  return decodeBase64Url(jwk[member], member);
}

// The checks of the spec's JWK import steps that every algorithm shares: kty, use, key_ops
// and ext. `use` is "sig" or "enc" (checked only when usages are asked for).
export function checkJwk(jwk, { kty, use, usages, extractable }) {
  if (jwk.kty !== kty) fail("DataError", `The JSON Web Key's 'kty' must be "${kty}", not ${JSON.stringify(jwk.kty ?? null)}.`);
  if (usages.length > 0 && jwk.use !== undefined && jwk.use !== use) {
    fail("DataError", `The JSON Web Key's 'use' must be "${use}" for these usages, not "${jwk.use}".`);
  }
  if (jwk.key_ops !== undefined) {
    const ops = jwk.key_ops;
    if (new Set(ops).size !== ops.length) fail("DataError", "The JSON Web Key's 'key_ops' lists an operation twice.");
    const missing = usages.find((usage) => !ops.includes(usage));
    if (missing !== undefined) fail("DataError", `The JSON Web Key's 'key_ops' does not allow '${missing}'.`);
  }
  if (jwk.ext === false && extractable) {
    fail("DataError", "The JSON Web Key is not extractable ('ext' is false), so the key cannot be extractable.");
  }
}

// The members every exported JWK ends with.
export function finishJwk(jwk, slots) {
  jwk.key_ops = [...slots.usages];
  jwk.ext = slots.extractable;
  return jwk;
}
