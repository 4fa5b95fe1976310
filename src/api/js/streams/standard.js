// https://streams.spec.whatwg.org/: web-streams-polyfill (the spec's reference implementation,
// bundled from npm) with what it leaves out of the Web IDL surface put back. Its module sees
// wisp's DOMException, AbortController and structuredClone (polyfill-globals.js).
import {
  ByteLengthQueuingStrategy, CountQueuingStrategy, ReadableByteStreamController, ReadableStream,
  ReadableStreamBYOBReader, ReadableStreamBYOBRequest, ReadableStreamDefaultController,
  ReadableStreamDefaultReader, TransformStream, TransformStreamDefaultController, WritableStream,
  WritableStreamDefaultController, WritableStreamDefaultWriter,
} from "web-streams-polyfill";

// https://webidl.spec.whatwg.org/#es-asynchronous-iterator-prototype-object: the iterator of
// `for await (const chunk of stream)` inherits from %AsyncIteratorPrototype% and is tagged
// "ReadableStream AsyncIterator"; the polyfill's inherits from Object.prototype.
{
  const asyncIteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}).prototype);
  // Options without a prototype: the area may load while user code has accessors on
  // Object.prototype (start, type, highWaterMark, ...), which must not see this stream made.
  const probe = new ReadableStream({ __proto__: null }, { __proto__: null });
  const iteratorPrototype = Object.getPrototypeOf(probe.values());
  Object.setPrototypeOf(iteratorPrototype, asyncIteratorPrototype);
  Object.defineProperty(iteratorPrototype, Symbol.toStringTag, {
    value: "ReadableStream AsyncIterator", writable: false, enumerable: false, configurable: true,
  });
}

// console.log() shows an instance's attributes (`ReadableStream { locked: false }`), not the
// polyfill's internal fields.
{
  const customInspect = Symbol.for("nodejs.util.inspect.custom");
  const classes = [
    ByteLengthQueuingStrategy, CountQueuingStrategy, ReadableByteStreamController, ReadableStream,
    ReadableStreamBYOBReader, ReadableStreamBYOBRequest, ReadableStreamDefaultController,
    ReadableStreamDefaultReader, TransformStream, TransformStreamDefaultController, WritableStream,
    WritableStreamDefaultController, WritableStreamDefaultWriter,
  ];
  for (const Class of classes) {
    const getters = Object.entries(Object.getOwnPropertyDescriptors(Class.prototype))
      .filter(([, desc]) => desc.get !== undefined)
      .map(([name, desc]) => [name, desc.get]);
    Object.defineProperty(Class.prototype, customInspect, {
      value(depth, options, inspect) {
        const shown = {};
        for (const [name, get] of getters) {
          try {
            shown[name] = Reflect.apply(get, this, []);
          } catch {
            return `${Class.name} {}`;  // not an instance (the prototype itself)
          }
        }
        return `${Class.name} ${inspect(shown, { depth })}`;
      },
      writable: true, enumerable: false, configurable: true,
    });
  }
}

export {
  ByteLengthQueuingStrategy, CountQueuingStrategy, ReadableByteStreamController, ReadableStream,
  ReadableStreamBYOBReader, ReadableStreamBYOBRequest, ReadableStreamDefaultController,
  ReadableStreamDefaultReader, TransformStream, TransformStreamDefaultController, WritableStream,
  WritableStreamDefaultController, WritableStreamDefaultWriter,
};
