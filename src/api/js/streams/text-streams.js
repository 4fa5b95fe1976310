// https://encoding.spec.whatwg.org/#interface-textencoderstream and #interface-textdecoderstream:
// TransformStreams around wisp's own (C++) TextEncoder and TextDecoder.
import { NativeTextDecoder, NativeTextEncoder } from "../fetch/body.js";
import { configureInterface, converters, constructPrefix, illegalInvocation, isObject } from "../webidl.js";
import { TransformStream } from "./standard.js";

const replacementBytes = [0xef, 0xbf, 0xbd];  // U+FFFD in UTF-8

const isHighSurrogate = (c) => c >= 0xd800 && c <= 0xdbff;

// Brand checks, set by the classes' static blocks.
let isEncoderStream, isDecoderStream;

// https://encoding.spec.whatwg.org/#interface-textencoderstream
export class TextEncoderStream {
  #readable;
  #writable;

  constructor() {
    const encoder = new NativeTextEncoder();
    // https://encoding.spec.whatwg.org/#textencoderstream-pending-high-surrogate: a surrogate
    // pair may be split between two chunks.
    let pendingHigh = null;
    const transform = new TransformStream({
      transform(chunk, controller) {
        let text = converters.DOMString(chunk, "Failed to execute 'write' on 'TextEncoderStream'", "chunk");
        if (pendingHigh !== null) {
          text = String.fromCharCode(pendingHigh) + text;
          pendingHigh = null;
        }
        if (text.length > 0 && isHighSurrogate(text.charCodeAt(text.length - 1))) {
          pendingHigh = text.charCodeAt(text.length - 1);
          text = text.slice(0, -1);
        }
        // A lone surrogate left in `text` (also a high one not followed by its pair) becomes
        // U+FFFD in the native encoder.
        if (text.length > 0) controller.enqueue(encoder.encode(text));
      },
      flush(controller) {
        if (pendingHigh !== null) controller.enqueue(new Uint8Array(replacementBytes));
      },
    });
    this.#readable = transform.readable;
    this.#writable = transform.writable;
  }

  get encoding() {
    checkEncoder(this);
    return "utf-8";
  }

  get readable() { return checkEncoder(this).#readable; }
  get writable() { return checkEncoder(this).#writable; }

  static {
    isEncoderStream = (value) => isObject(value) && #readable in value;
  }
}

function checkEncoder(value) {
  if (!isEncoderStream(value)) illegalInvocation();
  return value;
}

// https://encoding.spec.whatwg.org/#interface-textdecoderstream
export class TextDecoderStream {
  #decoder;
  #readable;
  #writable;

  constructor(label = "utf-8", options = undefined) {
    const prefix = constructPrefix("TextDecoderStream");
    label = converters.DOMString(label, prefix, "parameter 1");
    // The native constructor converts the options and throws RangeError for an unknown label.
    const decoder = new NativeTextDecoder(label, options);
    const transform = new TransformStream({
      transform(chunk, controller) {
        converters.BufferSource(chunk, "Failed to execute 'write' on 'TextDecoderStream'", "chunk");
        const text = decoder.decode(chunk, { stream: true });
        if (text.length > 0) controller.enqueue(text);
      },
      flush(controller) {
        const text = decoder.decode();
        if (text.length > 0) controller.enqueue(text);
      },
    });
    this.#decoder = decoder;
    this.#readable = transform.readable;
    this.#writable = transform.writable;
  }

  get encoding() { return checkDecoder(this).#decoder.encoding; }
  get fatal() { return checkDecoder(this).#decoder.fatal; }
  get ignoreBOM() { return checkDecoder(this).#decoder.ignoreBOM; }
  get readable() { return checkDecoder(this).#readable; }
  get writable() { return checkDecoder(this).#writable; }

  static {
    isDecoderStream = (value) => isObject(value) && #decoder in value;
  }
}

function checkDecoder(value) {
  if (!isDecoderStream(value)) illegalInvocation();
  return value;
}

configureInterface(TextEncoderStream, "TextEncoderStream");
configureInterface(TextDecoderStream, "TextDecoderStream");
