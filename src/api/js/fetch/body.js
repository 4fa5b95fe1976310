// https://fetch.spec.whatwg.org/#body-mixin
//
// As in Workers, Request and Response inherit the mixin's members from a shared Body class
// (not a global). A body is held by an InnerBody: today a byte array, later a ReadableStream
// behind the same few operations (used, length, consume, transfer, clone).
import { isURLSearchParams, serializeURLSearchParams } from "../url/url.js";
import { configureInterface, converters, illegalConstructor, illegalInvocation, internalKey } from "../webidl.js";

export const bodyUsedMessage =
  "Body has already been used. It can only be used once. Use tee() first if you need to read it twice.";

// Captured now: user code may replace the globals. Instances are made per call because a
// wrapped C++ object cannot be part of the startup snapshot.
const NativeTextEncoder = globalThis.TextEncoder;
const NativeTextDecoder = globalThis.TextDecoder;

// https://fetch.spec.whatwg.org/#concept-body: the body's content and whether it was read.
export class InnerBody {
  #bytes;  // Uint8Array that owns its whole ArrayBuffer; null once consumed or transferred
  #used = false;

  constructor(bytes) {
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    this.#bytes = whole ? bytes : ownBytes(bytes);
  }

  // https://fetch.spec.whatwg.org/#concept-body-disturbed
  get used() { return this.#used; }

  get length() { return this.#bytes === null ? 0 : this.#bytes.byteLength; }

  // Reads the whole body, once. Marks it used before it resolves, as a stream read would.
  consume() {
    if (this.#used) return Promise.reject(new TypeError(bodyUsedMessage));
    this.#used = true;
    const bytes = this.#bytes;
    this.#bytes = null;
    return Promise.resolve(bytes);
  }

  // Moves the content into a new InnerBody and leaves this one used (a Request built from
  // another Request takes over its body).
  transfer() {
    if (this.#used) throw new TypeError(bodyUsedMessage);
    this.#used = true;
    const bytes = this.#bytes;
    this.#bytes = null;
    return new InnerBody(bytes);
  }

  // https://fetch.spec.whatwg.org/#concept-body-clone
  clone() {
    if (this.#used) throw new TypeError(bodyUsedMessage);
    return new InnerBody(this.#bytes.slice());
  }
}

// A Uint8Array that owns its whole buffer, copied from any byte source.
export function ownBytes(view) {
  return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}

export function utf8Encode(string) {
  return new NativeTextEncoder().encode(string);
}

function isArrayBuffer(value) {
  try {
    Reflect.apply(Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength").get, value, []);
    return true;
  } catch {
    return false;
  }
}

function isSharedView(view) {
  return !isArrayBuffer(view.buffer);
}

// https://fetch.spec.whatwg.org/#concept-bodyinit-extract for BodyInit
// (BufferSource or URLSearchParams or USVString; Blob, FormData and ReadableStream come later).
// Returns { body: InnerBody, type: string | null }. `object` is not null or undefined.
export function extractBody(object, prefix, context) {
  if (ArrayBuffer.isView(object) && !isSharedView(object)) {
    return { body: new InnerBody(ownBytes(object)), type: null };
  }
  if (isArrayBuffer(object)) {
    return { body: new InnerBody(new Uint8Array(object.slice(0))), type: null };
  }
  if (isURLSearchParams(object)) {
    return {
      body: new InnerBody(utf8Encode(serializeURLSearchParams(object))),
      type: "application/x-www-form-urlencoded;charset=UTF-8",
    };
  }
  const text = converters.USVString(object, prefix, context);
  return { body: new InnerBody(utf8Encode(text)), type: "text/plain;charset=UTF-8" };
}

// Brand check and internals for Request, Response and fetch/internals.js.
let isBody, innerOf, setInner;

export class Body {
  #inner;  // InnerBody, or null for a null body

  static {
    isBody = (value) => value !== null && typeof value === "object" && #inner in value;
    innerOf = (body) => body.#inner;
    setInner = (body, inner) => { body.#inner = inner; };
  }

  // Only Request and Response construct a Body (`super(internalKey, inner)`).
  constructor(key, inner) {
    if (key !== internalKey) illegalConstructor();
    this.#inner = inner;
  }

  get bodyUsed() {
    if (!isBody(this)) illegalInvocation();
    return this.#inner !== null && this.#inner.used;
  }

  // https://fetch.spec.whatwg.org/#dom-body-arraybuffer
  async arrayBuffer() {
    return (await consumeBody(this)).buffer;
  }

  // https://fetch.spec.whatwg.org/#dom-body-bytes
  async bytes() {
    return consumeBody(this);
  }

  // https://fetch.spec.whatwg.org/#dom-body-json
  async json() {
    return JSON.parse(decodeText(await consumeBody(this)));
  }

  // https://fetch.spec.whatwg.org/#dom-body-text
  async text() {
    return decodeText(await consumeBody(this));
  }
}

// https://fetch.spec.whatwg.org/#concept-body-consume-body: a null body reads as empty and
// stays usable.
function consumeBody(object) {
  if (!isBody(object)) illegalInvocation();
  const inner = innerOf(object);
  return inner === null ? Promise.resolve(new Uint8Array(0)) : inner.consume();
}

// https://encoding.spec.whatwg.org/#utf-8-decode (drops a leading BOM)
function decodeText(bytes) {
  return new NativeTextDecoder().decode(bytes);
}

configureInterface(Body);

export { isBody, innerOf, setInner };
