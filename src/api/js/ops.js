// The native operations (C++: class Ops in src/api/global-scope.cc) and the object C++ reads
// back, captured once while the snapshot is built. The globals that carried them are deleted
// right after, so user code never sees either.
//
// ops.loadArea(name) -> (requireModule) => modules   a lazy area's bundle (see lazy.js)
// ops.log(level, message)            level: "debug" | "log" | "info" | "warn" | "error"
// ops.now()                          ms since the epoch, frozen while JS computes (Date.now())
// ops.timeOrigin()                   ms since the epoch when this isolate was created
// ops.timerStart(id, delayMs)        later C++ calls internals.fireTimer(id)
// ops.timerCancel(id)
// ops.waitUntil(promise)             keep the current invocation alive until it settles
// ops.fillRandom(arrayBufferView)    cryptographically random bytes, in place
// ops.structuredClone(value, transfer, hooks)   V8 ValueSerializer; throws DataCloneError
//                                    (transfer: an Array; hooks: see structured-clone.js)
// ops.newPlatformObject(prototype)   a host object V8's serializer hands to wisp (structured-clone.js)
// ops.ownNonIndexKeys(object)        own string and symbol keys, array indices left out
// ops.domainToASCII(domain, beStrict) -> string | null (null = failure)   (UTS #46, ICU)
// ops.domainToUnicode(domain)        -> string | null
// ops.loaderLoad(ns, name?, main, modules, env, cpuMs?, subRequests?, outbound, compatibility) -> id
//                                    (see js/worker-loader.js; env: an RpcPayload)
//                                    outbound: undefined (the host's), null (blocked) or
//                                    [entrypoint, props: RpcPayload?] (an entrypoint of the host)
//                                    compatibility: [date, flags], checked as workerd does
// ops.loaderAlive(id) -> bool
// ops.loaderHold(id) -> WorkerLease  unnamed Worker `id` is unloaded once V8 collects the lease
// ops.loaderCall(id, entrypoint, props, cpuMs?, subRequests?, path, get, args, pipeline) -> Promise<[ok, RpcPayload]>
//                                    an RPC call on a dynamic Worker's entrypoint (props, args:
//                                    RpcPayload or undefined; ok false: what the callee threw)
// ops.rpcShellClass(callable) / ops.rpcShell(cls, prototype, dispatcher)   stubs' host objects
//                                    (js/rpc/shell.js, src/js/shell.h)
// ops.rpcSerialize(value, hooks, capabilities, limited) -> RpcPayload   (js/rpc/serialize.js)
// ops.rpcDeserialize(payload, hooks, stub, longLived) -> value   stub(RpcImport) per reference
// ops.rpcExport() -> RpcImport       a new export of this Worker (RpcImport.exportId)
// ops.rpcEntrypointRef(name, props?) -> RpcImport   an entrypoint of this Worker, for another
// ops.rpcCall(import, path, get, args, pipeline) -> Promise<[ok, RpcPayload]>   a call through a stub
// ops.rpcPipeline() -> RpcPipelineHandle   what a call answers, for calls made on it meanwhile
// ops.rpcPipelineCall(on, path, get, args, pipeline) -> Promise | undefined   a pipelined call,
//                                    undefined once `on` settled (apply it to the value then)
// ops.rpcPipelineBreak(pipeline, thrownPayload)   the call was never made: its pipelined calls fail
// ops.rpcFetch(import, method, url, headers, body) -> Promise<[status, statusText, headers, body]>
//                                    fetch() through a service stub (an entrypoint reference)
// ops.loaderFetch(id, entrypoint, props, cpuMs?, subRequests?, method, url, headers, body)
//                                    -> Promise<[status, statusText, headers, body, logs, cpuMs, wallMs]>
//                                       or, if the invocation failed, Promise<[error, logs, cpuMs, wallMs]>
//                                       (rejects if the Worker could not start)
//                                       logs: [[level, timeMs, message], ...] of that invocation
// ops.fetchStart(method, url, headers, body, redirect) -> [id, Promise<[status, statusText, headers, urlList]>]
//                                    the global fetch() (fetch/fetch.js; C++: src/api/fetch.h):
//                                    counts a subrequest, then the request goes out under the
//                                    egress policy; throws the Workers error when the Worker's
//                                    outbound is blocked. body: Uint8Array or null.
// ops.fetchRead(id) -> Promise<Uint8Array | undefined>   next response body bytes (undefined: end)
// ops.fetchAbort(id)                 stops request `id` (its pending promises reject) and forgets it
// ops.socketConnect()                connect() of "cloudflare:sockets": always throws (sockets.js)
// ops.bodyRead(id) -> Promise<[Uint8Array | undefined, done]>   next bytes of a body C++ streams
//                                    in (an incoming request's; fetch/native-body.js; C++: src/api/body-source.h)
// ops.bodyCancel(id)                 the Worker will not read that body any more
// ops.webSocketSend(id, data)        a message (string: text, Uint8Array: binary) for the client
//                                    of WebSocket end `id`, exported in a 101 response
//                                    (websocket/websocket.js; C++: src/api/websocket-ops.h)
// ops.webSocketClose(id, code, reason)   a close frame for it (code 1005: without a code)
// ops.webcrypto()                    the native WebCrypto operations (src/api/crypto/webcrypto.h),
//                                    used by the "webcrypto" area
// ops.zlibOpen(format, decompress) -> a zlib stream (src/api/compression.h), used by the
//                                    "compression" area
// ops.codemodeNormalize(code) -> string   a Code Mode snippet as one async function expression
//                                    (src/api/codemode.h; throws SyntaxError), "codemode" area
// ops.mcpListTools() -> Promise<[{name, tools, error?}]>   the upstream MCP servers' tools
// ops.mcpCallTool(server, tool, argsJson) -> Promise<CallToolResult>   rejects when the upstream
//                                    failed (mcp-upstreams.js; C++: src/api/mcp-upstreams.h)
export const ops = globalThis.__wispOps;
export const internals = globalThis.__wispInternals;
