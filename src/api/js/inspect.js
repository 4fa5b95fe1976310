// Renders values for console output, after Node's util.format / util.inspect (the format
// Workers' console also follows). Compact: no colours, no showHidden.
// Getters are shown as [Getter] and never called, so logging an object has no side effects
// beyond Proxy traps, Symbol.toStringTag getters and `[Symbol.for("nodejs.util.inspect.custom")]`
// methods. The runtime's own interfaces show their attribute values.

import { interfaceAttributes } from "./webidl.js";
import { ops } from "./ops.js";

const customInspect = Symbol.for("nodejs.util.inspect.custom");
const maxDepth = 2;       // nesting shown before [Object] / [Array]
const maxEntries = 100;   // array items, map/set entries shown before "... N more items"
const maxString = 10000;  // nested string length before "... N more characters"
const breakLength = 76;   // longer one-line renderings are split over several lines

// https://console.spec.whatwg.org/#formatter, with Node's specifiers (%j, %o, %O, %i).
export function format(...args) {
  let out = "";
  let next = 0;
  if (typeof args[0] === "string") {
    const template = args[0];
    next = 1;
    let last = 0;
    for (let i = 0; i < template.length - 1; i++) {
      if (template[i] !== "%") continue;
      const c = template[i + 1];
      let piece;
      if (c === "%") {
        piece = "%";
      } else if (next < args.length && "sdifjoOc".includes(c)) {
        piece = formatDirective(c, args[next++]);
      } else {
        continue;
      }
      out += template.slice(last, i) + piece;
      last = i + 2;
      i++;
    }
    out += template.slice(last);
  }
  for (; next < args.length; next++) {
    const arg = args[next];
    out += (out === "" && next === 0 ? "" : " ") + (typeof arg === "string" ? arg : inspect(arg));
  }
  return out;
}

function formatDirective(c, arg) {
  switch (c) {
    case "s":
      if (typeof arg === "bigint") return `${arg}n`;
      if (typeof arg === "symbol" || Object.is(arg, -0)) return inspect(arg);
      if (typeof arg === "object" && arg !== null) return inspect(arg, { depth: 0 });
      return String(arg);
    case "d":
      if (typeof arg === "bigint") return `${arg}n`;
      return typeof arg === "symbol" ? "NaN" : inspect(Number(arg));
    case "i":
      if (typeof arg === "bigint") return `${arg}n`;
      return typeof arg === "symbol" ? "NaN" : inspect(parseInt(arg));
    case "f":
      return typeof arg === "symbol" ? "NaN" : inspect(parseFloat(arg));
    case "j":
      try {
        return String(JSON.stringify(arg));
      } catch (e) {
        if (e instanceof TypeError && /circular/i.test(e.message)) return "[Circular]";
        throw e;
      }
    case "o":
    case "O":
      return inspect(arg);
    case "c":
      return "";  // CSS has no meaning in a log line
  }
}

export function inspect(value, { depth = maxDepth } = {}) {
  return render(value, depth, []);
}

function render(value, depth, seen) {
  switch (typeof value) {
    case "string":
      return value.length > maxString
        ? `${quote(value.slice(0, maxString))}... ${value.length - maxString} more characters`
        : quote(value);
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
      return `${value}n`;
    case "symbol":
      return value.toString();
    case "undefined":
      return "undefined";
    case "boolean":
      return String(value);
    case "function":
      return renderFunction(value);
  }
  if (value === null) return "null";
  if (seen.includes(value)) return "[Circular]";

  if (typeof value[customInspect] === "function" && value[customInspect] !== inspect) {
    const result = value[customInspect](depth, { depth }, inspect);
    if (result !== value) return typeof result === "string" ? result : render(result, depth, seen);
  }
  if (value instanceof Error) return renderError(value, depth, seen);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  if (value instanceof RegExp) return String(value);

  const name = constructorName(value);
  if (depth < 0) return Array.isArray(value) ? "[Array]" : `[${name ?? "Object"}]`;
  const tag = value[Symbol.toStringTag];
  seen.push(value);
  try {
    return renderObject(value, name, typeof tag === "string" && tag !== "" && tag !== name ? tag : null, depth, seen);
  } finally {
    seen.pop();
  }
}

