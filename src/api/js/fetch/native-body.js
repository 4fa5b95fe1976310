// Bodies that stream between C++ and JavaScript, pulled one piece at a time so that neither side
// buffers a whole body (C++: src/api/body-source.h, src/io/body-stream.h).
//
// In: nativeBody(id) is a body C++ produces, such as an incoming request's body arriving from the
// client, for InnerBody.fromSource (body.js). Read whole, it is pulled with ops.bodyRead(id) to
// its end (a body that arrived with its head takes one read); as `request.body` it is a byte
// stream that asks C++ for bytes only when its reader does, so a Worker that reads slowly (or
// not at all) slows the client down.
//
// Out: exportStream(stream) hands a ReadableStream the Worker produces (a streamed response body,
// a fetch() request body) to C++ and returns its id. C++ takes one chunk at a time with
// internals.pullBody(id), only once it has written the last one out, and can stop it with
// internals.cancelBody(id, reason), which cancels `stream` (its source's cancel() runs).
import { ops } from "../ops.js";
import { loadArea } from "../lazy.js";
import { concatBytes } from "../bytes.js";
import { utf8Encode } from "./body.js";

const bodyStreams = () => loadArea("streams").bodyStreams;
const isView = ArrayBuffer.isView;
const byteLengthGetter = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength").get;
const promiseThen = Promise.prototype.then;

// A source for InnerBody.fromSource: { stream(), readAll() }, either used at most once.
export function nativeBody(id) {
  return {
    stream() {
      const { ReadableStream } = loadArea("streams");
      return new ReadableStream({
        type: "bytes",
        async pull(controller) {
          const read = await ops.bodyRead(id);
          if (read[0] !== undefined) controller.enqueue(read[0]);
          if (read[1]) {
            controller.close();
            controller.byobRequest?.respond(0);
          }
        },
        cancel() {
          ops.bodyCancel(id);
        },
      });
    },
    // Resolves to { bytes } without a prototype, as InnerBody#read does.
    async readAll() {
      const chunks = [];
      for (;;) {
        const read = await ops.bodyRead(id);
        if (read[0] !== undefined) chunks.push(read[0]);
        if (read[1]) break;
      }
      return { __proto__: null, bytes: chunks.length === 1 ? chunks[0] : concatBytes(chunks) };
    },
  };
}

function isBytes(chunk) {
  if (isView(chunk)) return true;
  try {
    Reflect.apply(byteLengthGetter, chunk, []);
    return true;
  } catch {
    return false;
  }
}

// id -> the state of one exported stream:
//   offer     { chunk, taken } the chunk the pipe wrote, waiting for C++ to pull it
//   pull      { resolve, reject } C++'s pull, waiting for a chunk (or the end)
//   ended     the stream closed;  error: why it failed (undefined while it has not)
//   controller  the sink's WritableStreamDefaultController, to stop the pipe on cancel
const exported = new Map();
let lastExportId = 0;

// Serves C++'s pending pull, if there is one and there is something to answer with.
function serve(id, state) {
  const pull = state.pull;
  if (pull === null) return;
  if (state.offer !== null) {
    const { chunk, taken } = state.offer;
    state.offer = null;
    state.pull = null;
    // C++ copies the bytes in its reaction to this promise, which runs before the pipe sees the
    // write settle (reactions run in order): the Worker may reuse the chunk's buffer after that.
    pull.resolve({ __proto__: null, bytes: chunk });
    taken();
  } else if (state.error !== undefined) {
    exported.delete(id);
    state.pull = null;
    pull.reject(state.error);
  } else if (state.ended) {
    exported.delete(id);
    state.pull = null;
    pull.resolve({ __proto__: null, bytes: undefined });
  }
}

// Hands `stream` (a ReadableStream, not locked or disturbed) to C++; returns its id. The stream is
// read through a pipe: pipeTo uses the stream's own algorithms, not promises of read results
// that a patched Object.prototype.then could intercept.
export function exportStream(stream) {
  const id = ++lastExportId;
  const state = { offer: null, pull: null, ended: false, error: undefined, controller: null };
  exported.set(id, state);
  const piped = bodyStreams().pipeToSink(stream, {
    start(controller) {
      state.controller = controller;
    },
    write(chunk) {
      // As in workerd: a string chunk is sent as its UTF-8 bytes.
      if (typeof chunk === "string") chunk = utf8Encode(chunk);
      if (!isBytes(chunk)) {
        // As in Workers: a body stream carries bytes (or strings) only. The pipe then cancels it.
        state.error = new TypeError(bodyStreams().bytesMessage);
        serve(id, state);
        throw state.error;
      }
      return new Promise((taken) => {
        state.offer = { chunk, taken };
        serve(id, state);
      });
    },
    close() {
      state.ended = true;
      serve(id, state);
    },
    abort(reason) {
      state.error = reason;
      serve(id, state);
    },
  });
  Reflect.apply(promiseThen, piped, [undefined, () => {}]);  // failures reach C++ through pulls
  return id;
}

// C++ asks for the next chunk of exported stream `id`: Promise<{ bytes }> with bytes a
// BufferSource, or undefined at the end; rejects with the stream's error.
export function pullBody(id) {
  const state = exported.get(id);
  if (state === undefined) return Promise.reject(new TypeError("This body stream is no longer available."));
  return new Promise((resolve, reject) => {
    state.pull = { resolve, reject };
    serve(id, state);
  });
}

// C++ will not pull exported stream `id` any more (the client went away, the invocation is
// over): the stream is cancelled with a TypeError carrying `reason`.
export function cancelBody(id, reason) {
  stopExported(id, new TypeError(String(reason)));
}

// fetch() was aborted while C++ may still read exported stream `id`: the stream is cancelled
// with the signal's reason (https://fetch.spec.whatwg.org/#abort-fetch).
export function abortBody(id, reason) {
  stopExported(id, reason);
}

function stopExported(id, error) {
  const state = exported.get(id);
  if (state === undefined) return;
  exported.delete(id);
  state.error = error;
  // Erroring the sink makes the pipe cancel the stream. A write in flight must settle first for
  // the sink to become errored, so the offered chunk is let go.
  state.controller?.error(error);
  if (state.offer !== null) {
    state.offer.taken();
    state.offer = null;
  }
  if (state.pull !== null) {
    state.pull.reject(error);
    state.pull = null;
  }
}
