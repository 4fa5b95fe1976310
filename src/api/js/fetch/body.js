// https://fetch.spec.whatwg.org/#body-mixin
//
// As in Workers, Request and Response inherit the mixin's members from a shared Body class
// (not a global). A body is held by an InnerBody: bytes for as long as nobody asks for its
// ReadableStream (`body`), so that `new Response("x").text()` never loads the streams area;
// a ReadableStream once it was asked for, or when the body was given as one; or a source whose
// bytes come from elsewhere (native-body.js: a request body arriving from the client), read
// whole or turned into a stream when asked for.
import { loadArea } from "../lazy.js";
import { isURLSearchParams, serializeURLSearchParams } from "../url/url.js";
import { headerPairs } from "./headers.js";
import { configureInterface, converters, illegalConstructor, illegalInvocation, internalKey, isObject } from "../webidl.js";

export const bodyUsedMessage =
  "Body has already been used. It can only be used once. Use tee() first if you need to read it twice.";
export const lockedMessage = "This ReadableStream is currently locked to a reader.";
const disturbedStreamMessage =
  "This ReadableStream is disturbed (has already been read from), and cannot be used as a body.";

// Captured now: user code may replace the globals. Instances are made per call because a
// wrapped C++ object cannot be part of the startup snapshot. The streams area uses them too.
export const NativeTextEncoder = globalThis.TextEncoder;
export const NativeTextDecoder = globalThis.TextDecoder;

const bodyStreams = () => loadArea("streams").bodyStreams;
const promiseThen = Promise.prototype.then;  // user code may replace it

// A ReadableStream exists only once the streams area is loaded, and has this own field
// (web-streams-polyfill's): other values are told apart without loading the area.
function isReadableStream(value) {
  return isObject(value) && Object.prototype.hasOwnProperty.call(value, "_readableStreamController") &&
    bodyStreams().isReadableStream(value);
}

// https://fetch.spec.whatwg.org/#concept-body: the body's content and whether it was read.
export class InnerBody {
  #bytes;          // Uint8Array that owns its whole ArrayBuffer; null once consumed or streamed
  #stream = null;  // the body's ReadableStream, once asked for or given
  #source = null;  // { stream(), readAll() } until either is used (see fromSource)
  #consumed = false;  // the bytes were read without a stream
  #length;         // the length in bytes, or null if unknown (a stream)

  constructor(bytes) {
    if (bytes === null) {  // see fromStream
      this.#bytes = null;
      this.#length = null;
      return;
    }
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    this.#bytes = whole ? bytes : ownBytes(bytes);
    this.#length = this.#bytes.byteLength;
  }

  static fromStream(stream, length = null) {
    const inner = new InnerBody(null);
    inner.#stream = stream;
    inner.#length = length;
    return inner;
  }

  // A body read from `source`: { stream() -> ReadableStream, readAll() -> Promise<{ bytes }> },
  // either called at most once.
  static fromSource(source, length = null) {
    const inner = new InnerBody(null);
    inner.#source = source;
    inner.#length = length;
    return inner;
  }

  // Whether the content is a stream (given, asked for, or from a source) rather than bytes.
  get streamed() {
    return this.#stream !== null || this.#source !== null;
  }

  // https://fetch.spec.whatwg.org/#concept-body-disturbed
  get used() {
    return this.#stream === null ? this.#consumed : bodyStreams().isDisturbed(this.#stream);
  }

  // https://fetch.spec.whatwg.org/#body-unusable: disturbed or locked.
  get unusable() {
    return this.#stream === null ? this.#consumed : bodyStreams().isUnusable(this.#stream);
  }

  // { error } when the body is a stream that has errored (a fetch() aborted after its response
  // came), else null.
  get failure() {
    return this.#stream === null ? null : bodyStreams().erroredState(this.#stream);
  }

  // The error for an unusable body.
  unusableError() {
    return this.used ? new TypeError(bodyUsedMessage) : new TypeError(lockedMessage);
  }

