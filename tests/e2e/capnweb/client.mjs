// A program outside wisp using the real `capnweb` npm client (and `ws`, as Node 20 has no global
// WebSocket) against `wisp serve`'s /v1/rpc. Run by tests/e2e/capnweb_test.py:
//   node client.mjs <scenario> <http://127.0.0.1:port> [token]
// Prints one JSON object: what the scenario saw. Each scenario catches what it expects to fail,
// so an unexpected error is a non-zero exit with its message on stderr.
import { RpcTarget, newHttpBatchRpcSession, newWebSocketRpcSession } from "capnweb";
import WebSocket from "ws";

globalThis.WebSocket ??= WebSocket;  // capnweb's WebSocket transport reads WebSocket.CONNECTING

const [scenario, base, token] = process.argv.slice(2);
const headers = token ? { Authorization: `Bearer ${token}` } : {};
const rpcUrl = `${base}/v1/rpc`;
// capnweb's HTTP batch client sends each batch with fetch(request): headers go on a Request.
const batchSession = () => newHttpBatchRpcSession(new Request(rpcUrl, { headers }));

// The sandboxed Worker: entrypoint methods, an RpcTarget it returns, and calls back into the
// client's objects (arguments, env).
const CALC = `
import { WorkerEntrypoint, RpcTarget } from "cloudflare:workers";

class Counter extends RpcTarget {
  #n;
  constructor(n) { super(); this.#n = n; }
  increment(by) { this.#n += by; return this.#n; }
}

export class Calc extends WorkerEntrypoint {
  add(a, b) { return a + b; }
  makeCounter(start) { return new Counter(start); }
  async greetVia(greeter, name) { return "sandbox got: " + await greeter.greet(name); }
  async applyTwice(fn, x) { return fn(await fn(x)); }
  async viaEnv(name) { return await this.env.GREETER.greet(name); }
  whoami() { return this.ctx.props.user; }
  fail(message) { throw new RangeError(message); }
  tryNetwork() { return fetch("http://127.0.0.1:1/").then(() => "reached", (e) => e.message); }
}

export default {
  fetch(request) { return new Response("sandbox saw " + new URL(request.url).pathname); },
};
`;

const code = (extra = {}) => ({
  compatibilityDate: "2026-01-01",
  mainModule: "calc.js",
  modules: { "calc.js": CALC },
  ...extra,
});

// An object living in this program that the sandboxed code calls back.
class Greeter extends RpcTarget {
  calls = [];
  greet(name) {
    this.calls.push(name);
    return `hello, ${name}`;
  }
}

// Settles to {ok, value} or {ok: false, name, message, isError}, so expected failures are data.
async function settle(promise) {
  try {
    return { ok: true, value: await promise };
  } catch (e) {
    return { ok: false, name: e?.name, message: String(e?.message ?? e), isError: e instanceof Error };
  }
}

const scenarios = {
  // One HTTP batch: load, then calls pipelined on the results of calls not yet answered.
  async batch() {
    let requests = 0;
    const realFetch = globalThis.fetch;
    globalThis.fetch = (...args) => {
      requests++;
      return realFetch(...args);
    };
    const loader = batchSession();
    const calc = loader.load(code()).getEntrypoint("Calc");
    const sum = calc.add(2, 3);
    const counter = calc.makeCounter(10);
    const [total, counted, who] = await Promise.all([
      sum, counter.increment(5), loader.get("calc-named", code()).getEntrypoint("Calc", { props: { user: "ada" } }).whoami(),
    ]);
    return { total, counted, who, requests };
  },

  // A session may load only so many Workers.
  async tooMany() {
    const loader = batchSession();
    const results = await Promise.all(Array.from({ length: 33 }, () => settle(loader.load(code()))));
    const refused = results.filter((r) => !r.ok);
    return { loaded: results.length - refused.length, refused: refused.map((r) => r.message) };
  },

  // A WebSocket session: the sandbox calls back into this program.
  async websocket() {
    const socket = new WebSocket(rpcUrl.replace(/^http/, "ws"), { headers });
    const loader = newWebSocketRpcSession(socket);
    const greeter = new Greeter();
    const worker = loader.load(code({ env: { GREETER: greeter } }));
    const calc = worker.getEntrypoint("Calc");
    const out = {};
    out.greeting = await calc.greetVia(greeter, "grace");
    out.doubled = await calc.applyTwice((x) => x * 3, 2);
    out.viaEnv = await calc.viaEnv("alan");
    out.greeterCalls = greeter.calls;
    out.thrown = await settle(calc.fail("too big"));
    out.network = await calc.tryNetwork();
    const counter = calc.makeCounter(1);
    out.counter = [await counter.increment(1), await counter.increment(2)];
    const page = await worker.getEntrypoint().fetch(new Request("http://sandbox.example/hello"));
    out.fetched = [page.status, await page.text()];
    const broken = loader.load(code({ modules: { "calc.js": "export class Calc {" } }));
    out.syntaxError = await settle(broken.getEntrypoint("Calc").add(1, 2));
    out.badCode = await settle(loader.load({ compatibilityDate: "2026-01-01", mainModule: "a.js", modules: { "a.js": "" }, globalOutbound: "x" }));
    // Still usable after the failures.
    out.after = await calc.add(40, 2);
    loader[Symbol.dispose]();
    socket.close();
    return out;
  },

  // Without the right token the endpoint answers 401 to both transports.
  async refused() {
    const batch = await settle(batchSession().load(code()).getEntrypoint("Calc").add(1, 1));
    const upgrade = await new Promise((resolve) => {
      const socket = new WebSocket(rpcUrl.replace(/^http/, "ws"), { headers });
      socket.on("unexpected-response", (request, response) => resolve(response.statusCode));
      socket.on("open", () => { socket.close(); resolve("open"); });
      socket.on("error", (e) => resolve(e.message));
    });
    return { batch, upgrade };
  },
};

const run = scenarios[scenario];
if (!run) {
  console.error(`unknown scenario: ${scenario}`);
  process.exit(2);
}
const timer = setTimeout(() => {
  console.error(`scenario ${scenario} did not finish in 60 s`);
  process.exit(3);
}, 60_000);
try {
  console.log(JSON.stringify(await run()));
  clearTimeout(timer);
  process.exit(0);
} catch (e) {
  console.error(e?.stack ?? String(e));
  process.exit(1);
}
