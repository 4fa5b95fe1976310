// Routes of tests/e2e/egress_test.py. `?up=http://127.0.0.1:PORT` is the test's local upstream.
import { WorkerEntrypoint } from "cloudflare:workers";
import { connect } from "cloudflare:sockets";

const DATE = "2026-11-01";

function code(source, extra = {}) {
  return { compatibilityDate: DATE, mainModule: "main.js", modules: { "main.js": source }, ...extra };
}

const described = (e) => `${e?.name}: ${e?.message}`;

// The gateway: answers with what arrived (method, url, headers, body, props) as JSON, with a
// status, status text and header of its own, so the test sees both directions.
export class Echo extends WorkerEntrypoint {
  async fetch(request) {
    if (request.url.includes("/throw")) throw new Error(`gateway refused (${this.ctx.props.tag})`);
    const seen = {
      method: request.method,
      url: request.url,
      headers: Object.fromEntries(request.headers),
      body: await request.text(),
      props: this.ctx.props,
    };
    return new Response(JSON.stringify(seen), { status: 201, statusText: "Made", headers: { "x-gateway": "echo" } });
  }
}

// What a dynamic Worker reports about one fetch(): its answer or its error.
const FETCH_ONE = `
  async function one(url, init) {
    try {
      const r = await fetch(url, init);
      return { status: r.status, statusText: r.statusText, url: r.url, headers: Object.fromEntries(r.headers), body: await r.text() };
    } catch (e) {
      return { error: e.name + ": " + e.message };
    }
  }`;

const TRIES_FETCH_AND_CONNECT = `
  import { connect } from "cloudflare:sockets";
  ${FETCH_ONE}
  export default {
    async fetch(request) {
      const up = new URL(request.url).searchParams.get("up");
      const out = { fetch: await one(up + "/hello") };
      try {
        connect("127.0.0.1:9");
        out.connect = "no error";
      } catch (e) {
        out.connect = e.name + ": " + e.message;
      }
      return Response.json(out);
    },
  };`;

const SENDS_ONE_REQUEST = `
  ${FETCH_ONE}
  export default {
    async fetch(request) {
      const target = new URL(request.url).searchParams.get("target");
      return Response.json(await one(target, { method: "PUT", headers: { "x-sandbox": "1" }, body: "payload" }));
    },
  };`;

const FETCHES_THREE_TIMES = `
  ${FETCH_ONE}
  export default {
    async fetch() {
      const out = [];
      for (let i = 0; i < 3; i++) out.push(await one("http://api.test/n/" + i));
      return Response.json(out.map((r) => r.error ?? r.status));
    },
  };`;

const COUNTER = `
  let calls = 0;
  export default {
    async fetch(request) {
      const wait = Number(new URL(request.url).searchParams.get("wait") ?? 0);
      if (wait) await new Promise((resolve) => setTimeout(resolve, wait));
      return new Response(String(++calls));
    },
  };`;

// An entrypoint that hands out RpcTargets; the module-level count shows whether the Worker (and
// so its state) is still the same one.
const HANDS_OUT_COUNTERS = `
  import { WorkerEntrypoint, RpcTarget } from "cloudflare:workers";
  let total = 0;
  class Counter extends RpcTarget {
    next() { return ++total; }
    child() { return new Counter(); }
  }
  export default class extends WorkerEntrypoint {
    counter() { return new Counter(); }
  };`;

async function call(stub, path = "/") {
  return (await stub.getEntrypoint().fetch("http://dynamic" + path)).text();
}

const collect = () => globalThis.gc?.();  // only with the hidden V8 flag --expose-gc (the test sets it)

// Stubs kept in globals across requests.
let kept = {};

