// Runs before resources/testharness.js in every WPT test wisp-wpt executes. It gives the global
// what a .any.js test expects of a worker (GLOBAL, location, fetch of the test's own resource
// files, META_TITLE) and reports results back to wisp-wpt as console lines:
//   MARK + "test "   + {i, name}                  a subtest was registered
//   MARK + "result " + {i, name, status, message} a subtest finished
//   MARK + "done "   + {file, tests: [{name, status, message}], harnessStatus, harnessMessage}
// wisp-wpt prepends a script that sets globalThis.__wptConfig = {url, title, files, binary}
// (files: path -> text, binary: path -> base64, paths absolute from the WPT root), runs
// `__wptAttach()` right after testharness.js, before any test is defined, and `__wptLoaded()`
// after the test file.
(() => {
  const config = globalThis.__wptConfig;
  delete globalThis.__wptConfig;

  // Kept before any test runs: tests may replace console methods or JSON.
  const MARK = "@@wisp-wpt@@";
  const log = console.log;
  const stringify = JSON.stringify;
  const hasOwn = Object.prototype.hasOwnProperty;
  // Through "%s": console's formatter would turn a "%%" in a test name into "%".
  const emit = (kind, data) => log("%s", `${MARK}${kind} ${stringify(data)}`);

  const define = (name, value) =>
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });

  // testharness.js picks its worker environment, which posts results with postMessage(), for a
  // global that is a WorkerGlobalScope (wisp's is, as in Workers). Hidden until it has chosen.
  const workerGlobalScope = Object.getOwnPropertyDescriptor(globalThis, "WorkerGlobalScope");
  delete globalThis.WorkerGlobalScope;

  // testharness.js picks its shell environment (no document, no WorkerGlobalScope); GLOBAL is
  // what the .any.js helpers ask to decide which global they run in.
  define("GLOBAL", { isWindow: () => false, isWorker: () => true, isShadowRealm: () => false });
  if (config.title) define("META_TITLE", config.title);

  // WorkerLocation: plain data, so a broken URL class does not break every test's names.
  const url = new URL(config.url);
  const location = {};
  for (const key of ["href", "origin", "protocol", "host", "hostname", "port", "pathname", "search", "hash"]) {
    location[key] = url[key];
  }
  location.toString = () => location.href;
  define("location", Object.freeze(location));

  // fetch() of the resource files wisp-wpt read for this test; any other path of the test's
  // origin rejects with a TypeError (a network error). The arguments go through a real Request
  // first, so tests that expect fetch() to reject bad input (header values, methods) check
  // wisp's Request and Headers, not this shim. Other URLs (data:, blob:, other hosts) go to
  // wisp's own fetch() if there is one; else they reject with a plain Error, so that a test
  // expecting a TypeError from them cannot pass by accident.
  const contentTypes = { json: "application/json", idl: "text/plain", txt: "text/plain", js: "text/javascript" };
  const contentType = (path) => contentTypes[path.slice(path.lastIndexOf(".") + 1)] ?? "application/octet-stream";
  const decodeBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  const ownFetch = globalThis.fetch;
  define("fetch", function fetch(input, init = undefined) {
    return new Promise((resolve) => {
      const absolute = input instanceof Request ? input : new URL(String(input), location.href).href;
      const request = new Request(absolute, init);
      const target = new URL(request.url);
      if (target.origin !== location.origin) {
        if (ownFetch) return resolve(ownFetch(input, init));
        throw new Error(`wisp-wpt: this harness cannot fetch ${target.href}`);
      }
      const path = decodeURIComponent(target.pathname);
      if (path === "/fetch/api/resources/echo-content.py") {
        // WPT's echo endpoint: the request's body back, with its Content-Type.
        const echoed = { "content-type": request.headers.get("content-type") ?? "" };
        return resolve(request.arrayBuffer().then((body) => new Response(body, { headers: echoed })));
      }
      const headers = { "content-type": contentType(path) };
      if (hasOwn.call(config.files, path)) resolve(new Response(config.files[path], { headers }));
      else if (hasOwn.call(config.binary, path)) resolve(new Response(decodeBase64(config.binary[path]), { headers }));
      else throw new TypeError(`wisp-wpt: ${path} is not a resource this test may fetch`);
    });
  });

  // Names and messages cross to C++ as JSON, which cannot carry lone surrogates.
  const wellFormed = (value) =>
    value == null ? null : String(value).replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
  const describe = (test) => ({ name: wellFormed(test.name), status: test.status, message: wellFormed(test.message) });

  define("__wptAttach", () => {
    delete globalThis.__wptAttach;
    if (workerGlobalScope) Object.defineProperty(globalThis, "WorkerGlobalScope", workerGlobalScope);
    // A test that throws at top level never reaches the done() after it. A browser's error
    // handler would end loading then; here a timer does (a no-op once loading finished).
    const harnessDone = done;
    let loaded = false;
    define("__wptLoaded", () => {
      delete globalThis.__wptLoaded;
      loaded = true;
      harnessDone();
    });
    setTimeout(() => loaded || harnessDone(), 0);
    const seen = new Set();
    add_test_state_callback((test) => {
      if (seen.has(test)) return;
      seen.add(test);
      emit("test", { i: test.index, name: wellFormed(test.name) });
    });
    add_result_callback((test) => emit("result", { i: test.index, ...describe(test) }));
    add_completion_callback((tests, status) => {
      emit("done", {
        file: location.pathname + location.search,
        tests: tests.map(describe),
        harnessStatus: status.status,
        harnessMessage: wellFormed(status.message),
      });
    });
  });
})();
