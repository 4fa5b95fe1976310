// What web-streams-polyfill (the reference implementation, bundled as this area's core) sees
// in place of the few globals it looks up. The bundler (scripts/bundle-js.mjs) declares these
// names at the top of its module, so user code that replaced a global before the area loaded
// changes nothing, and its errors are wisp's DOMException.
import { AbortController } from "../abort.js";
import { DOMException } from "../dom-exception.js";
import { structuredClone } from "../structured-clone.js";

export const streamsGlobals = {
  // The polyfill reads `globalThis.DOMException` (and only that) once, when it loads.
  globalThis: { DOMException },
  // WritableStreamDefaultController#signal.
  AbortController,
  // Without it the polyfill queues microtasks through its own captured Promise#then, which
  // skips wisp's per-call argument checks.
  queueMicrotask: undefined,
  // Detaching an ArrayBuffer (V8 10.2 has no ArrayBuffer.prototype.transfer). A buffer that
  // cannot be detached (a WebAssembly.Memory's) is a TypeError for streams, as in the spec.
  structuredClone(value, options) {
    try {
      return structuredClone(value, options);
    } catch (error) {
      if (error instanceof DOMException && error.name === "DataCloneError") throw new TypeError(error.message);
      throw error;
    }
  },
};
