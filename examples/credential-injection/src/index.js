// Credential injection: untrusted code runs in a dynamic Worker whose every fetch() goes through
// InjectKey, an entrypoint of this host. The gateway adds `Authorization: Bearer <API_KEY>` and
// forwards the request to the one upstream it allows; the sandbox gets the upstream's response
// and nothing else. The key lives only in this host's env: the dynamic Worker's env is empty,
// and the request it sent is its own copy, so adding the header here changes nothing it can see.
//
//   POST /   body: an ES module whose default export has fetch(); it is run once and its
//            Response is the answer.
import { WorkerEntrypoint } from "cloudflare:workers";

export class InjectKey extends WorkerEntrypoint {
  async fetch(request) {
    const upstream = new URL(this.env.UPSTREAM);
    if (new URL(request.url).origin !== upstream.origin) {
      return new Response(`This sandbox may only call ${upstream.origin}.`, { status: 403 });
    }
    const headers = new Headers(request.headers);
    headers.set("Authorization", `Bearer ${this.env.API_KEY}`);
    headers.set("X-Tenant-Id", this.ctx.props.tenant);
    const response = await fetch(new Request(request, { headers }));
    // What the sandbox sees: the upstream's answer, minus anything that names the credential.
    const visible = new Headers(response.headers);
    visible.delete("www-authenticate");
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers: visible });
  }
}

export default {
  async fetch(request, env, ctx) {
    if (request.method !== "POST") return new Response("POST an ES module to run it.\n", { status: 405 });
    const worker = env.LOADER.load({
      compatibilityDate: "2026-11-01",
      mainModule: "main.js",
      modules: { "main.js": await request.text() },
      globalOutbound: ctx.exports.InjectKey({ props: { tenant: "tenant-42" } }),
    });
    return worker.getEntrypoint().fetch(new Request(request.url));
  },
};
