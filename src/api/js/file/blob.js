// https://w3c.github.io/FileAPI/#blob-section and #file-section: Blob and File.
//
// A Blob's bytes are one immutable Uint8Array; slice() views the same buffer instead of copying
// it, and every read hands out a copy, so no caller can change a Blob's bytes.
import { loadArea } from "../lazy.js";
import { NativeTextDecoder, utf8Encode } from "../fetch/body.js";
import {
  configureInterface, constructPrefix, converters, createEnumConverter, illegalInvocation, internalKey,
  isObject, makeException, methodPrefix, requiredArguments,
} from "../webidl.js";
import { concatBytes } from "../bytes.js";
import { DOMException } from "../dom-exception.js";
import { defineSerializable, newPlatformObject } from "../structured-clone.js";

// Large Blobs are streamed in chunks of this size (each a copy).
const streamChunkSize = 65536;

const convertEndings = createEnumConverter("EndingType", ["transparent", "native"]);

// https://w3c.github.io/FileAPI/#dfn-BlobPropertyBag, members read in lexicographic order.
function convertBlobPropertyBag(bag, prefix, context, name = "BlobPropertyBag") {
  if (bag !== undefined && bag !== null && !isObject(bag)) {
    throw makeException(TypeError, `is not of type '${name}'.`, prefix, context);
  }
  const get = (key) => (bag === undefined || bag === null ? undefined : bag[key]);
  const out = { endings: "transparent", type: "" };
  const endings = get("endings");
  if (endings !== undefined) out.endings = convertEndings(endings, prefix, `member 'endings' of '${name}'`);
  if (name === "FilePropertyBag") {
    const lastModified = get("lastModified");
    if (lastModified !== undefined) {
      out.lastModified = converters["long long"](lastModified, prefix, `member 'lastModified' of '${name}'`);
    }
  }
  const type = get("type");
  if (type !== undefined) out.type = converters.DOMString(type, prefix, `member 'type' of '${name}'`);
  return out;
}

// https://webidl.spec.whatwg.org/#es-sequence of BlobPart = (BufferSource or Blob or USVString).
// Each part is converted as soon as the iterator yields it (the order WPT checks). A
// BufferSource stays a reference: its bytes are copied when the parts are processed.
function convertBlobParts(value, prefix, context) {
  const method = isObject(value) ? value[Symbol.iterator] : undefined;
  if (typeof method !== "function") {
    throw makeException(TypeError, "can not be converted to sequence.", prefix, context);
  }
  const parts = [];
  for (const item of { [Symbol.iterator]: () => method.call(value) }) {
    if (isBlob(item)) {
      parts.push(item);
    } else if (isObject(item) && (ArrayBuffer.isView(item) || isArrayBuffer(item))) {
      parts.push(convertBufferSource(item, prefix, `${context}, index ${parts.length}`));
    } else {
      parts.push(converters.USVString(item, prefix, `${context}, index ${parts.length}`));
    }
  }
  return parts;
}

const arrayBufferByteLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength").get;

function isArrayBuffer(value) {
  try {
    Reflect.apply(arrayBufferByteLength, value, []);
    return true;
  } catch {
    return false;
  }
}

// Web IDL BufferSource, which excludes views of shared memory (WebAssembly can make those even
// with SharedArrayBuffer switched off, and webidl.js only recognises them by that global).
function convertBufferSource(value, prefix, context) {
  if (ArrayBuffer.isView(value) && !isArrayBuffer(value.buffer)) {
    throw makeException(TypeError, "is not of type '(ArrayBuffer or ArrayBufferView)'.", prefix, context);
  }
  return converters.BufferSource(value, prefix, context);
}

// https://w3c.github.io/FileAPI/#convert-line-endings-to-native (native is LF here).
function toNativeLineEndings(text) {
  return text.replace(/\r\n?/g, "\n");
}

// https://w3c.github.io/FileAPI/#process-blob-parts: the parts' bytes, concatenated.
function processBlobParts(parts, endings) {
  const chunks = [];
  for (const part of parts) {
    let chunk;
    if (typeof part === "string") {
      chunk = utf8Encode(endings === "native" ? toNativeLineEndings(part) : part);
    } else if (isBlob(part)) {
      chunk = bytesOf(part);
    } else if (ArrayBuffer.isView(part)) {
      chunk = new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
    } else {
      chunk = new Uint8Array(part);
    }
    chunks.push(chunk);
  }
  if (chunks.length === 1 && typeof parts[0] === "string") return chunks[0];  // already a copy
  return concatBytes(chunks);
}

// A type attribute: lowercase printable ASCII, or "" if it holds anything else.
export function normalizeType(type) {
  return /^[\x20-\x7E]*$/.test(type) ? type.toLowerCase() : "";
}

// https://w3c.github.io/FileAPI/#slice-blob: a relative position clamped into [0, size].
function relativePosition(position, size) {
  return position < 0 ? Math.max(size + position, 0) : Math.min(position, size);
}

// Blob -> { bytes, type }. Serialisable, so a Blob is a host object (newPlatformObject) and its
// state cannot be #private fields of this base class: they would land on the `this` that the
// constructor discards (File, a subclass, keeps #private fields on the object it gets).
const blobs = new WeakMap();

function stateOf(blob) {
  const state = isObject(blob) ? blobs.get(blob) : undefined;
  if (state === undefined) illegalInvocation();
  return state;
}

const isBlob = (value) => isObject(value) && blobs.has(value);
const bytesOf = (blob) => blobs.get(blob).bytes;
const typeOf = (blob) => blobs.get(blob).type;

