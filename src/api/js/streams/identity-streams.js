// Cloudflare Workers' IdentityTransformStream and FixedLengthStream
// (https://developers.cloudflare.com/workers/runtime-apis/streams/transformstream/): a byte pipe
// whose readable end is a byte stream (BYOB readers work) and whose writes settle only once a
// read has taken their bytes. A FixedLengthStream also checks that exactly its expected length
// went through, on the reading side, as Workers does.
//
// As in Workers, both are TransformStreams (instanceof, and `readable`/`writable` come from
// TransformStream.prototype). Where wisp differs: a chunk that is not bytes errors the whole
// stream (Workers rejects only that write), since a standard WritableStream has no other way
// to refuse one chunk.
import { utf8Encode } from "../fetch/body.js";
import { configureInterface, converters, constructPrefix, isObject, makeException } from "../webidl.js";
import { ReadableStream, TransformStream, WritableStream } from "./standard.js";
import { setKnownLength } from "./body-streams.js";

const notBytesMessage = "This TransformStream is being used as a byte stream, but received an object of " +
  "non-ArrayBuffer/ArrayBufferView type on its writable side.";
const tooManyBytesMessage = "Attempt to write too many bytes through a FixedLengthStream.";
const tooFewBytesMessage = "FixedLengthStream did not see all expected bytes before close().";
const lengthMessage = "FixedLengthStream requires an integer expected length less than 2^53.";

const arrayBufferSlice = ArrayBuffer.prototype.slice;

// A private copy of a chunk's bytes (so the caller may reuse its buffer), or null if the chunk
// is not bytes. Strings are written as UTF-8, as in Workers.
function chunkBytes(chunk) {
  if (chunk === undefined) return new Uint8Array(0);
  if (typeof chunk === "string") return utf8Encode(chunk);
  if (ArrayBuffer.isView(chunk)) {
    return new Uint8Array(Reflect.apply(arrayBufferSlice, chunk.buffer,
      [chunk.byteOffset, chunk.byteOffset + chunk.byteLength]));
  }
  try {
    return new Uint8Array(Reflect.apply(arrayBufferSlice, chunk, [0]));
  } catch {
    return null;  // not an ArrayBuffer
  }
}

// Workers converts these as unsigned 64-bit integers: fractions truncate, a bigint is taken as
// is, NaN, infinities and negative values throw.
function toUint64(value, prefix, context, message) {
  if (typeof value === "bigint") {
    if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) throw new TypeError(message ?? `${prefix}: ${context} is out of range.`);
    return Number(value);
  }
  const x = Math.trunc(converters["unrestricted double"](value, prefix, context));
  if (!Number.isFinite(x) || x < 0 || x > Number.MAX_SAFE_INTEGER) {
    throw new TypeError(message ?? `${prefix}: ${context} is out of range.`);
  }
  return x + 0;  // -0 is 0
}

// IdentityTransformStreamQueuingStrategy: { highWaterMark }, read once; `size` is never used.
function convertStrategy(strategy, prefix) {
  if (strategy === undefined || strategy === null) return undefined;
  if (!isObject(strategy)) {
    throw makeException(TypeError, "is not of type 'IdentityTransformStreamQueuingStrategy'.", prefix, "parameter");
  }
  const highWaterMark = strategy.highWaterMark;
  if (highWaterMark === undefined) return undefined;
  return toUint64(highWaterMark, prefix, "member 'highWaterMark' of 'IdentityTransformStreamQueuingStrategy'");
}