// tag: a Symbol.toStringTag that differs from the constructor's name, shown as Node does.
function renderObject(value, name, tag, depth, seen) {
  const inner = (v) => render(v, depth - 1, seen);
  let prefix = name === "Object" && !tag ? "" : `${name ?? "[Object: null prototype]"} `;
  if (tag) prefix += `[${tag}] `;
  let entries = [];
  let open = "{", close = "}";
  let skip = () => false;  // own keys already shown as entries
  let boxed = null;        // the primitive inside a String, Number or Boolean object

  if (Array.isArray(value) || ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    [open, close] = ["[", "]"];
    if (Array.isArray(value)) prefix = name === "Array" ? "" : `${name ?? "[Array: null prototype]"}(${value.length}) `;
    else prefix = `${name}(${value.length}) `;
    entries = arrayEntries(value, inner);
    skip = isIndex;
  } else if (value instanceof Map) {
    prefix = `${name}(${value.size}) `;
    for (const [k, v] of value) {
      if (entries.length === maxEntries) { entries.push(`... ${value.size - maxEntries} more items`); break; }
      entries.push(`${inner(k)} => ${inner(v)}`);
    }
  } else if (value instanceof Set) {
    prefix = `${name}(${value.size}) `;
    for (const v of value) {
      if (entries.length === maxEntries) { entries.push(`... ${value.size - maxEntries} more items`); break; }
      entries.push(inner(v));
    }
  } else if (value instanceof WeakMap || value instanceof WeakSet) {
    entries.push("<items unknown>");
  } else if (value instanceof ArrayBuffer) {
    const bytes = [...new Uint8Array(value, 0, Math.min(value.byteLength, 50))]
      .map((b) => b.toString(16).padStart(2, "0"));
    if (value.byteLength > 50) bytes.push(`... ${value.byteLength - 50} more bytes`);
    entries.push(`[Uint8Contents]: <${bytes.join(" ")}>`, `byteLength: ${value.byteLength}`);
  } else {
    boxed = boxedPrimitive(value);
    if (boxed !== null) {
      if (typeof boxed === "string") skip = isIndex;  // a String object's characters
      prefix = `[${name}: ${render(boxed, 0, [])}] `;
    }
  }

  // A runtime interface's getters have no side effects, so their values are shown.
  const attributes = interfaceAttributes(value);
  const isInterface = attributes.length > 0;
  // Indexed values are already shown: list only the other keys, without walking every index.
  const keys = skip === isIndex ? ops.ownNonIndexKeys(value) : Reflect.ownKeys(value);
  for (const key of keys) {
    if (skip(key)) continue;
    const desc = Reflect.getOwnPropertyDescriptor(value, key);
    if (!desc || !desc.enumerable) continue;
    const shown = desc.get && isInterface ? attribute(value, desc.get, inner)
      : desc.get || desc.set ? `[${desc.get && desc.set ? "Getter/Setter" : desc.get ? "Getter" : "Setter"}]`
      : inner(desc.value);
    entries.push(`${renderKey(key)}: ${shown}`);
  }
  for (const [key, get] of attributes) entries.push(`${renderKey(key)}: ${attribute(value, get, inner)}`);
  if (entries.length === 0) return boxed !== null ? prefix.trim() : `${prefix}${open}${close}`;
  return join(prefix, open, entries, close);
}

function attribute(value, get, inner) {
  try {
    return inner(Reflect.apply(get, value, []));
  } catch {
    return "[Getter]";
  }
}

