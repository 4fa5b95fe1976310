// What fetch bodies (../fetch/body.js) need from streams, through loadArea("streams"). The
// stream methods are captured here: user code may replace them on the prototypes.
import { structuredClone } from "../structured-clone.js";
import {
  ReadableByteStreamController, ReadableStream, ReadableStreamDefaultReader, TransformStream, WritableStream,
} from "./standard.js";
import { concatBytes } from "../bytes.js";

export const bytesMessage = "This ReadableStream did not return bytes.";

const { pipeThrough, pipeTo, tee } = ReadableStream.prototype;
const lockedGetter = Object.getOwnPropertyDescriptor(ReadableStream.prototype, "locked").get;
const arrayBufferSlice = ArrayBuffer.prototype.slice;
const promiseThen = Promise.prototype.then;
const readerRead = ReadableStreamDefaultReader.prototype.read;

// The polyfill's own brand check (the getter throws for anything else).
export function isReadableStream(value) {
  try {
    Reflect.apply(lockedGetter, value, []);
    return true;
  } catch {
    return false;
  }
}

// Streams whose length is known before they are read (a FixedLengthStream's readable): a body
// made from one has that length (a Content-Length on the wire), as in Workers.
const knownLengths = new WeakMap();

export function setKnownLength(stream, length) {
  knownLengths.set(stream, length);
}

export function knownLength(stream) {
  return knownLengths.get(stream) ?? null;
}

export function isLocked(stream) {
  return Reflect.apply(lockedGetter, stream, []);
}

// https://streams.spec.whatwg.org/#is-readable-stream-disturbed: the polyfill keeps
// [[disturbed]] in this field.
export function isDisturbed(stream) {
  return stream._disturbed === true;
}

// { error } for an errored stream (https://streams.spec.whatwg.org/#readablestream-storederror),
// else null; the polyfill keeps [[state]] and [[storedError]] in these fields.
export function erroredState(stream) {
  return stream._state === "errored" ? { error: stream._storedError } : null;
}

// https://fetch.spec.whatwg.org/#body-unusable
export function isUnusable(stream) {
  return isDisturbed(stream) || isLocked(stream);
}

// https://fetch.spec.whatwg.org/#concept-bodyinit-extract for bytes: a byte stream holding them.
export function streamFromBytes(bytes) {
  return new ReadableStream({
    type: "bytes",
    start(controller) {
      if (bytes.byteLength > 0) controller.enqueue(bytes);
      controller.close();
    },
  });
}

// A stream that has been read to its end (a body consumed before its stream was asked for).
export function consumedStream() {
  const stream = streamFromBytes(new Uint8Array(0));
  Reflect.apply(readerRead, new ReadableStreamDefaultReader(stream), []);
  return stream;
}

// A stream that reads `stream` through: `stream` is then disturbed and locked (a Request made
// from another takes its body this way, https://fetch.spec.whatwg.org/#dom-request step 42).
export function proxyStream(stream) {
  return Reflect.apply(pipeThrough, stream, [new TransformStream()]);
}

// Pipes `stream` into a new WritableStream with `sink` as its underlying sink (a body streamed
// out to C++, ../fetch/native-body.js); returns the pipe's promise.
export function pipeToSink(stream, sink) {
  return Reflect.apply(pipeTo, stream, [new WritableStream(sink)]);
}

// https://fetch.spec.whatwg.org/#concept-body-clone: https://streams.spec.whatwg.org/#readable-stream-tee
// with cloneForBranch2, so that the clone's chunks are not the original's objects. (A byte
// stream's tee already copies them.)
export function teeStream(stream) {
  const [mine, theirs] = Reflect.apply(tee, stream, []);
  if (stream._readableStreamController instanceof ReadableByteStreamController) return [mine, theirs];
  const cloning = new TransformStream({
    transform(chunk, controller) { controller.enqueue(structuredClone(chunk)); },
  });
  return [mine, Reflect.apply(pipeThrough, theirs, [cloning])];
}

// https://fetch.spec.whatwg.org/#body-fully-read: every chunk, as one Uint8Array in a record
// { bytes } without a prototype. As in Workers, any BufferSource chunk counts as bytes. Piping
// reads through the stream's own algorithms, not through promises of read results that a
// patched Object.prototype.then could intercept.
export function readAllBytes(stream) {
  const chunks = [];
  const sink = new WritableStream({
    write(chunk) {
      let bytes;
      if (ArrayBuffer.isView(chunk)) {
        bytes = new Uint8Array(Reflect.apply(arrayBufferSlice, chunk.buffer,
          [chunk.byteOffset, chunk.byteOffset + chunk.byteLength]));
      } else {
        try {
          bytes = new Uint8Array(Reflect.apply(arrayBufferSlice, chunk, [0]));
        } catch {
          throw new TypeError(bytesMessage);
        }
      }
      chunks.push(bytes);
    },
  });
  const piped = Reflect.apply(pipeTo, stream, [sink]);
  return Reflect.apply(promiseThen, piped, [() => ({ __proto__: null, bytes: chunks.length === 1 ? chunks[0] : concatBytes(chunks) })]);
}


