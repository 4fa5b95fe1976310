// https://compression.spec.whatwg.org/#compression-stream and #decompression-stream:
// TransformStreams around a native zlib stream (ops.zlibOpen, src/api/compression.h).
import { ops } from "../ops.js";
import { TransformStream } from "../streams/index.js";
import {
  configureInterface, constructPrefix, converters, createEnumConverter, illegalInvocation, isObject,
  makeException, requiredArguments,
} from "../webidl.js";

// https://compression.spec.whatwg.org/#enumdef-compressionformat
const convertFormat = createEnumConverter("CompressionFormat", ["deflate", "deflate-raw", "gzip"]);

const arrayBufferByteLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength").get;

// Web IDL BufferSource, which excludes views of shared memory (WebAssembly can make those even
// with SharedArrayBuffer switched off, and webidl.js only recognises them by that global).
function checkBufferSource(value, prefix, context) {
  if (ArrayBuffer.isView(value)) {
    try {
      Reflect.apply(arrayBufferByteLength, value.buffer, []);
    } catch {
      throw makeException(TypeError, "is not of type '(ArrayBuffer or ArrayBufferView)'.", prefix, context);
    }
  }
  converters.BufferSource(value, prefix, context);
}

// A TransformStream that sends each BufferSource chunk through zlib. `name` is the interface,
// for error messages.
function zlibTransform(format, decompress, name) {
  const zlib = ops.zlibOpen(format, decompress);
  // zlib's working memory, counted against the isolate's limit; made on first use, never
  // leaves this closure.
  let arena = null;
  const arenaFor = () => (arena ??= new Uint8Array(zlib.arenaSize));
  const prefix = `Failed to execute 'write' on '${name}'`;
  const enqueueAll = (controller, chunks) => {
    for (const chunk of chunks) controller.enqueue(chunk);
  };
  return new TransformStream({
    transform(chunk, controller) {
      checkBufferSource(chunk, prefix, "chunk");
      enqueueAll(controller, zlib.push(arenaFor(), chunk));
    },
    flush(controller) {
      enqueueAll(controller, zlib.finish(arenaFor()));
    },
  });
}

let isCompressionStream, isDecompressionStream;

export class CompressionStream {
  #transform;

  static {
    isCompressionStream = (value) => isObject(value) && #transform in value;
  }

  constructor(format) {
    const prefix = constructPrefix("CompressionStream");
    requiredArguments(arguments.length, 1, prefix);
    format = convertFormat(converters.DOMString(format, prefix, "parameter 1"), prefix, "parameter 1");
    this.#transform = zlibTransform(format, false, "CompressionStream");
  }

  get readable() {
    if (!isCompressionStream(this)) illegalInvocation();
    return this.#transform.readable;
  }

  get writable() {
    if (!isCompressionStream(this)) illegalInvocation();
    return this.#transform.writable;
  }
}

export class DecompressionStream {
  #transform;

  static {
    isDecompressionStream = (value) => isObject(value) && #transform in value;
  }

  constructor(format) {
    const prefix = constructPrefix("DecompressionStream");
    requiredArguments(arguments.length, 1, prefix);
    format = convertFormat(converters.DOMString(format, prefix, "parameter 1"), prefix, "parameter 1");
    this.#transform = zlibTransform(format, true, "DecompressionStream");
  }

  get readable() {
    if (!isDecompressionStream(this)) illegalInvocation();
    return this.#transform.readable;
  }

  get writable() {
    if (!isDecompressionStream(this)) illegalInvocation();
    return this.#transform.writable;
  }
}

configureInterface(CompressionStream, "CompressionStream");
configureInterface(DecompressionStream, "DecompressionStream");
