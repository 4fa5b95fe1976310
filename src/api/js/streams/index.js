// The "streams" area: loaded on first use (see ../lazy.js). Exports its globals by name, and
// (not globals) what fetch bodies use, as `bodyStreams`.
export {
  ByteLengthQueuingStrategy, CountQueuingStrategy, ReadableByteStreamController, ReadableStream,
  ReadableStreamBYOBReader, ReadableStreamBYOBRequest, ReadableStreamDefaultController,
  ReadableStreamDefaultReader, TransformStream, TransformStreamDefaultController, WritableStream,
  WritableStreamDefaultController, WritableStreamDefaultWriter,
} from "./standard.js";
export { TextDecoderStream, TextEncoderStream } from "./text-streams.js";
export { FixedLengthStream, IdentityTransformStream } from "./identity-streams.js";
export * as bodyStreams from "./body-streams.js";