// The two ends of one pipe. expectedLength: null, or the exact byte count a FixedLengthStream
// must see.
function identityPipe(highWaterMark, expectedLength) {
  // The bytes of each chunk, copied when write() is called (the queuing strategy's size() runs
  // then), in write order: { chunk, bytes }. bytes is null for a chunk that is not bytes.
  const copies = [];
  let pendingWrite = null;  // { bytes, length, offset, resolve, reject }: the write the sink holds
  let closing = false;
  let finished = false;     // errored, cancelled or closed: nothing more moves
  let wakeReader = null;    // resolves the pull waiting for a write or a close
  let delivered = 0;
  let readableController, writableController;

  const wake = () => {
    const resolve = wakeReader;
    wakeReader = null;
    if (resolve !== null) resolve();
  };

  const fail = (error) => {
    finished = true;
    readableController.error(error);
    writableController.error(error);
    wake();
  };

  // Hands the pending write's bytes (or the end) to the read that asked for them.
  const deliver = (controller) => {
    if (finished) return;
    const request = controller.byobRequest;
    if (pendingWrite !== null) {
      const write = pendingWrite;
      const remaining = write.length - write.offset;
      const n = request ? Math.min(remaining, request.view.byteLength) : remaining;
      if (expectedLength !== null && delivered + n > expectedLength) {
        // Workers: the write goes through, the reader gets the error.
        pendingWrite = null;
        write.resolve();
        fail(new TypeError(tooManyBytesMessage));
        return;
      }
      delivered += n;
      if (request) {
        const view = request.view;
        new Uint8Array(view.buffer, view.byteOffset, n).set(write.bytes.subarray(write.offset, write.offset + n));
        request.respond(n);
      } else {
        // Our own copy: the byte stream may take (detach) its buffer.
        controller.enqueue(write.offset === 0 ? write.bytes : write.bytes.slice(write.offset));
      }
      write.offset += n;
      if (write.offset === write.length) {
        pendingWrite = null;
        write.resolve();
      }
    } else if (closing) {
      if (expectedLength !== null && delivered !== expectedLength) {
        fail(new TypeError(tooFewBytesMessage));
        return;
      }
      finished = true;
      controller.close();
      if (request) request.respond(0);
    }
  };

  const readable = new ReadableStream({
    type: "bytes",
    start(controller) { readableController = controller; },
    async pull(controller) {
      if (pendingWrite === null && !closing && !finished) {
        await new Promise((resolve) => { wakeReader = resolve; });
      }
      deliver(controller);
    },
    cancel(reason) {
      finished = true;
      const write = pendingWrite;
      pendingWrite = null;
      if (write !== null) write.reject(reason);
      writableController.error(reason);
      wake();
    },
  }, { highWaterMark: 0 });

  const writable = new WritableStream({
    start(controller) { writableController = controller; },
    write(chunk, controller) {
      // A write refused before it was queued (the stream was closing or errored) left its copy.
      let copy = copies.shift();
      while (copy !== undefined && copy.chunk !== chunk) copy = copies.shift();
      const bytes = copy === undefined ? chunkBytes(chunk) : copy.bytes;
      if (bytes === null) throw new TypeError(notBytesMessage);
      if (bytes.byteLength === 0 || finished) return undefined;
      return new Promise((resolve, reject) => {
        const write = { bytes, length: bytes.byteLength, offset: 0, resolve, reject };
        pendingWrite = write;
        // abort() does not wait for a reader: the parked write fails with the reason.
        controller.signal.addEventListener("abort", () => {
          if (pendingWrite !== write) return;
          pendingWrite = null;
          reject(controller.signal.reason);
        }, { once: true });
        wake();
      });
    },
    close() {
      closing = true;
      wake();
    },
    abort(reason) {
      if (finished) return;
      finished = true;
      readableController.error(reason);
      wake();
    },
  }, {
    highWaterMark: highWaterMark ?? 1,
    size(chunk) {
      const bytes = chunkBytes(chunk);
      copies.push({ chunk, bytes });
      return bytes === null ? 0 : bytes.byteLength;  // a chunk that is not bytes fails in write()
    },
  });

  return { readable, writable };
}

// Passed by FixedLengthStream to IdentityTransformStream's constructor.
const fixedLengthKey = Symbol("FixedLengthStream");

export class IdentityTransformStream extends TransformStream {
  constructor(queuingStrategy = undefined, key = undefined, expectedLength = null) {
    const isFixed = key === fixedLengthKey;
    const prefix = constructPrefix(isFixed ? "FixedLengthStream" : "IdentityTransformStream");
    let highWaterMark = convertStrategy(queuingStrategy, prefix);
    if (isFixed && highWaterMark !== undefined) highWaterMark = Math.min(highWaterMark, expectedLength);
    super();
    // The polyfill's TransformStream keeps its ends in these fields, read by its `readable` and
    // `writable` getters; the ends made by super() are dropped.
    const { readable, writable } = identityPipe(highWaterMark, isFixed ? expectedLength : null);
    this._readable = readable;
    this._writable = writable;
    if (isFixed) setKnownLength(readable, expectedLength);
  }
}

export class FixedLengthStream extends IdentityTransformStream {
  constructor(expectedLength, queuingStrategy = undefined) {
    const prefix = constructPrefix("FixedLengthStream");
    if (arguments.length < 1) throw new TypeError(`${prefix}: 1 argument required, but only 0 present.`);
    super(queuingStrategy, fixedLengthKey, toUint64(expectedLength, prefix, "parameter 1", lengthMessage));
  }
}

configureInterface(IdentityTransformStream, "IdentityTransformStream");
configureInterface(FixedLengthStream, "FixedLengthStream");
