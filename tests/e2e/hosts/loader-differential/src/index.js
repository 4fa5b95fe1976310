// Each route loads a dynamic Worker through env.LOADER and answers, as plain text, with what it
// saw. Written only against the documented Worker Loader API, so that workerd and wisp can be
// asked the same questions (tests/e2e/differential_test.py compares the answers).
const DATE = "2025-06-01";

// A dynamic Worker that counts its requests, so a reused Worker shows up as count > 1.
const counter = {
  compatibilityDate: DATE,
  mainModule: "main.js",
  modules: {
    "main.js": "let count = 0; export default { fetch() { return new Response(String(++count)); } };",
  },
};

// A dynamic Worker whose default fetch runs `body` (the text of a function body with request,
// env and ctx in scope); `env` becomes its env.
function worker(body, env = undefined) {
  return {
    compatibilityDate: DATE,
    mainModule: "main.js",
    modules: { "main.js": `export default { async fetch(request, env, ctx) { ${body} } };` },
    env,
  };
}

async function text(promise) {
  const response = await promise;
  return response.text();
}

// What a call ends with: "<status> <body>", or the error's name and message.
async function outcome(promise) {
  try {
    const response = await promise;
    return `${response.status} ${await response.text()}`;
  } catch (e) {
    return `error ${e?.name}: ${e?.message}`;
  }
}

// What a synchronous call ends with.
function attempt(fn) {
  try {
    fn();
    return "no error";
  } catch (e) {
    return `threw ${e?.name}: ${e?.message}`;
  }
}

