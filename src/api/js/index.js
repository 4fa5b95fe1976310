// The JavaScript half of wisp's global scope. Bundled at build time (scripts/bundle-js.mjs) and
// run once while the startup snapshot is built.
//
// Contract with C++ (src/api/global-scope.cc, src/io/worker.cc):
//   ops        native operations, see ops.js
//   internals  what this bundle hands back to C++:
//     DOMException                      class, used by C++ to throw DOMExceptions
//     fireTimer(id)                     a timer started with ops.timerStart(id, ms) is due
//     newRequest(method, url, headers, body, bodyLength)   -> Request   (headers: [[name, value], ...],
//                                       body: Uint8Array, null, or a native body id, fetch/native-body.js)
//     serializeResponse(value, streamBody)   -> Promise<{status, statusText, headers, body, bodyStream, bodyLength}>
//     pullBody(id) / cancelBody(id, reason)   C++ reads a stream JS exported (fetch/native-body.js)
//     dispatchFetch(handler, request, env, ctx) -> Promise<Response>
//     makeContext(props)                -> the `ctx` of an invocation
//     workersModule                     exports of the built-in module "cloudflare:workers"
//     socketsModule                     exports of the built-in module "cloudflare:sockets"
//     runTests(namespace)               -> Promise<[{name, ok, error}]>, for `wisp test`
//     testModule                        exports of the built-in module "wisp:test" (assertions)
//     codemodeModule                    exports of the built-in module "wisp:codemode" (a getter:
//                                       the "codemode" area loads on the first import)
//     addWorkerLoaders(env, [[binding, namespace], ...])   env[binding] = a Worker Loader
//     addMcpUpstreams(env)              env.UPSTREAMS = the upstream MCP servers (mcp-upstreams.js)
//     rpcDispatchEntrypoint(handler, ns, env, props, path, get, args) / rpcDispatchExport(id, path,
//                                       get, args) -> Promise<[ok, RpcPayload]>   an RPC call
//                                       delivered to this Worker (rpc/dispatch.js, io/rpc.h)
//     rpcRelease([id...])               exports whose last reference went (rpc/serialize.js)
//     rpcEnv(payload) / rpcProps(payload)   a structured-cloned env (read once) / ctx.props
//     rpcPipelineTarget(value) / rpcNotImplemented(name)   calls pipelined on a settled call
//     newIo(id) -> Promise / settleIo(id, ok, value)        C++ async work (Worker::awaitIo)
//     webSocketBridged(id) / webSocketEvent(id, kind, data, reason, wasClean)   an exported
//                                       WebSocket end: taken by C++ / the client sent a message
//                                       or closed (websocket/websocket.js)
//
// Order matters: later files use earlier ones (as Deno's numbered ext/ files do).
import { internals } from "./ops.js";
import { DOMException } from "./dom-exception.js";
import { Event, EventTarget, CustomEvent, ErrorEvent, reportError } from "./events.js";
import { WorkerGlobalScope, installGlobalPrototype } from "./global-scope.js";
import { AbortController, AbortSignal } from "./abort.js";
import { console } from "./console.js";
import * as timers from "./timers.js";
import { atob, btoa } from "./base64.js";
import { crypto, Crypto } from "./crypto.js";
import { performance, Performance } from "./performance.js";
import { navigator, Navigator } from "./navigator.js";
import { markPlatformInterface, structuredClone } from "./structured-clone.js";
import { URL, URLSearchParams } from "./url/url.js";
import { Headers } from "./fetch/headers.js";
import { Request } from "./fetch/request.js";
import { Response } from "./fetch/response.js";
import { fetch } from "./fetch/fetch.js";
import * as fetchInternals from "./fetch/internals.js";
import * as nativeBody from "./fetch/native-body.js";
import * as entrypoints from "./entrypoints.js";
import { runTests, testModule } from "./test-runner.js";
import { newIo, settleIo } from "./pending-io.js";
import { addWorkerLoaders } from "./worker-loader.js";
import { addMcpUpstreams } from "./mcp-upstreams.js";
import * as rpc from "./rpc/dispatch.js";
import { release as rpcRelease } from "./rpc/serialize.js";
import { socketsModule } from "./sockets.js";
import { defineLazyGlobals, loadArea } from "./lazy.js";

