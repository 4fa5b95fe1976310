interface Env {
  GREETING: string;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/":
        return new Response(`${env.GREETING} from ${request.method} ${url.pathname}`);
      case "/echo": {
        const body = await request.arrayBuffer();
        return new Response(body, { headers: { "x-echo-length": String(body.byteLength) } });
      }
      case "/throw":
        throw new Error("secret internal detail");
      case "/loop":
        for (;;) {}
      case "/headers":
        return Response.json([...request.headers.keys()]);
      case "/json":
        return Response.json({ ok: true, query: Object.fromEntries(url.searchParams) });
      default:
        return new Response("not found", { status: 404 });
    }
  },
};