export class Blob {
  // The runtime passes (internalKey, [bytes, type]) for a Blob of bytes it already holds.
  constructor(blobParts = undefined, options = undefined) {
    let bytes, type;
    if (blobParts === internalKey) {
      [bytes, type] = options;
    } else {
      const prefix = constructPrefix("Blob");
      const parts = blobParts === undefined ? [] : convertBlobParts(blobParts, prefix, "parameter 1");
      const bag = convertBlobPropertyBag(options, prefix, "parameter 2");
      bytes = processBlobParts(parts, bag.endings);
      type = normalizeType(bag.type);
    }
    const self = newPlatformObject(new.target);
    blobs.set(self, { bytes, type });
    return self;
  }

  get size() {
    return stateOf(this).bytes.byteLength;
  }

  get type() {
    return stateOf(this).type;
  }

  // https://w3c.github.io/FileAPI/#dfn-slice
  slice(start = undefined, end = undefined, contentType = undefined) {
    const { bytes } = stateOf(this);
    const prefix = methodPrefix("Blob", "slice");
    const size = bytes.byteLength;
    const clamp = { clamp: true };
    const from = start === undefined ? 0
      : relativePosition(converters["long long"](start, prefix, "parameter 1", clamp), size);
    const to = end === undefined ? size
      : relativePosition(converters["long long"](end, prefix, "parameter 2", clamp), size);
    const type = contentType === undefined ? ""
      : normalizeType(converters.DOMString(contentType, prefix, "parameter 3"));
    const span = Math.max(to - from, 0);
    return new Blob(internalKey, [bytes.subarray(from, from + span), type]);
  }

  // https://w3c.github.io/FileAPI/#dom-blob-stream: a byte stream, so BYOB readers work too.
  stream() {
    const { bytes } = stateOf(this);
    const { ReadableStream } = loadArea("streams");
    let offset = 0;
    return new ReadableStream({
      type: "bytes",
      pull(controller) {
        if (offset >= bytes.byteLength) {
          controller.close();
          controller.byobRequest?.respond(0);
          return;
        }
        const end = Math.min(offset + streamChunkSize, bytes.byteLength);
        controller.enqueue(bytes.slice(offset, end));
        offset = end;
      },
    });
  }

  // https://w3c.github.io/FileAPI/#dom-blob-text
  async text() {
    return new NativeTextDecoder().decode(stateOf(this).bytes);
  }

  // https://w3c.github.io/FileAPI/#dom-blob-arraybuffer
  async arrayBuffer() {
    return stateOf(this).bytes.slice().buffer;
  }

  // https://w3c.github.io/FileAPI/#dom-blob-bytes
  async bytes() {
    return stateOf(this).bytes.slice();
  }
}

configureInterface(Blob, "Blob");

let isFile, nameOf, lastModifiedOf;

export class File extends Blob {
  #name;
  #lastModified;

  static {
    isFile = (value) => isObject(value) && #name in value;
    nameOf = (file) => file.#name;
    lastModifiedOf = (file) => file.#lastModified;
  }

  // The runtime passes (internalKey, [bytes, type, name, lastModified]).
  constructor(fileBits, fileName, options = undefined) {
    if (fileBits === internalKey) {
      const [bytes, type, name, lastModified] = fileName;
      super(internalKey, [bytes, type]);
      this.#name = name;
      this.#lastModified = lastModified;
      return;
    }
    const prefix = constructPrefix("File");
    requiredArguments(arguments.length, 2, prefix);
    const parts = convertBlobParts(fileBits, prefix, "parameter 1");
    const name = converters.USVString(fileName, prefix, "parameter 2");
    const bag = convertBlobPropertyBag(options, prefix, "parameter 3", "FilePropertyBag");
    super(internalKey, [processBlobParts(parts, bag.endings), normalizeType(bag.type)]);
    this.#name = name;
    // Date.now() is wisp's frozen clock (a whole number of milliseconds).
    this.#lastModified = bag.lastModified ?? Date.now();
  }

  get name() {
    if (!isFile(this)) illegalInvocation();
    return this.#name;
  }

  get lastModified() {
    if (!isFile(this)) illegalInvocation();
    return this.#lastModified;
  }
}

configureInterface(File, "File");

// https://w3c.github.io/FileAPI/#blob-section: Blob and File are serializable; a clone holds a
// copy of the bytes (only the ones a slice covers, not the whole buffer behind it).
const cloneError = (name) => new DOMException(`${name} object could not be cloned.`, "DataCloneError");

function ownBytes(bytes) {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}

defineSerializable(Blob, "Blob", {
  serialize(blob) {
    if (!isBlob(blob)) throw cloneError("Blob");
    return { bytes: ownBytes(bytesOf(blob)), type: typeOf(blob) };
  },
  deserialize({ bytes, type }) {
    return new Blob(internalKey, [bytes, type]);
  },
});

defineSerializable(File, "File", {
  serialize(file) {
    if (!isFile(file)) throw cloneError("File");
    return {
      bytes: ownBytes(bytesOf(file)), type: typeOf(file), name: nameOf(file), lastModified: lastModifiedOf(file),
    };
  },
  deserialize({ bytes, type, name, lastModified }) {
    return new File(internalKey, [bytes, type, name, lastModified]);
  },
});

// --- for FormData and fetch bodies ------------------------------------------------------------

export { isBlob, isFile, bytesOf, typeOf, nameOf, lastModifiedOf };

// A Blob of `bytes` (a Uint8Array nobody else writes to) with an already valid type.
export function blobFromBytes(bytes, type) {
  return new Blob(internalKey, [bytes, type]);
}

// A File of `bytes` (see blobFromBytes).
export function fileFromBytes(bytes, name, type, lastModified = undefined) {
  lastModified ??= Date.now();
  return new File(internalKey, [bytes, type, name, lastModified]);
}