function arrayEntries(array, inner) {
  const entries = [];
  const shown = Math.min(array.length, maxEntries);
  for (let i = 0; i < shown; i++) {
    if (!Array.isArray(array) || Object.prototype.hasOwnProperty.call(array, i)) {
      entries.push(inner(array[i]));
      continue;
    }
    let j = i;
    while (j < array.length && !Object.prototype.hasOwnProperty.call(array, j)) j++;
    const holes = j - i;
    entries.push(`<${holes} empty item${holes === 1 ? "" : "s"}>`);
    i = j - 1;
  }
  if (array.length > shown) {
    const rest = array.length - shown;
    entries.push(`... ${rest} more item${rest === 1 ? "" : "s"}`);
  }
  return entries;
}

function join(prefix, open, entries, close) {
  const line = `${prefix}${open} ${entries.join(", ")} ${close}`;
  if (line.length <= breakLength && !entries.some((e) => e.includes("\n"))) return line;
  const rows = open === "[" ? columns(entries) : entries;
  const body = rows.map((e) => `  ${e.replace(/\n/g, "\n  ")}`).join(",\n");
  return `${prefix}${open}\n${body}\n${close}`;
}

// Many short array items go in aligned columns rather than one per line, as in Node.
function columns(all) {
  const more = all[all.length - 1].startsWith("... ") ? all.slice(-1) : [];
  const entries = all.slice(0, all.length - more.length);
  const width = Math.max(...entries.map((e) => e.length));
  if (entries.length <= 6 || width > 6 || entries.some((e) => e.includes("\n"))) return all;
  const perRow = Math.min(16, Math.floor((breakLength - 2) / (width + 2)));
  const numeric = entries.every((e) => /^-?[\d.]+n?$|^NaN$|^-?Infinity$/.test(e));
  const rows = [];
  for (let i = 0; i < entries.length; i += perRow) {
    const row = entries.slice(i, i + perRow).map((e, j, all) =>
      j === all.length - 1 && !numeric ? e : numeric ? e.padStart(width) : e.padEnd(width));
    rows.push(row.join(", "));
  }
  return rows.concat(more);
}

function renderFunction(fn) {
  const isClass = Function.prototype.toString.call(fn).startsWith("class");
  const desc = Object.getOwnPropertyDescriptor(fn, "name");
  const name = desc && typeof desc.value === "string" && desc.value !== "" ? desc.value : "(anonymous)";
  return isClass ? `[class ${name}]` : `[Function: ${name}]`;
}

function renderError(error, depth, seen) {
  let stack;
  try {
    stack = error.stack;
  } catch {}
  let text = typeof stack === "string" && stack !== "" ? stack : `[${Error.prototype.toString.call(error)}]`;
  if (error.cause !== undefined && depth >= 0) {
    seen.push(error);
    try {
      text += ` { [cause]: ${render(error.cause, depth - 1, seen)} }`;
    } finally {
      seen.pop();
    }
  }
  return text;
}

function isIndex(key) {
  return typeof key === "string" && /^(0|[1-9]\d*)$/.test(key);
}

// The primitive inside a String, Number or Boolean object, else null.
function boxedPrimitive(value) {
  for (const Type of [String, Number, Boolean]) {
    try {
      return Type.prototype.valueOf.call(value);
    } catch {}
  }
  return null;
}

// The constructor's name as Node finds it: the nearest prototype with an own `constructor`.
function constructorName(value) {
  let proto = value;
  while ((proto = Object.getPrototypeOf(proto)) !== null) {
    const desc = Object.getOwnPropertyDescriptor(proto, "constructor");
    if (desc && typeof desc.value === "function" && typeof desc.value.name === "string" && desc.value.name !== "") {
      return desc.value.name;
    }
  }
  return null;
}

function renderKey(key) {
  if (typeof key === "symbol") return `[${key.toString()}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : quote(key);
}

function quote(s) {
  const escaped = s.replace(/[\\'\n\r\t\b\f\v\x00-\x1f\x7f]/g, (c) => {
    const known = { "\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f", "\v": "\\v" };
    return known[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0").toUpperCase()}`;
  });
  return `'${escaped}'`;
}
