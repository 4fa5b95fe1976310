// https://fetch.spec.whatwg.org/#headers-class
//
// As in Cloudflare Workers: header values may hold any Unicode text (sent as UTF-8) instead of
// only ByteStrings, iterators and forEach walk a snapshot taken when they start, and the guard
// is either "none" or "immutable" (Workers has no forbidden header names).
import {
  configureInterface, constructPrefix, converters, illegalInvocation,
  makeException, methodPrefix, requiredArguments,
} from "../webidl.js";

// https://fetch.spec.whatwg.org/#header-name: an RFC 9110 token.
const tokenPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// https://fetch.spec.whatwg.org/#header-value, after normalisation.
const invalidValuePattern = /[\0\r\n]/;

function normalizeName(name) {
  if (!tokenPattern.test(name)) throw new TypeError("Invalid header name.");
  return name.toLowerCase();
}

function isHTTPWhitespace(c) {
  return c === 0x20 || c === 0x09 || c === 0x0A || c === 0x0D;
}

// https://fetch.spec.whatwg.org/#concept-header-value-normalize (a loop: a regular expression
// anchored at the end would backtrack quadratically on long runs of spaces).
function normalizeValue(value) {
  let start = 0;
  let end = value.length;
  while (start < end && isHTTPWhitespace(value.charCodeAt(start))) start++;
  while (end > start && isHTTPWhitespace(value.charCodeAt(end - 1))) end--;
  if (start !== 0 || end !== value.length) value = value.slice(start, end);
  if (invalidValuePattern.test(value)) throw new TypeError("Invalid header value.");
  return value;
}

function convertName(value, prefix, context) {
  return normalizeName(converters.ByteString(value, prefix, context));
}

function convertValue(value, prefix, context) {
  return normalizeValue(converters.USVString(value, prefix, context));
}