const globals = {
  DOMException, Event, EventTarget, CustomEvent, ErrorEvent, AbortController, AbortSignal, console,
  WorkerGlobalScope, reportError,
  setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout,
  setInterval: timers.setInterval, clearInterval: timers.clearInterval,
  queueMicrotask: timers.queueMicrotask, scheduler: timers.scheduler,
  atob, btoa, crypto, Crypto, performance, Performance, navigator, Navigator, structuredClone,
  URL, URLSearchParams, Headers, Request, Response, fetch,
};
for (const [name, value] of Object.entries(globals)) {
  // Web IDL: interfaces and operations on the global are writable, configurable, not enumerable.
  Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
}
Object.defineProperty(globalThis, "self", { value: globalThis, writable: true, configurable: true, enumerable: false });
installGlobalPrototype();  // the global is an EventTarget (global-scope.js)
// whatwg-url's classes are not made with configureInterface(); structuredClone must refuse them.
markPlatformInterface(URL, "URL");
markPlatformInterface(URLSearchParams, "URLSearchParams");
// As in workerd: the static methods exist, but there are no blob: URLs.
for (const name of ["createObjectURL", "revokeObjectURL"]) {
  const method = { [name]() { throw new Error(`URL.${name}() is not implemented`); } }[name];
  Object.defineProperty(URL, name, { value: method, writable: true, enumerable: true, configurable: true });
}

// Globals of the lazy areas (lazy.js): each area loads when one of its globals is first read.
defineLazyGlobals("streams", [
  "ReadableStream", "ReadableStreamDefaultReader", "ReadableStreamBYOBReader", "ReadableStreamBYOBRequest",
  "ReadableStreamDefaultController", "ReadableByteStreamController", "WritableStream",
  "WritableStreamDefaultWriter", "WritableStreamDefaultController", "TransformStream",
  "TransformStreamDefaultController", "ByteLengthQueuingStrategy", "CountQueuingStrategy",
  "TextEncoderStream", "TextDecoderStream", "IdentityTransformStream", "FixedLengthStream",
]);
defineLazyGlobals("file", ["Blob", "File", "FormData"]);
defineLazyGlobals("compression", ["CompressionStream", "DecompressionStream"]);
defineLazyGlobals("urlpattern", ["URLPattern"]);
defineLazyGlobals("webcrypto", ["SubtleCrypto", "CryptoKey"]);
defineLazyGlobals("messaging", ["MessageEvent", "MessageChannel", "MessagePort"]);
defineLazyGlobals("websocket", ["WebSocket", "WebSocketPair", "CloseEvent"]);

Object.assign(internals, {
  DOMException,
  fireTimer: timers.fireTimer,
  newRequest: fetchInternals.newRequest,
  serializeResponse: fetchInternals.serializeResponse,
  pullBody: nativeBody.pullBody,
  cancelBody: nativeBody.cancelBody,
  dispatchFetch: entrypoints.dispatchFetch,
  makeContext: entrypoints.makeContext,
  workersModule: entrypoints.workersModule,
  socketsModule,
  runTests,
  testModule,
  addWorkerLoaders,
  addMcpUpstreams,
  rpcDispatchEntrypoint: rpc.dispatchEntrypoint,
  rpcDispatchExport: rpc.dispatchExport,
  rpcRelease,
  rpcEnv: rpc.envOf,
  rpcProps: rpc.propsOf,
  rpcPipelineTarget: rpc.pipelineTarget,
  rpcNotImplemented: rpc.notImplementedPayload,
  newIo,
  settleIo,
  // A 101 Response's webSocket, taken by the runtime (websocket/websocket.js, io/js-web-socket.h).
  webSocketBridged: (id) => loadArea("websocket").webSocketBridged(id),
  webSocketEvent: (id, kind, data, reason, wasClean) => loadArea("websocket").webSocketEvent(id, kind, data, reason, wasClean),
});
Object.defineProperty(internals, "codemodeModule", {
  get: () => loadArea("codemode").codemodeModule, enumerable: true, configurable: true,
});
