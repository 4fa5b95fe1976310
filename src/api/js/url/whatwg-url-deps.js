// Small stand-ins for what whatwg-url imports from other packages and from its own
// lib/encoding.js. scripts/bundle-js.mjs points those imports here because the originals
//  - build a TextEncoder/TextDecoder when loaded: wrapped C++ objects cannot be part of the
//    startup snapshot;
//  - use String.prototype.toWellFormed and ArrayBuffer.prototype.resizable, newer than V8 10.2;
//  - carry legacy multi-byte encoding tables (150 kB) that URL parsing never uses, since a
//    Worker has no document and so every URL is UTF-8.
import { converters } from "../webidl.js";

// --- webidl-conversions: whatwg-url uses only these two ------------------------------------

export function USVString(value, options = {}) {
  return converters.USVString(value, undefined, options.context ?? "Value");
}

export function any(value) {
  return value;
}

// --- whatwg-url/lib/encoding.js ----------------------------------------------------------

// https://encoding.spec.whatwg.org/#utf-8-encode (lone surrogates become U+FFFD).
export function utf8Encode(string) {
  const out = new Uint8Array(string.length * 3);
  let n = 0;
  for (let i = 0; i < string.length; i++) {
    let c = string.charCodeAt(i);
    if (c < 0x80) {
      out[n++] = c;
      continue;
    }
    if (c >= 0xD800 && c <= 0xDFFF) {
      const next = i + 1 < string.length ? string.charCodeAt(i + 1) : 0;
      if (c <= 0xDBFF && next >= 0xDC00 && next <= 0xDFFF) {
        c = 0x10000 + ((c - 0xD800) << 10) + (next - 0xDC00);
        i++;
      } else {
        c = 0xFFFD;
      }
    }
    if (c < 0x800) {
      out[n++] = 0xC0 | (c >> 6);
    } else if (c < 0x10000) {
      out[n++] = 0xE0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 0x3F);
    } else {
      out[n++] = 0xF0 | (c >> 18);
      out[n++] = 0x80 | ((c >> 12) & 0x3F);
      out[n++] = 0x80 | ((c >> 6) & 0x3F);
    }
    out[n++] = 0x80 | (c & 0x3F);
  }
  return out.slice(0, n);
}

// Captured now: user code may replace the global later. A decoder is made per call because an
// instance cannot live in the snapshot.
const NativeTextDecoder = globalThis.TextDecoder;

// https://encoding.spec.whatwg.org/#utf-8-decode-without-bom
export function utf8DecodeWithoutBOM(bytes) {
  return new NativeTextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
}

// --- @exodus/bytes/whatwg.js ---------------------------------------------------------------

const hex = Array.from({ length: 256 }, (_, b) => `%${b < 16 ? "0" : ""}${b.toString(16).toUpperCase()}`);

// https://url.spec.whatwg.org/#string-percent-encode-after-encoding, for UTF-8 only.
// `percentEncodeSet` lists the printable ASCII characters encoded besides C0 controls and
// non-ASCII bytes.
export function percentEncodeAfterEncoding(encoding, input, percentEncodeSet, spaceAsPlus = false) {
  if (String(encoding).toLowerCase() !== "utf-8") throw new RangeError(`Unsupported encoding: ${encoding}`);
  const bytes = utf8Encode(input);
  let out = "";
  for (const b of bytes) {
    if (spaceAsPlus && b === 0x20) {
      out += "+";
    } else if (b < 0x20 || b > 0x7E || percentEncodeSet.includes(String.fromCharCode(b))) {
      out += hex[b];
    } else {
      out += String.fromCharCode(b);
    }
  }
  return out;
}
