// Runs before resources/testharness.js in every WPT test wisp-wpt executes. It gives the global
// what a .any.js test expects of a worker (GLOBAL, location and the base URL it gives relative
// URLs, fetch() of the test's own resource files, META_TITLE) and reports results back to wisp-wpt as console lines:
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
  // A page's relative URLs resolve against its location: wisp's Request and Response.redirect()
  // read this base (src/api/js/fetch/base-url.js); a Worker has none.
  Object.defineProperty(globalThis, Symbol.for("wisp.wpt.apiBaseURL"), { value: location.href });

  // fetch() is wisp's own; wisp-wpt routes its requests to tests/wpt/server.js, which serves
  // the resource files wisp-wpt read for this test and the few wptserve handlers it emulates
  // (the list below must match its own). Any other http(s) URL would need the real wptserve:
  // such a fetch() rejects with a plain Error carrying NEEDS_SERVER and what it asked for, so
  // that run.py counts the subtest apart, and a test expecting a TypeError cannot pass by
  // accident. An already aborted request still rejects with its signal's reason, and a request
  // that its Request constructor refuses with that error, as they would before any server was
  // asked. Other schemes (data:, blob:, about:) are wisp's fetch()'s to refuse or serve.
  const NEEDS_SERVER = "wisp-wpt: needs the WPT server";
  const emulatedHandlers = new Set(["/fetch/api/resources/echo-content.py"]);
  const hasOwn = Object.prototype.hasOwnProperty;
  const served = (path) =>
    hasOwn.call(config.files, path) || hasOwn.call(config.binary, path) || emulatedHandlers.has(path);
  const ownFetch = globalThis.fetch;
  const requestUrl = Object.getOwnPropertyDescriptor(Request.prototype, "url").get;
  const requestSignal = Object.getOwnPropertyDescriptor(Request.prototype, "signal").get;
  // The URL a fetch(input, init) asks for, or null when fetch() itself will throw; worked out
  // without making a Request, which would take over the input's body first.
  const targetOf = (input) => {
    try {
      return new URL(Reflect.apply(requestUrl, input, []));
    } catch {}
    try {
      return new URL(String(input), location.href);
    } catch {
      return null;
    }
  };
  const abortedBy = (input, init) => {
    const signal = init !== undefined && init !== null && init.signal !== undefined ? init.signal
      : (() => { try { return Reflect.apply(requestSignal, input, []); } catch { return null; } })();
    return signal instanceof AbortSignal && signal.aborted;
  };
  // Whether fetch() would get as far as asking a server: init may hold what its Request refuses
  // (a cache mode, an integrity), and that error comes first.
  const requestWouldBeMade = (target, init) => {
    try {
      new Request(target.href, init);
      return true;
    } catch {
      return false;
    }
  };
  define("fetch", function fetch(input, init = undefined) {
    const target = arguments.length === 0 ? null : targetOf(input);
    if (target !== null && (target.protocol === "http:" || target.protocol === "https:")) {
      let path = target.pathname;
      try {
        path = decodeURIComponent(path);
      } catch {}
      const sameOrigin = target.origin === location.origin;
      if (!(sameOrigin && served(path)) && !abortedBy(input, init) && requestWouldBeMade(target, init)) {
        return Promise.reject(new Error(`${NEEDS_SERVER}: ${sameOrigin ? path : target.origin + path}`));
      }
    }
    return Reflect.apply(ownFetch, undefined, arguments);
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
