// The Worker both servers run in the HTTP benchmark: a little real work per request.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const name = url.searchParams.get("name") ?? "world";
    const headers = new Headers({ "content-type": "application/json" });
    const bytes = new TextEncoder().encode(name).byteLength;
    return new Response(JSON.stringify({ hello: name, bytes, greeting: env.GREETING }), { headers });
  },
};
