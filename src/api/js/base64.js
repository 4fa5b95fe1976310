// atob() and btoa(): https://html.spec.whatwg.org/#atob, decoding with
// https://infra.spec.whatwg.org/#forgiving-base64-decode. Error texts are Workers'.
import { DOMException } from "./dom-exception.js";
import { converters, methodPrefix, requiredArguments } from "./webidl.js";

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const values = new Map([...alphabet].map((c, i) => [c, i]));

export function btoa(data) {
  const prefix = methodPrefix("ServiceWorkerGlobalScope", "btoa");
  requiredArguments(arguments.length, 1, prefix);
  const s = converters.DOMString(data, prefix, "parameter 1");
  if (/[^\x00-\xFF]/.test(s)) {
    throw new DOMException("btoa() can only operate on characters in the Latin1 (ISO/IEC 8859-1) range.", "InvalidCharacterError");
  }
  let out = "";
  for (let i = 0; i < s.length; i += 3) {
    const n = (s.charCodeAt(i) << 16) | ((s.charCodeAt(i + 1) || 0) << 8) | (s.charCodeAt(i + 2) || 0);
    out += alphabet[n >> 18] + alphabet[(n >> 12) & 63] +
      (i + 1 < s.length ? alphabet[(n >> 6) & 63] : "=") + (i + 2 < s.length ? alphabet[n & 63] : "=");
  }
  return out;
}

export function atob(data) {
  const prefix = methodPrefix("ServiceWorkerGlobalScope", "atob");
  requiredArguments(arguments.length, 1, prefix);
  let s = converters.DOMString(data, prefix, "parameter 1").replace(/[\t\n\f\r ]/g, "");
  if (s.length % 4 === 0) s = s.replace(/={1,2}$/, "");
  if (s.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(s)) {
    throw new DOMException(
      "atob() called with invalid base64-encoded data. (Only whitespace, '+', '/', alphanumeric ASCII, " +
        "and up to two terminal '=' signs when the input data length is divisible by 4 are allowed.)",
      "InvalidCharacterError");
  }
  // 24 bits per 4 characters; a trailing group of 2 or 3 characters yields 1 or 2 bytes.
  const codes = [];
  let out = "";
  for (let i = 0; i < s.length; i += 4) {
    const group = s.slice(i, i + 4);
    let n = 0;
    for (let j = 0; j < 4; j++) n = (n << 6) | (j < group.length ? values.get(group[j]) : 0);
    codes.push(n >> 16);
    if (group.length > 2) codes.push((n >> 8) & 255);
    if (group.length > 3) codes.push(n & 255);
    if (codes.length >= 8192) {
      out += String.fromCharCode(...codes);
      codes.length = 0;
    }
  }
  return out + String.fromCharCode(...codes);
}
