// The stand-in for wptserve that wisp-wpt runs beside each test: a module Worker that the test
// Worker's fetch() reaches (its global outbound), so that the tests' fetch() calls go through
// wisp's own fetch(): Request, the outbound request and response, the body stream, abort.
//
// `env` is the test's config from wisp-wpt: { files: {path: text}, binary: {path: base64} }, the
// resource files the test may fetch (paths absolute from the WPT root). This Worker serves those
// and the handlers below; prelude.js rejects a fetch() of anything else before it gets here
// (those subtests need the real wptserve), so its list of handlers must match this one.
const contentTypes = {
  json: "application/json", idl: "text/plain", txt: "text/plain", js: "text/javascript", html: "text/html",
};

function contentType(path) {
  return contentTypes[path.slice(path.lastIndexOf(".") + 1)] ?? "application/octet-stream";
}

function decodeBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

// wptserve's Python handlers that are simple enough to do here, by path.
const handlers = {
  // The request's body back, with its Content-Type.
  "/fetch/api/resources/echo-content.py": async (request) =>
    new Response(await request.arrayBuffer(), {
      headers: { "content-type": request.headers.get("content-type") ?? "" },
    }),
};

export default {
  async fetch(request, env) {
    const path = decodeURIComponent(new URL(request.url).pathname);
    const handler = Object.hasOwn(handlers, path) ? handlers[path] : null;
    if (handler) return handler(request);
    const headers = { "content-type": contentType(path) };
    if (Object.hasOwn(env.files, path)) return new Response(env.files[path], { headers });
    if (Object.hasOwn(env.binary, path)) return new Response(decodeBase64(env.binary[path]), { headers });
    return new Response(`wisp-wpt: ${path} is not served here`, { status: 404 });
  },
};
