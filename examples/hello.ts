// wisp run examples/hello.ts --url "https://example.com/greet?name=Ada"
// A TypeScript Worker: computes a JSON body with URL, Headers, TextEncoder and crypto.randomUUID.
interface Greeting {
  message: string;
  path: string;
  bytes: number;
  requestId: string;
  userAgent: string | null;
}

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const name = url.searchParams.get("name") ?? "world";
    const message = `Hello, ${name}!`;
    const body: Greeting = {
      message,
      path: url.pathname,
      bytes: new TextEncoder().encode(message).byteLength,
      requestId: crypto.randomUUID(),
      userAgent: request.headers.get("user-agent"),
    };
    const headers = new Headers({ "content-type": "application/json; charset=utf-8" });
    headers.set("x-request-id", body.requestId);
    console.log(`greeted ${name}`);
    return new Response(JSON.stringify(body, null, 2), { headers });
  },
};
