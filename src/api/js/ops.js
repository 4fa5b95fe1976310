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
// ops.loaderLoad(ns, name?, main, modules, envJson, cpuMs?, subRequests?) -> id   (see js/worker-loader.js)
// ops.loaderAlive(id) -> bool
// ops.loaderFetch(id, entrypoint, propsJson, cpuMs?, subRequests?, method, url, headers, body)
//                                    -> Promise<[status, statusText, headers, body, logs, cpuMs, wallMs]>
//                                       logs: [[level, timeMs, message], ...] of that invocation
// ops.fetchStart(method, url, headers, body, redirect) -> [id, Promise<[status, statusText, headers, urlList]>]
//                                    the global fetch() (fetch/fetch.js; C++: src/api/fetch.h):
//                                    counts a subrequest, then the request goes out under the
//                                    egress policy; throws the Workers error when the Worker's
//                                    outbound is blocked. body: Uint8Array or null.
// ops.fetchRead(id) -> Promise<Uint8Array | undefined>   next response body bytes (undefined: end)
// ops.fetchAbort(id)                 stops request `id` (its pending promises reject) and forgets it
// ops.webcrypto()                    the native WebCrypto operations (src/api/crypto/webcrypto.h),
//                                    used by the "webcrypto" area
// ops.zlibOpen(format, decompress) -> a zlib stream (src/api/compression.h), used by the
//                                    "compression" area
export const ops = globalThis.__wispOps;
export const internals = globalThis.__wispInternals;
