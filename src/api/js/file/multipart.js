// multipart/form-data (RFC 7578) as the web platform writes and reads it:
//  - writing: https://html.spec.whatwg.org/multipage/form-control-infrastructure.html#multipart/form-data-encoding-algorithm
//  - reading: https://andreubotella.github.io/multipart-form-data/ (what fetch's formData()
//    refers to), lenient where browsers are: parameters of Content-Disposition in any order,
//    anything after the closing delimiter ignored.
import { ops } from "../ops.js";
import { NativeTextDecoder, utf8Encode } from "../fetch/body.js";
import { bytesOf, fileFromBytes, nameOf, normalizeType, typeOf } from "./blob.js";
import { concatBytes } from "../bytes.js";

const CR = 0x0D;
const LF = 0x0A;

// A boundary of 24 random alphanumerics after the dashes (RFC 2046 allows up to 70 characters);
// random so that no field value can end a part early by containing it.
export function newBoundary() {
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  const random = new Uint8Array(24);
  ops.fillRandom(random);
  let boundary = "----WispFormBoundary";
  for (const b of random) boundary += alphabet[b % alphabet.length];
  return boundary;
}

// Lone CR or LF becomes CRLF, as the HTML spec asks of names and string values.
function normalizeNewlines(text) {
  return text.replace(/\r(?!\n)|(?<!\r)\n/g, "\r\n");
}

// Names and filenames go inside quotes: these three are percent-escaped.
function escapeQuoted(text) {
  return text.replace(/[\n\r"]/g, (c) => (c === "\n" ? "%0A" : c === "\r" ? "%0D" : "%22"));
}

// The entry list as a multipart/form-data body: one Uint8Array.
export function serializeMultipart(entries, boundary) {
  const chunks = [];
  for (const [name, value] of entries) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${escapeQuoted(normalizeNewlines(name))}"`;
    if (typeof value === "string") {
      chunks.push(utf8Encode(`${head}\r\n\r\n${normalizeNewlines(value)}\r\n`));
      continue;
    }
    const type = typeOf(value) || "application/octet-stream";
    head += `; filename="${escapeQuoted(nameOf(value))}"\r\nContent-Type: ${type}\r\n\r\n`;
    chunks.push(utf8Encode(head), bytesOf(value), utf8Encode("\r\n"));
  }
  chunks.push(utf8Encode(`--${boundary}--\r\n`));
  return concatBytes(chunks);
}

// --- parsing -----------------------------------------------------------------------------------

class MultipartError extends Error {}

function fail(message) {
  throw new MultipartError(message);
}

function startsWithAt(bytes, position, pattern) {
  if (position + pattern.length > bytes.length) return false;
  for (let i = 0; i < pattern.length; i++) {
    if (bytes[position + i] !== pattern[i]) return false;
  }
  return true;
}

// The index of `pattern` in `bytes` at or after `from`, or -1.
function indexOfBytes(bytes, pattern, from) {
  const first = pattern[0];
  for (let i = bytes.indexOf(first, from); i !== -1; i = bytes.indexOf(first, i + 1)) {
    if (startsWithAt(bytes, i, pattern)) return i;
  }
  return -1;
}

const decodeUtf8 = (bytes) => new NativeTextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);

// A name or filename in quotes: %0A, %0D and %22 are the escapes the writer uses.
function unescapeQuoted(text) {
  return text.replace(/%(0A|0D|22)/gi, (m, hex) => String.fromCharCode(parseInt(hex, 16)));
}

// Content-Disposition: form-data; name="..."[; filename="..."] → { name, filename }.
function parseContentDisposition(value) {
  const match = /^form-data(?=[\t ;]|$)/i.exec(value);
  if (!match) fail("a part's Content-Disposition is not form-data");
  const params = new Map();
  const param = /[\t ]*;[\t ]*([^\t ;=]+)[\t ]*=[\t ]*(?:"((?:[^"\\]|\\.)*)"|([^\t ;"]*))/gy;
  param.lastIndex = match[0].length;
  let m;
  while (param.lastIndex < value.length && (m = param.exec(value)) !== null) {
    const key = m[1].toLowerCase();
    if (!params.has(key)) params.set(key, m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : m[3]);
  }
  if (!params.has("name")) fail("a part has no name");
  return { name: unescapeQuoted(params.get("name")), filename: params.has("filename") ? unescapeQuoted(params.get("filename")) : null };
}

// A part's header lines, from `position` up to and including the empty line.
function parsePartHeaders(bytes, position) {
  let disposition = null;
  let contentType = null;
  for (;;) {
    const lineEnd = indexOfBytes(bytes, [CR, LF], position);
    if (lineEnd === -1) fail("a part's headers do not end");
    if (lineEnd === position) return { disposition, contentType, position: position + 2 };
    // Header values are UTF-8 (names and filenames in any script), not Latin-1.
    const line = decodeUtf8(bytes.subarray(position, lineEnd));
    position = lineEnd + 2;
    const colon = line.indexOf(":");
    if (colon <= 0) fail("a part has a malformed header");
    const name = line.slice(0, colon).replace(/[\t ]+$/, "").toLowerCase();
    const value = line.slice(colon + 1).replace(/^[\t ]+|[\t ]+$/g, "");
    if (name === "content-disposition") disposition = parseContentDisposition(value);
    else if (name === "content-type") contentType = value;
  }
}

// Parses `bytes` as multipart/form-data with this boundary: [[name, string | File], ...].
// Throws a MultipartError for malformed input.
export function parseMultipart(bytes, boundary) {
  const delimiter = utf8Encode(`--${boundary}`);
  const bodyEnd = utf8Encode(`\r\n--${boundary}`);
  const entries = [];
  let position = 0;
  // Anything before the first delimiter (a preamble) is skipped, as browsers do.
  if (!startsWithAt(bytes, 0, delimiter)) {
    const first = indexOfBytes(bytes, bodyEnd, 0);
    if (first === -1) fail("the body holds no boundary delimiter");
    position = first + 2;
  }
  for (;;) {
    position += delimiter.length;
    if (bytes[position] === 0x2D && bytes[position + 1] === 0x2D) return entries;  // "--": the end
    while (bytes[position] === 0x20 || bytes[position] === 0x09) position++;  // transport padding
    if (bytes[position] !== CR || bytes[position + 1] !== LF) fail("a boundary delimiter is not followed by CRLF");
    position += 2;
    const headers = parsePartHeaders(bytes, position);
    if (headers.disposition === null) fail("a part has no Content-Disposition header");
    position = headers.position;
    const end = indexOfBytes(bytes, bodyEnd, position);
    if (end === -1) fail("a part does not end with a boundary delimiter");
    const body = bytes.slice(position, end);
    const { name, filename } = headers.disposition;
    if (filename !== null) {
      entries.push([name, fileFromBytes(body, filename, normalizeType(headers.contentType ?? "text/plain"))]);
    } else {
      entries.push([name, decodeUtf8(body)]);
    }
    position = end + 2;
  }
}

export { MultipartError };