  // The length in bytes, or null when unknown.
  get length() { return this.#length; }

  // https://fetch.spec.whatwg.org/#concept-body-stream (loads the streams area)
  get stream() {
    if (this.#stream === null && this.#source !== null) {
      this.#stream = this.#source.stream();
      this.#source = null;
    } else if (this.#stream === null) {
      const streams = bodyStreams();
      this.#stream = this.#consumed ? streams.consumedStream() : streams.streamFromBytes(this.#bytes);
      this.#bytes = null;
    }
    return this.#stream;
  }

  // https://fetch.spec.whatwg.org/#concept-body-consume-body: reads the whole body, once.
  // Resolves to a record { bytes } without a prototype: a promise resolved with the Uint8Array
  // itself would look up `then` on it, which user code can add to Object.prototype.
  read() {
    if (this.unusable) return Promise.reject(this.unusableError());
    if (this.#stream !== null) return bodyStreams().readAllBytes(this.#stream);
    this.#consumed = true;
    if (this.#source !== null) {
      const source = this.#source;
      this.#source = null;
      return source.readAll();
    }
    const bytes = this.#bytes;
    this.#bytes = null;
    return Promise.resolve({ __proto__: null, bytes });
  }

  // read(), resolving to the Uint8Array.
  async consume() {
    return (await this.read()).bytes;
  }

  // Moves the content into a new InnerBody and leaves this one used (a Request built from
  // another Request takes over its body). A stream is read through a new one.
  transfer() {
    if (this.unusable) throw this.unusableError();
    if (this.#stream !== null) return InnerBody.fromStream(bodyStreams().proxyStream(this.#stream), this.#length);
    this.#consumed = true;
    if (this.#source !== null) {
      const source = this.#source;
      this.#source = null;
      return InnerBody.fromSource(source, this.#length);
    }
    const bytes = this.#bytes;
    this.#bytes = null;
    return new InnerBody(bytes);
  }

  // https://fetch.spec.whatwg.org/#concept-body-clone: a stream is teed, this body keeps one
  // branch.
  clone() {
    if (this.unusable) throw this.unusableError();
    if (!this.streamed) return new InnerBody(this.#bytes.slice());
    const [mine, theirs] = bodyStreams().teeStream(this.stream);
    this.#stream = mine;
    return InnerBody.fromStream(theirs, this.#length);
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
// (ReadableStream or Blob or BufferSource or FormData or URLSearchParams or USVString).
// Returns { body: InnerBody, type: string | null }. `object` is not null or undefined.
export function extractBody(object, prefix, context) {
  if (isReadableStream(object)) {
    if (bodyStreams().isUnusable(object)) throw new TypeError(disturbedStreamMessage);
    return { body: InnerBody.fromStream(object, bodyStreams().knownLength(object)), type: null };
  }
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
  if (isObject(object)) {
    // Only an object can be a Blob or FormData; the file area exists once one does.
    const extracted = loadArea("file").bodyFiles.extract(object);
    if (extracted !== null) return { body: new InnerBody(extracted.bytes), type: extracted.type };
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

  // https://fetch.spec.whatwg.org/#dom-body-body
  get body() {
    if (!isBody(this)) illegalInvocation();
    return this.#inner === null ? null : this.#inner.stream;
  }

  get bodyUsed() {
    if (!isBody(this)) illegalInvocation();
    return this.#inner !== null && this.#inner.used;
  }

  // https://fetch.spec.whatwg.org/#dom-body-arraybuffer
  arrayBuffer() {
    return consumeBody(this, ({ bytes }) => bytes.buffer);
  }

  // https://fetch.spec.whatwg.org/#dom-body-blob
  blob() {
    return consumeBody(this, ({ bytes }) => loadArea("file").bodyFiles.packageBlob(bytes, contentTypes(this)));
  }

  // https://fetch.spec.whatwg.org/#dom-body-bytes
  bytes() {
    return consumeBody(this, ({ bytes }) => bytes);
  }

  // https://fetch.spec.whatwg.org/#dom-body-formdata
  formData() {
    return consumeBody(this, ({ bytes }) => loadArea("file").bodyFiles.packageFormData(bytes, contentTypes(this)));
  }

  // https://fetch.spec.whatwg.org/#dom-body-json
  json() {
    return consumeBody(this, ({ bytes }) => JSON.parse(decodeText(bytes)));
  }

  // https://fetch.spec.whatwg.org/#dom-body-text
  text() {
    return consumeBody(this, ({ bytes }) => decodeText(bytes));
  }
}

// https://fetch.spec.whatwg.org/#concept-body-consume-body: `convert` turns the { bytes } record
// (see InnerBody#read) into the result; a null body reads as empty and stays usable. A body
// whose stream has errored rejects at once with its error, as reading it would in the same
// step (so a fetch() aborted after its response rejects every read before the next microtask).
function consumeBody(object, convert) {
  try {
    if (!isBody(object)) illegalInvocation();
    const inner = innerOf(object);
    let read;
    if (inner === null) {
      read = Promise.resolve({ __proto__: null, bytes: new Uint8Array(0) });
    } else {
      const failure = inner.unusable ? null : inner.failure;
      if (failure !== null) return Promise.reject(failure.error);
      read = inner.read();
    }
    return Reflect.apply(promiseThen, read, [convert]);
  } catch (error) {
    return Promise.reject(error);
  }
}

// The values of a Request's or Response's Content-Type headers (blob() and formData() need
// its MIME type).
function contentTypes(body) {
  return headerPairs(body.headers).filter(([name]) => name === "content-type").map(([, value]) => value);
}

// https://encoding.spec.whatwg.org/#utf-8-decode (drops a leading BOM)
function decodeText(bytes) {
  return new NativeTextDecoder().decode(bytes);
}

configureInterface(Body);

export { isBody, innerOf, setInner };