const routes = {
  // get() with the same name twice in one request: one Worker, one getCode call.
  async "/same-name-twice"(env) {
    let calls = 0;
    const getCode = () => { calls++; return counter; };
    const a = await text(env.LOADER.get("twice", getCode).getEntrypoint().fetch("https://dyn.example/"));
    const b = await text(env.LOADER.get("twice", getCode).getEntrypoint().fetch("https://dyn.example/"));
    return `counts=${a},${b} calls=${calls}`;
  },

  // A name that is not a string is converted to one.
  async "/number-name"(env) {
    const a = await text(env.LOADER.get(12, () => counter).getEntrypoint().fetch("https://dyn.example/"));
    const b = await text(env.LOADER.get("12", () => counter).getEntrypoint().fetch("https://dyn.example/"));
    return `counts=${a},${b}`;
  },

  // get(null) and get(undefined) give a fresh Worker each time; so does load().
  async "/unnamed-are-fresh"(env) {
    const stubs = [env.LOADER.get(null, () => counter), env.LOADER.get(undefined, () => counter),
                   env.LOADER.load(counter), env.LOADER.load(counter)];
    const counts = [];
    for (const stub of stubs) counts.push(await text(stub.getEntrypoint().fetch("https://dyn.example/")));
    return `counts=${counts.join(",")}`;
  },

  // The same stub twice: the same Worker.
  async "/same-stub-twice"(env) {
    const fetcher = env.LOADER.load(counter).getEntrypoint();
    const a = await text(fetcher.fetch("https://dyn.example/"));
    const b = await text(fetcher.fetch("https://dyn.example/"));
    return `counts=${a},${b}`;
  },

  // getCode runs only when a request needs the Worker.
  async "/getcode-is-lazy"(env) {
    let calls = 0;
    const stub = env.LOADER.get("lazy", () => { calls++; return counter; });
    const before = calls;
    const fetcher = stub.getEntrypoint();
    const afterEntrypoint = calls;
    await fetcher.fetch("https://dyn.example/");
    return `before=${before} afterEntrypoint=${afterEntrypoint} afterFetch=${calls}`;
  },

  async "/getcode-throws-synchronously"(env) {
    const stub = env.LOADER.get(null, () => { throw new RangeError("no code today"); });
    return outcome(stub.getEntrypoint().fetch("https://dyn.example/"));
  },

  async "/getcode-returns-a-promise"(env) {
    const stub = env.LOADER.get(null, () => new Promise((resolve) => setTimeout(() => resolve(counter), 5)));
    return outcome(stub.getEntrypoint().fetch("https://dyn.example/"));
  },

  async "/entrypoint-default-by-name"(env) {
    const stub = env.LOADER.load(counter);
    return outcome(stub.getEntrypoint("default").fetch("https://dyn.example/"));
  },

  // Only a named handler is exported: asking for another name or for the default fails.
  async "/missing-entrypoints"(env) {
    const stub = env.LOADER.load({
      compatibilityDate: DATE, mainModule: "main.js",
      modules: { "main.js": "export const Other = { fetch() { return new Response('other'); } };" },
    });
    const other = await outcome(stub.getEntrypoint("Other").fetch("https://dyn.example/"));
    const nope = await outcome(stub.getEntrypoint("Nope").fetch("https://dyn.example/"));
    const fallback = await outcome(stub.getEntrypoint().fetch("https://dyn.example/"));
    return `${other} | ${nope} | ${fallback}`;
  },

  // A non-handler export next to the handlers.
  async "/non-handler-export"(env) {
    const stub = env.LOADER.load({
      compatibilityDate: DATE, mainModule: "main.js",
      modules: { "main.js": "export const x = 1; export default { fetch() { return new Response('ok'); } };" },
    });
    return outcome(stub.getEntrypoint().fetch("https://dyn.example/"));
  },

  "/no-modules"(env) {
    return attempt(() => env.LOADER.load({ compatibilityDate: DATE, mainModule: "main.js", modules: {} }));
  },

  async "/main-module-missing"(env) {
    let stub;
    const loaded = attempt(() => {
      stub = env.LOADER.load({ compatibilityDate: DATE, mainModule: "other.js", modules: { "main.js": "export default {};" } });
    });
    return stub ? `${loaded}, then ${await outcome(stub.getEntrypoint().fetch("https://dyn.example/"))}` : loaded;
  },

  "/typescript-module-name"(env) {
    return attempt(() => env.LOADER.load({
      compatibilityDate: DATE, mainModule: "main.ts",
      modules: { "main.ts": "export default { fetch(): Response { return new Response('ts'); } };" },
    }));
  },

  "/mjs-module-name"(env) {
    return attempt(() => env.LOADER.load({ compatibilityDate: DATE, mainModule: "main.mjs",
                                           modules: { "main.mjs": "export default {};" } }));
  },

  "/python-module-beside-js-main"(env) {
    return attempt(() => env.LOADER.load({
      compatibilityDate: DATE, mainModule: "main.js",
      modules: { "main.js": "export default {};", "helper.py": "x = 1" },
    }));
  },

  "/module-with-unknown-field"(env) {
    return attempt(() => env.LOADER.load({ compatibilityDate: DATE, mainModule: "main.js",
                                           modules: { "main.js": { source: "export default {};" } } }));
  },

  "/module-with-no-field"(env) {
    return attempt(() => env.LOADER.load({ compatibilityDate: DATE, mainModule: "main.js",
                                           modules: { "main.js": {} } }));
  },

  "/bad-compatibility-date"(env) {
    return attempt(() => env.LOADER.load({ ...counter, compatibilityDate: "not-a-date" }));
  },

  "/unknown-compatibility-flag"(env) {
    return attempt(() => env.LOADER.load({ ...counter, compatibilityFlags: ["no_such_flag_at_all"] }));
  },

  "/get-without-callback"(env) {
    return attempt(() => env.LOADER.get("x"));
  },

  "/get-without-arguments"(env) {
    return attempt(() => env.LOADER.get());
  },

  "/load-without-code"(env) {
    return attempt(() => env.LOADER.load());
  },

  // A date is YYYY-MM-DD, no newer than the runtime knows.
  "/future-compatibility-date"(env) {
    return attempt(() => env.LOADER.load({ ...counter, compatibilityDate: "2099-01-01" }));
  },

  "/year-1999-compatibility-date"(env) {
    return attempt(() => env.LOADER.load({ ...counter, compatibilityDate: "1999-12-31" }));
  },

  "/compatibility-flags-not-an-array"(env) {
    return attempt(() => env.LOADER.load({ ...counter, compatibilityFlags: "nodejs_compat" }));
  },

  "/known-compatibility-flags"(env) {
    return attempt(() => env.LOADER.load({ ...counter, compatibilityFlags: ["nodejs_compat", "rpc", "no_global_navigator"] }));
  },

  "/duplicate-compatibility-flag"(env) {
    return attempt(() => env.LOADER.load({ ...counter, compatibilityFlags: ["nodejs_compat", "nodejs_compat"] }));
  },

  "/contradictory-compatibility-flags"(env) {
    return attempt(() => env.LOADER.load({ ...counter, compatibilityFlags: ["no_nodejs_compat", "nodejs_compat"] }));
  },

  "/experimental-compatibility-flag"(env) {
    return attempt(() => env.LOADER.load({ ...counter, compatibilityFlags: ["webgpu"] }));
  },

  // A module that is null has no type.
  "/module-that-is-null"(env) {
    return attempt(() => env.LOADER.load({ compatibilityDate: DATE, mainModule: "main.js", modules: { "main.js": null } }));
  },

  // Handlers may be objects, classes and functions; anything else stops the Worker from starting.
  async "/handler-exports"(env) {
    const stub = env.LOADER.load({
      compatibilityDate: DATE, mainModule: "main.js",
      modules: { "main.js": "export const f = () => 1; export class C {}; export const o = {}; " +
                            "export default { fetch() { return new Response('ok'); } };" },
    });
    return outcome(stub.getEntrypoint().fetch("https://dyn.example/"));
  },

  async "/string-export"(env) {
    const stub = env.LOADER.load({
      compatibilityDate: DATE, mainModule: "main.js",
      modules: { "main.js": "export const name = 'x'; export default { fetch() { return new Response('ok'); } };" },
    });
    return outcome(stub.getEntrypoint().fetch("https://dyn.example/"));
  },

  // Modules of every type, imported statically and dynamically.
  async "/module-types"(env) {
    const stub = env.LOADER.load({
      compatibilityDate: DATE, mainModule: "main.js",
      modules: {
        "main.js": `
          import cjs from "./lib.cjs";
          import words from "./words.txt";
          import table from "./table.json";
          import bytes from "./bytes.bin";
          export default {
            async fetch() {
              const { later } = await import("./later.js");
              return Response.json({ cjs, words, table, bytes: [...new Uint8Array(bytes)], later });
            },
          };`,
        "lib.cjs": { cjs: "module.exports = { answer: 42 };" },
        "words.txt": { text: "two words" },
        "table.json": { json: { rows: [[1, "a"], [2, null]] } },
        "bytes.bin": { data: new Uint8Array([0, 255, 7]).buffer },
        "later.js": { js: "export const later = 'loaded later';" },
      },
    });
    return outcome(stub.getEntrypoint().fetch("https://dyn.example/"));
  },

  // A request with a method, headers and a binary body, and a response with a status text,
  // repeated headers and a body, both ways through the Fetcher.
  async "/request-and-response"(env) {
    const stub = env.LOADER.load(worker(`
      const seen = [...request.headers].filter(([k]) => k.startsWith("x-"));
      const body = [...new Uint8Array(await request.arrayBuffer())];
      const headers = new Headers({ "x-echo": "yes" });
      headers.append("set-cookie", "a=1");
      headers.append("set-cookie", "b=2");
      return new Response(JSON.stringify({ method: request.method, url: request.url, seen, body }),
                          { status: 418, statusText: "Teapot", headers });
    `));
    const response = await stub.getEntrypoint().fetch("https://dyn.example/a/b?q=1#frag", {
      method: "PUT", headers: { "x-one": "1", "x-two": "2" }, body: new Uint8Array([1, 0, 200]),
    });
    const headers = [...response.headers].filter(([k]) => k.startsWith("x-") || k === "set-cookie");
    return `${response.status} ${response.statusText} ${JSON.stringify(headers)} ${await response.text()}`;
  },

  // A URL object as the input; the response carries the URL it answered.
  async "/url-object-input"(env) {
    const stub = env.LOADER.load(worker("return new Response(request.method + ' ' + request.url);"));
    const response = await stub.getEntrypoint().fetch(new URL("https://dyn.example/from-url"));
    return `${response.status} ${response.url} ${response.redirected} ${await response.text()}`;
  },

  async "/large-body"(env) {
    const stub = env.LOADER.load(worker(`
      const bytes = new Uint8Array(await request.arrayBuffer());
      let sum = 0;
      for (const b of bytes) sum = (sum + b) % 65521;
      return new Response(bytes.length + " " + sum + " " + "z".repeat(300000));
    `));
    const body = new Uint8Array(1 << 20).map((_, i) => i % 251);
    const response = await stub.getEntrypoint().fetch("https://dyn.example/", { method: "POST", body });
    const answer = await response.text();
    return `${response.status} ${answer.slice(0, 20)} length=${answer.length}`;
  },

  async "/streamed-response"(env) {
    const stub = env.LOADER.load(worker(`
      const { readable, writable } = new TransformStream();
      const writer = writable.getWriter();
      (async () => {
        for (const part of ["one ", "two ", "three"]) await writer.write(new TextEncoder().encode(part));
        await writer.close();
      })();
      return new Response(readable);
    `));
    return outcome(stub.getEntrypoint().fetch("https://dyn.example/"));
  },

  // A redirect is followed by default (back into the same dynamic Worker), or handed back with
  // redirect: "manual".
  async "/redirects"(env) {
    const stub = env.LOADER.load(worker(`
      const url = new URL(request.url);
      if (url.pathname === "/start") return Response.redirect("https://dyn.example/end", 302);
      return new Response("arrived at " + url.pathname);
    `));
    const fetcher = stub.getEntrypoint();
    const followed = await fetcher.fetch("https://dyn.example/start");
    const manual = await fetcher.fetch("https://dyn.example/start", { redirect: "manual" });
    return `followed: ${followed.status} ${followed.redirected} ${followed.url} ${await followed.text()} | ` +
           `manual: ${manual.status} ${manual.headers.get("location")}`;
  },

  // How each redirect status treats a POST with a body.
  async "/redirect-methods"(env) {
    const stub = env.LOADER.load(worker(`
      const url = new URL(request.url);
      const status = Number(url.searchParams.get("status"));
      if (status) return new Response(null, { status, headers: { location: "/end" } });
      return new Response(request.method + " " + JSON.stringify(await request.text()) + " " + request.headers.get("content-type"));
    `));
    const fetcher = stub.getEntrypoint();
    const answers = [];
    for (const status of [301, 302, 303, 307, 308]) {
      const response = await fetcher.fetch(`https://dyn.example/start?status=${status}`,
                                           { method: "POST", body: "data", headers: { "content-type": "text/plain" } });
      answers.push(`${status}: ${response.status} ${response.url} ${await response.text()}`);
    }
    return answers.join(" | ");
  },

  // Only 301, 302, 303, 307 and 308 with a Location are followed.
  async "/not-redirects"(env) {
    const stub = env.LOADER.load(worker(`
      const status = Number(new URL(request.url).searchParams.get("status"));
      return new Response(null, { status, headers: status === 302 ? {} : { location: "/end" } });
    `));
    const fetcher = stub.getEntrypoint();
    const answers = [];
    for (const status of [300, 302, 304]) {
      const response = await fetcher.fetch(`https://dyn.example/start?status=${status}`);
      answers.push(`${response.status} ${response.redirected} ${response.headers.get("location")}`);
    }
    return answers.join(" | ");
  },

  async "/too-many-redirects"(env) {
    const stub = env.LOADER.load(worker("return Response.redirect('https://dyn.example/again', 302);"));
    return outcome(stub.getEntrypoint().fetch("https://dyn.example/loop"));
  },

  async "/redirect-error-mode"(env) {
    const stub = env.LOADER.load(worker("return Response.redirect('https://dyn.example/end', 302);"));
    return outcome(stub.getEntrypoint().fetch("https://dyn.example/start", { redirect: "error" }));
  },

  // A Fetcher's Response has immutable headers, as a fetch() Response does.
  async "/response-headers-are-immutable"(env) {
    const stub = env.LOADER.load(worker("return new Response('x', { headers: { 'x-a': '1' } });"));
    const response = await stub.getEntrypoint().fetch("https://dyn.example/");
    return attempt(() => response.headers.set("x-b", "2"));
  },

  async "/timer-in-dynamic-worker"(env) {
    const stub = env.LOADER.load(worker(`
      await new Promise((resolve) => setTimeout(resolve, 10));
      return new Response("after timer");
    `));
    return outcome(stub.getEntrypoint().fetch("https://dyn.example/"));
  },

  async "/wait-until-in-dynamic-worker"(env) {
    const stub = env.LOADER.load(worker(`
      ctx.waitUntil(new Promise((resolve) => setTimeout(resolve, 5)));
      return new Response("answered");
    `));
    return outcome(stub.getEntrypoint().fetch("https://dyn.example/"));
  },

  async "/dynamic-returns-a-string"(env) {
    const stub = env.LOADER.load(worker("return 'not a response';"));
    return outcome(stub.getEntrypoint().fetch("https://dyn.example/"));
  },

  async "/dynamic-throws-a-string"(env) {
    const stub = env.LOADER.load(worker("throw 'plain string';"));
    return outcome(stub.getEntrypoint().fetch("https://dyn.example/"));
  },

  async "/dynamic-syntax-error"(env) {
    const stub = env.LOADER.get(null, () => ({ compatibilityDate: DATE, mainModule: "main.js",
                                               modules: { "main.js": "export default {" } }));
    return outcome(stub.getEntrypoint().fetch("https://dyn.example/"));
  },

  async "/dynamic-missing-import"(env) {
    const stub = env.LOADER.get(null, () => ({ compatibilityDate: DATE, mainModule: "main.js",
                                               modules: { "main.js": "import './nope.js'; export default {};" } }));
    return outcome(stub.getEntrypoint().fetch("https://dyn.example/"));
  },

  // env and props made of JSON values only.
  async "/json-env-and-props"(env) {
    const stub = env.LOADER.load(worker("return Response.json({ env, props: ctx.props });",
                                        { n: 1.5, s: "x", list: [1, "a", null, true], nested: { a: { b: false } } }));
    return outcome(stub.getEntrypoint(null, { props: { id: 7, tags: ["t"] } }).fetch("https://dyn.example/"));
  },

  // env and props with values JSON cannot carry: structured clone keeps their types.
  async "/structured-env-and-props"(env) {
    const stub = env.LOADER.load(worker(`
      const describe = (v) => Object.entries(v).map(([k, x]) =>
        k + ":" + Object.prototype.toString.call(x) + ":" + (x instanceof Map ? JSON.stringify([...x]) : String(x)));
      return new Response(describe(env).join(",") + " | " + describe(ctx.props).join(","));
    `, { when: new Date(0), map: new Map([["k", 1]]), missing: undefined, big: 10n }));
    return outcome(stub.getEntrypoint(null, { props: { set: new Set([1]), nan: NaN } }).fetch("https://dyn.example/"));
  },

  async "/api-shape"(env) {
    const stub = env.LOADER.load(counter);
    const fetcher = stub.getEntrypoint();
    return [typeof env.LOADER.get, typeof env.LOADER.load, typeof stub.getEntrypoint, typeof fetcher.fetch].join(",");
  },
};

export default {
  async fetch(request, env) {
    const route = routes[new URL(request.url).pathname];
    if (!route) return new Response("not found", { status: 404 });
    try {
      return new Response(await route(env));
    } catch (e) {
      return new Response(`host caught ${e?.name}: ${e?.message}`, { status: 500 });
    }
  },
};
