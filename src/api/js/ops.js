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
// ops.structuredClone(value, options)   V8 ValueSerializer; throws DataCloneError
// ops.ownNonIndexKeys(object)        own string and symbol keys, array indices left out
// ops.domainToASCII(domain, beStrict) -> string | null (null = failure)   (UTS #46, ICU)
// ops.domainToUnicode(domain)        -> string | null
// ops.loaderLoad(main, modules, envJson, cpuMs?, subRequests?) -> id   (see js/worker-loader.js)
// ops.loaderAlive(id) -> bool
// ops.loaderFetch(id, entrypoint, propsJson, cpuMs?, subRequests?, method, url, headers, body)
//                                    -> Promise<[status, statusText, headers, body]>
export const ops = globalThis.__wispOps;
export const internals = globalThis.__wispInternals;