async function route(request, env, ctx) {
  const url = new URL(request.url);
  const up = url.searchParams.get("up");
  const path = url.pathname;
  const forward = (outbound, target) => {
    const worker = env.LOADER.load(code(SENDS_ONE_REQUEST, outbound === undefined ? {} : { globalOutbound: outbound }));
    return worker.getEntrypoint().fetch(`http://dynamic/?target=${encodeURIComponent(target)}`);
  };

  // ---- globalOutbound ----
  if (path === "/null" || path === "/omitted" || path === "/gateway-connect") {
    const extra = path === "/null" ? { globalOutbound: null }
      : path === "/gateway-connect" ? { globalOutbound: ctx.exports.Echo({ props: { tag: "c" } }) } : {};
    return env.LOADER.load(code(TRIES_FETCH_AND_CONNECT, extra)).getEntrypoint().fetch(`http://dynamic/?up=${up}`);
  }
  if (path === "/gateway") return forward(ctx.exports.Echo({ props: { tag: "p1" } }), "http://api.test/path?q=1");
  if (path === "/gateway-plain") return forward(ctx.exports.Echo, "http://api.test/plain");
  if (path === "/gateway-default") return forward(ctx.exports.default, "http://api.test/echo-default");
  if (path === "/gateway-throws") return forward(ctx.exports.Echo({ props: { tag: "p2" } }), "http://api.test/throw");
  if (path === "/echo-default") return new Response(`default entrypoint saw ${request.method} ${request.url}`);
  if (path === "/gateway-get") {
    // The same gateway for a named dynamic Worker (get), loaded lazily.
    const stub = env.LOADER.get("named-gateway", () => code(SENDS_ONE_REQUEST, { globalOutbound: ctx.exports.Echo({ props: { tag: "g" } }) }));
    return stub.getEntrypoint().fetch(`http://dynamic/?target=${encodeURIComponent("http://api.test/named")}`);
  }
  if (path === "/gateway-subrequests") {
    const worker = env.LOADER.load(code(FETCHES_THREE_TIMES, { globalOutbound: ctx.exports.Echo, limits: { subRequests: 2 } }));
    return worker.getEntrypoint().fetch("http://dynamic/");
  }
  if (path === "/bad-outbound") {
    const out = [];
    const dynamic = env.LOADER.load(code(COUNTER)).getEntrypoint();
    for (const outbound of [{}, "http://x", 42, dynamic]) {
      try {
        env.LOADER.load(code(COUNTER, { globalOutbound: outbound }));
        out.push("accepted");
      } catch (e) {
        out.push(described(e));
      }
    }
    return Response.json(out);
  }
  if (path === "/host-connect") {
    try {
      connect("127.0.0.1:9");
      return new Response("no error");
    } catch (e) {
      return new Response(described(e));
    }
  }

  // ---- unnamed dynamic Workers: alive while a stub holds them ----
  if (path === "/keep") {
    kept = { loaded: env.LOADER.load(code(COUNTER)), got: env.LOADER.get(null, () => code(COUNTER)) };
    return new Response(`${await call(kept.loaded)} ${await call(kept.got)}`);
  }
  if (path === "/kept") return new Response(`${await call(kept.loaded)} ${await call(kept.got)}`);
  if (path === "/kept-entrypoint") {
    // Only a Fetcher made from the stub is kept: it holds the Worker as well.
    kept = { fetcher: env.LOADER.load(code(COUNTER)).getEntrypoint() };
    return new Response(await (await kept.fetcher.fetch("http://dynamic/")).text());
  }
  if (path === "/kept-entrypoint-again") return new Response(await (await kept.fetcher.fetch("http://dynamic/")).text());
  if (path === "/rpc-stub-outlives-its-worker-stub") {
    // Only RpcTarget stubs the Worker returned are held (stubs last for the invocation that got
    // them, as in Workers): they keep the Worker loaded, and so does a stub that stub returned.
    const counter = await env.LOADER.load(code(HANDS_OUT_COUNTERS)).getEntrypoint().counter();
    const child = await counter.child();
    for (let i = 0; i < 2; i++) {
      collect();  // the WorkerStub and its Fetcher are garbage now
      await new Promise((resolve) => setTimeout(resolve, 10));  // an unload would run meanwhile
    }
    return new Response(`${await counter.next()} ${await child.next()} ${await counter.next()}`);
  }
  if (path === "/drop") {
    kept = {};
    return new Response("dropped");
  }
  if (path === "/temporary") {
    const n = Number(url.searchParams.get("n") ?? 3);
    const answers = [];
    for (let i = 0; i < n; i++) answers.push(await call(i % 2 ? env.LOADER.get(null, () => code(COUNTER)) : env.LOADER.load(code(COUNTER))));
    return new Response(answers.join(" "));
  }
  if (path === "/in-flight") {
    // The stub is gone before its call is answered: the call still completes.
    const answer = env.LOADER.load(code(COUNTER)).getEntrypoint().fetch("http://dynamic/?wait=30");
    collect();
    await new Promise((resolve) => setTimeout(resolve, 5));
    collect();
    return new Response(await (await answer).text());
  }
  if (path === "/three") {
    // Loaded and called one after the other: with room for two, loading c unloads a (idle, the
    // least recently used).
    kept = {};
    const answers = [];
    for (const name of ["a", "b", "c"]) {
      kept[name] = env.LOADER.load(code(COUNTER));
      answers.push(await call(kept[name]));
    }
    return new Response(answers.join(" "));
  }
  if (path === "/call") return new Response(await call(kept[url.searchParams.get("which")]));
  if (path === "/gc") {
    collect();
    return new Response(typeof globalThis.gc);
  }
  if (path === "/noop") return new Response("ok");
  return new Response("no such route", { status: 404 });
}

export default {
  async fetch(request, env, ctx) {
    try {
      return await route(request, env, ctx);
    } catch (e) {
      return new Response(`host caught ${described(e)}`, { status: 500 });
    }
  },
};
