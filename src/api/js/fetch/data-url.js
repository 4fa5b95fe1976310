// fetch() of a data: URL (https://fetch.spec.whatwg.org/#data-url-processor), as workerd answers
// it: 200 "OK", the URL's MIME type as Content-Type (text/plain;charset=US-ASCII when it has none
// or a bad one), and the decoded bytes for GET; workerd gives every other method an empty body,
// and bad base64 an empty body too, where the spec fails the fetch.
import { atob } from "../base64.js";

const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const httpWhitespace = /^[\t\n\r ]+|[\t\n\r ]+$/g;
const asciiWhitespace = /^[\t\n\f\r ]+|[\t\n\f\r ]+$/g;
const defaultMimeType = "text/plain;charset=US-ASCII";

// "type/subtype;name=value": the essence and parameter names in lower case; parameters that
// are not name=value pairs are left out (a simplified https://mimesniff.spec.whatwg.org/#parse-a-mime-type).
function normalizeMimeType(input) {
  const [essence, ...parameters] = input.split(";");
  const [type, subtype, ...more] = essence.replace(httpWhitespace, "").split("/");
  if (more.length > 0 || !token.test(type ?? "") || !token.test(subtype ?? "")) return null;
  let out = `${type}/${subtype}`.toLowerCase();
  for (const parameter of parameters) {
    const equals = parameter.indexOf("=");
    if (equals < 0) continue;
    const name = parameter.slice(0, equals).replace(httpWhitespace, "").toLowerCase();
    const value = parameter.slice(equals + 1);
    if (token.test(name) && value !== "") out += `;${name}=${value}`;
  }
  return out;
}

function percentDecode(text) {
  const bytes = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === "%" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(text.charCodeAt(i) & 0xff);  // a serialised URL is ASCII
    }
  }
  return Uint8Array.from(bytes);
}

// -> { mimeType, bytes } for the href of a data: URL, or null when it has no comma.
export function processDataURL(href) {
  const hash = href.indexOf("#");
  const input = href.slice("data:".length, hash < 0 ? href.length : hash);
  const comma = input.indexOf(",");
  if (comma < 0) return null;
  let mimeType = input.slice(0, comma).replace(asciiWhitespace, "");
  let bytes = percentDecode(input.slice(comma + 1));
  const base64 = /;[\t\n\f\r ]*base64$/i.exec(mimeType);
  if (base64) {
    mimeType = mimeType.slice(0, base64.index);
    try {
      let text = "";
      for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
      const binary = atob(text);
      bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    } catch {
      bytes = new Uint8Array(0);
    }
  }
  if (mimeType.startsWith(";")) mimeType = `text/plain${mimeType}`;
  return { mimeType: normalizeMimeType(mimeType) ?? defaultMimeType, bytes };
}
