// MIME types as fetch bodies need them: https://mimesniff.spec.whatwg.org/#parsing-a-mime-type,
// #serializing-a-mime-type, and https://fetch.spec.whatwg.org/#concept-header-extract-mime-type.

const tokenPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// https://mimesniff.spec.whatwg.org/#http-quoted-string-token-code-point
const quotedStringTokenPattern = /^[\t\x20-\x7E\x80-\xFF]*$/;
const httpWhitespace = /^[\t\n\r ]+|[\t\n\r ]+$/g;
const trailingHttpWhitespace = /[\t\n\r ]+$/;

// https://fetch.spec.whatwg.org/#collect-an-http-quoted-string from input[position] (a '"').
// Returns [value, newPosition]; with `extract`, the value without quotes and escapes.
function collectQuotedString(input, position, extract) {
  const start = position;
  let value = "";
  position++;
  while (position < input.length) {
    const c = input[position];
    if (c === "\\") {
      position++;
      if (position >= input.length) {
        value += "\\";
        break;
      }
      value += input[position++];
    } else if (c === '"') {
      position++;
      break;
    } else {
      value += c;
      position++;
    }
  }
  return [extract ? value : input.slice(start, position), position];
}

// https://mimesniff.spec.whatwg.org/#parse-a-mime-type: { type, subtype, parameters: Map } or
// null.
export function parseMimeType(input) {
  input = input.replace(httpWhitespace, "");
  const slash = input.indexOf("/");
  if (slash === -1) return null;
  const type = input.slice(0, slash);
  if (!tokenPattern.test(type)) return null;
  let position = slash + 1;
  let end = input.indexOf(";", position);
  if (end === -1) end = input.length;
  const subtype = input.slice(position, end).replace(trailingHttpWhitespace, "");
  if (!tokenPattern.test(subtype)) return null;
  const mimeType = { type: type.toLowerCase(), subtype: subtype.toLowerCase(), parameters: new Map() };
  position = end;
  while (position < input.length) {
    position++;  // past ';'
    while (position < input.length && /[\t\n\r ]/.test(input[position])) position++;
    let nameEnd = position;
    while (nameEnd < input.length && input[nameEnd] !== ";" && input[nameEnd] !== "=") nameEnd++;
    const name = input.slice(position, nameEnd).toLowerCase();
    position = nameEnd;
    if (position < input.length) {
      if (input[position] === ";") continue;
      position++;  // past '='
    }
    if (position >= input.length) break;
    let value;
    if (input[position] === '"') {
      [value, position] = collectQuotedString(input, position, true);
      while (position < input.length && input[position] !== ";") position++;
    } else {
      let valueEnd = input.indexOf(";", position);
      if (valueEnd === -1) valueEnd = input.length;
      value = input.slice(position, valueEnd).replace(trailingHttpWhitespace, "");
      position = valueEnd;
      if (value === "") continue;
    }
    if (name !== "" && tokenPattern.test(name) && quotedStringTokenPattern.test(value) &&
        !mimeType.parameters.has(name)) {
      mimeType.parameters.set(name, value);
    }
  }
  return mimeType;
}

export function essenceOf(mimeType) {
  return `${mimeType.type}/${mimeType.subtype}`;
}

// https://mimesniff.spec.whatwg.org/#serialize-a-mime-type
export function serializeMimeType(mimeType) {
  let out = essenceOf(mimeType);
  for (const [name, value] of mimeType.parameters) {
    const quoted = value === "" || !tokenPattern.test(value);
    out += `;${name}=${quoted ? `"${value.replace(/(["\\])/g, "\\$1")}"` : value}`;
  }
  return out;
}

// https://fetch.spec.whatwg.org/#concept-header-list-get-decode-split of the combined value.
function splitHeaderValue(value) {
  const values = [];
  let position = 0;
  let current = "";
  for (;;) {
    while (position < value.length && value[position] !== '"' && value[position] !== ",") {
      current += value[position++];
    }
    if (position < value.length) {
      if (value[position] === '"') {
        let quoted;
        [quoted, position] = collectQuotedString(value, position, false);
        current += quoted;
        if (position < value.length) continue;
      } else {
        position++;  // past ','
      }
    }
    values.push(current.replace(/^[\t ]+|[\t ]+$/g, ""));
    current = "";
    if (position >= value.length) return values;
  }
}

// https://fetch.spec.whatwg.org/#concept-header-extract-mime-type from the values of a
// header list's Content-Type headers; null for failure.
export function extractMimeType(contentTypes) {
  if (contentTypes.length === 0) return null;
  let charset = null;
  let essence = null;
  let mimeType = null;
  for (const value of splitHeaderValue(contentTypes.join(", "))) {
    const parsed = parseMimeType(value);
    if (parsed === null || essenceOf(parsed) === "*/*") continue;
    mimeType = parsed;
    if (essenceOf(mimeType) !== essence) {
      charset = mimeType.parameters.get("charset") ?? null;
      essence = essenceOf(mimeType);
    } else if (!mimeType.parameters.has("charset") && charset !== null) {
      mimeType.parameters.set("charset", charset);
    }
  }
  return mimeType;
}
