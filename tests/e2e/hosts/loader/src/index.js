// Each route exercises one part of env.LOADER and answers with what it saw.
const DATE = "2025-06-01";

const greeter = {
  compatibilityDate: DATE,
  mainModule: "main.js",
  modules: {
    "main.js": `
      import { WorkerEntrypoint } from "cloudflare:workers";
      import { prefix } from "./lib.js";
      import text from "./hello.txt";
      import config from "./config.json";
      import data from "./bytes.bin";
      let count = 0;
      export default {
        async fetch(request, env, ctx) {
          count++;
          const body = request.method === "POST" ? await request.text() : "";
          return new Response(prefix + JSON.stringify({
            method: request.method, path: new URL(request.url).pathname, body, env, props: ctx.props,
            count, text, config, data: [...new Uint8Array(data)],
          }), { status: 201, headers: { "x-dynamic": "yes" } });
        },
      };
      export class Admin extends WorkerEntrypoint {
        async fetch(request) {
          return Response.json({ admin: true, props: this.ctx.props, env: this.env });
        }
      }
      export const plain = {
        fetch(request, env, ctx) { return new Response("plain " + ctx.props.who); },
      };
    `,
    "lib.js": { js: "export const prefix = 'dyn:';" },
    "hello.txt": { text: "hi there" },
    "config.json": { json: { a: [1, 2] } },
    "bytes.bin": { data: new Uint8Array([1, 2, 3]) },
  },
  env: { SECRET: "s3" },
};

async function answer(promise) {
  try {
    const response = await promise;
    const body = await response.text();
    return new Response(`${response.status} ${response.headers.get("x-dynamic")} ${body}`);
  } catch (e) {
    return new Response(`error ${e.name}: ${e.message}`);
  }
}

let getCodeCalls = 0;
let kept;  // a stub kept across requests

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const q = url.searchParams;
    switch (url.pathname) {
      case "/get": {
        const worker = env.LOADER.get(q.get("name"), async () => {
          getCodeCalls++;
          return greeter;
        });
        return answer(worker.getEntrypoint().fetch("https://dyn.example/hello?x=1"));
      }
      case "/calls":
        return new Response(String(getCodeCalls));
      case "/post": {
        const worker = env.LOADER.load(greeter);
        return answer(worker.getEntrypoint(null, { props: { user: "ada" } })
          .fetch(new Request("https://dyn.example/submit", { method: "POST", body: "payload" })));
      }
      case "/named": {
        const worker = env.LOADER.load(greeter);
        return answer(worker.getEntrypoint("Admin", { props: { role: "root" } }).fetch("https://dyn.example/"));
      }
      case "/plain": {
        const worker = env.LOADER.load(greeter);
        return answer(worker.getEntrypoint("plain", { props: { who: "bob" } }).fetch("https://dyn.example/"));
      }
      case "/concurrent": {
        // Three requests made before getCode resolved: they wait, and getCode runs once.
        let calls = 0;
        const worker = env.LOADER.get(null, () => new Promise((resolve) => {
          calls++;
          setTimeout(() => resolve(greeter), 20);
        }));
        const fetcher = worker.getEntrypoint();
        const bodies = await Promise.all([1, 2, 3].map(() => fetcher.fetch("https://dyn.example/").then((r) => r.text())));
        const counts = bodies.map((b) => JSON.parse(b.slice(4)).count).sort();
        return new Response(`calls=${calls} counts=${counts.join(",")}`);
      }
      case "/get-code-rejects": {
        const worker = env.LOADER.get("broken", async () => { throw new Error("Code loader failed!"); });
        const a = await answer(worker.getEntrypoint().fetch("https://dyn.example/")).then((r) => r.text());
        const b = await answer(worker.getEntrypoint("Admin").fetch("https://dyn.example/")).then((r) => r.text());
        return new Response(`${a} | ${b}`);
      }
      case "/bad-module-get": {
        const worker = env.LOADER.get(null, () => ({ compatibilityDate: DATE, mainModule: "main.txt",
                                                    modules: { "main.txt": "export default {}" } }));
        return answer(worker.getEntrypoint().fetch("https://dyn.example/"));
      }
      case "/bad-module-load": {
        try {
          env.LOADER.load({ compatibilityDate: DATE, mainModule: "a.js", modules: { "a.js": { js: "", text: "" } } });
          return new Response("no error");
        } catch (e) {
          return new Response(`threw ${e.name}: ${e.message}`);
        }
      }
      case "/no-date": {
        try {
          env.LOADER.load({ mainModule: "a.js", modules: { "a.js": "" } });
          return new Response("no error");
        } catch (e) {
          return new Response(`threw ${e.name}: ${e.message}`);
        }
      }
      case "/env-too-big": {
        try {
          env.LOADER.load({ compatibilityDate: DATE, mainModule: "a.js", modules: { "a.js": "" },
                            env: { big: "x".repeat(1 << 20) } });
          return new Response("no error");
        } catch (e) {
          return new Response(`threw ${e.name}: ${e.message}`);
        }
      }
      case "/top-level-throw": {
        const worker = env.LOADER.load({ compatibilityDate: DATE, mainModule: "a.js",
                                         modules: { "a.js": "throw new RangeError('boom at startup');" } });
        const a = await answer(worker.getEntrypoint().fetch("https://dyn.example/")).then((r) => r.text());
        const b = await answer(worker.getEntrypoint().fetch("https://dyn.example/")).then((r) => r.text());
        return new Response(`${a} | ${b}`);
      }
      case "/missing-entrypoint": {
        const worker = env.LOADER.load({ compatibilityDate: DATE, mainModule: "a.js",
                                         modules: { "a.js": "export const x = 1;" } });
        const a = await answer(worker.getEntrypoint("Nope").fetch("https://dyn.example/")).then((r) => r.text());
        const b = await answer(worker.getEntrypoint().fetch("https://dyn.example/")).then((r) => r.text());
        return new Response(`${a} | ${b}`);
      }
      case "/cpu": {
        const worker = env.LOADER.get("spinner", () => ({
          compatibilityDate: DATE, mainModule: "a.js", limits: { cpuMs: 50 },
          modules: { "a.js": "export default { fetch(r) { if (new URL(r.url).pathname === '/spin') for (;;) {} return new Response('alive'); } }" },
        }));
        const spun = await answer(worker.getEntrypoint().fetch("https://dyn.example/spin")).then((r) => r.text());
        const again = await answer(worker.getEntrypoint().fetch("https://dyn.example/ok")).then((r) => r.text());
        return new Response(`${spun} | ${again}`);
      }
      case "/kept": {
        kept ??= env.LOADER.load(greeter);
        return answer(kept.getEntrypoint("plain", { props: { who: "kept" } }).fetch("https://dyn.example/"));
      }
      case "/entrypoint-limits": {
        const worker = env.LOADER.get("spinner2", () => ({
          compatibilityDate: DATE, mainModule: "a.js",
          modules: { "a.js": "export default { fetch() { for (;;) {} } }" },
        }));
        const spun = await answer(worker.getEntrypoint(null, { limits: { cpuMs: 30 } }).fetch("https://dyn.example/"));
        return new Response(`${await spun.text()}`);
      }
      case "/dynamic-throws": {
        const worker = env.LOADER.load({ compatibilityDate: DATE, mainModule: "a.js",
                                         modules: { "a.js": "export default { fetch() { throw new TypeError('nope'); } }" } });
        return answer(worker.getEntrypoint().fetch("https://dyn.example/"));
      }
      case "/":
        return new Response("host ok");
      default:
        return new Response("not found", { status: 404 });
    }
  },
};