function compareNames(a, b) {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

// https://fetch.spec.whatwg.org/#concept-header-list-sort-and-combine
function sortAndCombine(list) {
  const sorted = list.slice().sort(compareNames);  // stable: values keep their order
  const out = [];
  for (const [name, value] of sorted) {
    const last = out[out.length - 1];
    if (name !== "set-cookie" && last !== undefined && last[0] === name) {
      last[1] += `, ${value}`;
    } else {
      out.push([name, value]);
    }
  }
  return out;
}

// Brand check and internals for Request, Response and fetch/internals.js.
let isHeaders, listOf, guardOf, setGuard;

export class Headers {
  // [[lowercase name, value], ...] in insertion order: the header list, one entry per value.
  #list = [];
  #guard = "none";

  static {
    isHeaders = (value) => value !== null && typeof value === "object" && #list in value;
    listOf = (headers) => headers.#list;
    guardOf = (headers) => headers.#guard;
    setGuard = (headers, guard) => { headers.#guard = guard; };
  }

  constructor(init = undefined) {
    if (init !== undefined) fill(this, init, constructPrefix("Headers"));
  }

  append(name, value) {
    const list = headerList(this);
    const prefix = methodPrefix("Headers", "append");
    requiredArguments(arguments.length, 2, prefix);
    checkMutable(this);
    name = convertName(name, prefix, "parameter 1");
    list.push([name, convertValue(value, prefix, "parameter 2")]);
  }

  delete(name) {
    const list = headerList(this);
    const prefix = methodPrefix("Headers", "delete");
    requiredArguments(arguments.length, 1, prefix);
    checkMutable(this);
    name = convertName(name, prefix, "parameter 1");
    removeAll(list, name);
  }

  get(name) {
    const list = headerList(this);
    const prefix = methodPrefix("Headers", "get");
    requiredArguments(arguments.length, 1, prefix);
    name = convertName(name, prefix, "parameter 1");
    const values = valuesOf(list, name);
    return values.length === 0 ? null : values.join(", ");
  }

  getSetCookie() {
    return valuesOf(headerList(this), "set-cookie");
  }

  // Workers' older, non-standard spelling of getSetCookie().
  getAll(name) {
    const list = headerList(this);
    const prefix = methodPrefix("Headers", "getAll");
    requiredArguments(arguments.length, 1, prefix);
    name = convertName(name, prefix, "parameter 1");
    if (name !== "set-cookie") {
      throw new TypeError('getAll() can only be used with the header name "Set-Cookie".');
    }
    return valuesOf(list, name);
  }

  has(name) {
    const list = headerList(this);
    const prefix = methodPrefix("Headers", "has");
    requiredArguments(arguments.length, 1, prefix);
    name = convertName(name, prefix, "parameter 1");
    return list.some((entry) => entry[0] === name);
  }

  set(name, value) {
    const list = headerList(this);
    const prefix = methodPrefix("Headers", "set");
    requiredArguments(arguments.length, 2, prefix);
    checkMutable(this);
    name = convertName(name, prefix, "parameter 1");
    value = convertValue(value, prefix, "parameter 2");
    const first = list.findIndex((entry) => entry[0] === name);
    if (first === -1) {
      list.push([name, value]);
    } else {
      list[first][1] = value;
      removeAll(list, name, first + 1);
    }
  }

  // https://webidl.spec.whatwg.org/#idl-iterable: pair iterator members.
  entries() { return createIterator(this, "entries"); }
  keys() { return createIterator(this, "keys"); }
  values() { return createIterator(this, "values"); }

  forEach(callback, thisArg = undefined) {
    const list = headerList(this);
    const prefix = methodPrefix("Headers", "forEach");
    requiredArguments(arguments.length, 1, prefix);
    converters.Function(callback, prefix, "parameter 1");
    for (const [name, value] of sortAndCombine(list)) {
      callback.call(thisArg, value, name, this);
    }
  }
}

function headerList(headers) {
  if (!isHeaders(headers)) illegalInvocation();
  return listOf(headers);
}

// Checked before the arguments are validated, as in Workers.
function checkMutable(headers) {
  if (guardOf(headers) === "immutable") throw new TypeError("Can't modify immutable headers.");
}

function valuesOf(list, name) {
  const values = [];
  for (const entry of list) {
    if (entry[0] === name) values.push(entry[1]);
  }
  return values;
}

function removeAll(list, name, from = 0) {
  let kept = from;
  for (let i = from; i < list.length; i++) {
    if (list[i][0] !== name) list[kept++] = list[i];
  }
  list.length = kept;
}

// https://fetch.spec.whatwg.org/#concept-headers-fill, with the HeadersInit union conversion
// (sequence<sequence<ByteString>> or record<ByteString, ByteString>) in front.
function fill(headers, init, prefix) {
  const list = listOf(headers);
  if (isHeaders(init)) {
    // Copying the list keeps each value separate, as Workers does (the spec would iterate).
    for (const [name, value] of listOf(init)) list.push([name, value]);
    return;
  }
  if (init === null || (typeof init !== "object" && typeof init !== "function")) {
    throw makeException(TypeError,
      "is not of type '(sequence<sequence<ByteString>> or record<ByteString, ByteString>)'.",
      prefix, "parameter 1");
  }
  const iteratorMethod = init[Symbol.iterator];
  if (iteratorMethod !== undefined && iteratorMethod !== null) {
    if (typeof iteratorMethod !== "function") {
      throw makeException(TypeError, "can not be converted to sequence.", prefix, "parameter 1");
    }
    const pairs = [];
    for (const item of { [Symbol.iterator]: () => iteratorMethod.call(init) }) {
      pairs.push(toPair(item, prefix, `parameter 1, index ${pairs.length}`));
    }
    for (const [name, value] of pairs) list.push([normalizeName(name), normalizeValue(value)]);
    return;
  }
  // https://webidl.spec.whatwg.org/#es-record, kept as pairs (a plain object would drop
  // "__proto__").
  const pairs = [];
  for (const key of Reflect.ownKeys(init)) {
    const desc = Reflect.getOwnPropertyDescriptor(init, key);
    if (desc === undefined || !desc.enumerable) continue;
    const name = converters.ByteString(key, prefix, "parameter 1");
    pairs.push([name, converters.USVString(init[key], prefix, `parameter 1, member '${name}'`)]);
  }
  for (const [name, value] of pairs) list.push([normalizeName(name), normalizeValue(value)]);
}

// One inner sequence<ByteString> of a sequence init, which must be a [name, value] pair.
function toPair(item, prefix, context) {
  const method = item !== null && typeof item === "object" ? item[Symbol.iterator] : undefined;
  if (typeof method !== "function") {
    throw makeException(TypeError, "can not be converted to sequence.", prefix, context);
  }
  const pair = [];
  for (const part of { [Symbol.iterator]: () => method.call(item) }) {
    pair.push(pair.length === 0
      ? converters.ByteString(part, prefix, context)
      : converters.USVString(part, prefix, context));
  }
  if (pair.length !== 2) {
    throw new TypeError("To initialize a Headers object from a sequence, each inner sequence must have exactly two elements.");
  }
  return pair;
}

// https://webidl.spec.whatwg.org/#es-default-iterator-object, over a snapshot (as Workers).
let isHeadersIterator;

class HeadersIterator {
  #pairs;
  #kind;
  #index = 0;

  static {
    isHeadersIterator = (value) => value !== null && typeof value === "object" && #pairs in value;
  }

  constructor(pairs, kind) {
    this.#pairs = pairs;
    this.#kind = kind;
  }

  next() {
    if (!isHeadersIterator(this)) illegalInvocation();
    if (this.#index >= this.#pairs.length) return { value: undefined, done: true };
    const [name, value] = this.#pairs[this.#index++];
    if (this.#kind === "keys") return { value: name, done: false };
    if (this.#kind === "values") return { value, done: false };
    return { value: [name, value], done: false };
  }
}

// The prototype is %HeadersIteratorPrototype%: it inherits %IteratorPrototype% and hides the
// helper class (no `constructor`).
const iteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
Object.setPrototypeOf(HeadersIterator.prototype, iteratorPrototype);
delete HeadersIterator.prototype.constructor;
Object.defineProperty(HeadersIterator.prototype, "next", { enumerable: true });
Object.defineProperty(HeadersIterator.prototype, Symbol.toStringTag, {
  value: "Headers Iterator", configurable: true,
});

function createIterator(headers, kind) {
  return new HeadersIterator(sortAndCombine(headerList(headers)), kind);
}

configureInterface(Headers);
Object.defineProperty(Headers.prototype, Symbol.iterator, {
  value: Headers.prototype.entries, writable: true, enumerable: false, configurable: true,
});

// --- internals for Request, Response and fetch/internals.js ----------------------------------

export { isHeaders };

// A Headers holding `pairs` ([[name, value], ...], already valid: they come from the HTTP
// parser) with the given guard.
export function headersFromList(pairs, guard = "none") {
  const headers = new Headers();
  const list = listOf(headers);
  for (const [name, value] of pairs) list.push([String(name).toLowerCase(), String(value)]);
  setGuard(headers, guard);
  return headers;
}

// https://fetch.spec.whatwg.org/#concept-headers-fill from a HeadersInit, into a new Headers.
export function headersFromInit(init, prefix) {
  const headers = new Headers();
  fill(headers, init, prefix);
  return headers;
}

// A copy with the same guard (Request/Response clone()).
export function cloneHeaders(headers) {
  return headersFromList(listOf(headers), guardOf(headers));
}

export function setHeadersGuard(headers, guard) {
  setGuard(headers, guard);
}

// Sets a header even on immutable headers, when the runtime builds a Request or Response.
export function setHeaderIfAbsent(headers, name, value) {
  const list = listOf(headers);
  if (!list.some((entry) => entry[0] === name)) list.push([name, value]);
}

// [[name, value], ...]: one pair per value, names in lowercase, in insertion order.
export function headerPairs(headers) {
  return listOf(headers).map(([name, value]) => [name, value]);
}
