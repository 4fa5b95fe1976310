import { WorkerEntrypoint } from "cloudflare:workers";

// Tail events received by this host instance, in order.
const received = [];

export class LogTailer extends WorkerEntrypoint {
  async tail(events) {
    for (const event of events) received.push({ tailProps: this.ctx.props, ...event });
  }
}

const child = `export default {
  async fetch(request) {
    console.log("hello from", new URL(request.url).pathname);
    console.warn("careful");
    if (request.url.endsWith("/boom")) throw new Error("kaboom");
    if (request.url.endsWith("/spin")) for (;;) {}
    return new Response("child ran", { status: 202 });
  },
};`;

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/events") return Response.json(received);
    if (url.pathname === "/loopback") return ctx.exports.default.fetch("https://self/events");
    const worker = env.LOADER.get("child", () => ({
      compatibilityDate: "2026-11-01",
      mainModule: "child.js",
      modules: { "child.js": child },
      limits: { cpuMs: 50 },
      tails: [ctx.exports.LogTailer({ props: { workerId: "child" } })],
    }));
    try {
      return await worker.getEntrypoint().fetch(`https://child${url.pathname}`);
    } catch (e) {
      return new Response(`child failed: ${e.message}`, { status: 500 });
    }
  },
};
