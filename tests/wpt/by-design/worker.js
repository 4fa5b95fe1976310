// The claims behind the "by design, as in Workers" reasons of tests/wpt/expectations/fetch.json
// (and two fetch failures that are not by design), each as a small check. check_by_design.py
// runs this Worker on workerd (from npm) and on wisp and compares the answers: a claim holds when
// both runtimes answer the same and the answer is not what the WPT subtest wants (`spec`).
//
// GET /?server=ORIGIN answers {claim: {observed, spec}}; ORIGIN is a local HTTP server of the
// script's, for the checks that need fetch() to reach something. Observations are plain data
// without error messages (their wording differs between runtimes; the error's name does not).

const url = "https://example.com/";

// What a call does: its value, or the name of what it threw or rejected with.
async function outcome(fn) {
  try {
    return { value: await fn() };
  } catch (error) {
    return { threw: error?.name ?? String(error) };
  }
}

const forbiddenRequestHeaders = [
  "Accept-Charset", "Accept-Encoding", "Access-Control-Request-Headers", "Access-Control-Request-Method",
  "Access-Control-Request-Private-Network", "Connection", "Content-Length", "Cookie", "Cookie2", "Date", "DNT",
  "Expect", "Host", "Keep-Alive", "Origin", "Referer", "Set-Cookie", "TE", "Trailer", "Transfer-Encoding",
  "Upgrade", "Via", "Proxy-A", "Sec-B",
];

// claim (the reason's text after "by design, as in Workers: ", exactly: check_by_design.py
// requires a check for every such reason of fetch/api/headers, request and basic) -> { check, spec }
const claims = {
  "no forbidden request headers (a Worker may set Host, Cookie, Origin, ... on its requests)": {
    // request-headers.any.js: new Request("", {headers}) must drop each of these.
    check: () => forbiddenRequestHeaders.filter((name) => new Request(url, { headers: { [name]: "KO" } }).headers.has(name)),
    spec: [],
  },
  "no `mode`, so no 'request-no-cors' header guard": {
    // headers-no-cors.any.js, request-headers.any.js: a no-cors Request's headers keep only
    // CORS-safelisted request headers.
    check: async () => {
      const made = await outcome(() => {
        const request = new Request(url, { mode: "no-cors", headers: { "Potato": "KO" } });
        request.headers.set("Accept", "s".repeat(200));
        return [request.headers.has("Potato"), request.headers.has("Accept")];
      });
      return made;
    },
    spec: { value: [false, false] },
  },
  "Request has no destination, referrer, referrerPolicy, mode, credentials, isReloadNavigation, isHistoryNavigation or duplex attributes": {
    check: () => {
      const request = new Request(url);
      return ["destination", "referrer", "referrerPolicy", "mode", "credentials", "isReloadNavigation",
        "isHistoryNavigation", "duplex"].filter((name) => name in request);
    },
    spec: ["destination", "referrer", "referrerPolicy", "mode", "credentials", "isReloadNavigation",
      "isHistoryNavigation", "duplex"],
  },
  "mode, credentials, referrer, referrerPolicy and window are ignored, not validated": {
    // request-error.any.js: each of these RequestInits is a TypeError.
    check: async () => {
      const inits = {
        window: { window: {} }, navigate: { mode: "navigate" }, badReferrer: { referrer: "http://:invalid" },
        noCorsPut: { mode: "no-cors", method: "PUT" }, badReferrerPolicy: { referrerPolicy: "BAD" },
        badMode: { mode: "BAD" }, badCredentials: { credentials: "BAD" },
        onlyIfCachedSameOrigin: { cache: "only-if-cached", mode: "same-origin" },
      };
      const out = {};
      for (const [name, init] of Object.entries(inits)) out[name] = (await outcome(() => new Request(url, init) && "made")).threw ?? "made";
      return out;
    },
    spec: {
      window: "TypeError", navigate: "TypeError", badReferrer: "TypeError", noCorsPut: "TypeError",
      badReferrerPolicy: "TypeError", badMode: "TypeError", badCredentials: "TypeError", onlyIfCachedSameOrigin: "TypeError",
    },
  },
  "keepalive is ignored (request.keepalive is always false)": {
    check: () => new Request(url, { keepalive: true }).keepalive ?? "absent",
    spec: true,
  },
  "a ReadableStream body needs no duplex: 'half'": {
    check: () => outcome(() => new Request(url, { method: "POST", body: new ReadableStream() }) && "made"),
    spec: { threw: "TypeError" },
  },
  "a URL with credentials (user:password@) is accepted": {
    check: () => outcome(() => new Request("https://user:password@example.com/").url),
    spec: { threw: "TypeError" },
  },
  "a body in init replaces the input Request's body, which is left untouched (not disturbed)": {
    check: async () => {
      const input = new Request(url, { method: "POST", body: "Request's body" });
      const request = new Request(input, { body: "init body" });
      return { inputBodyUsed: input.bodyUsed, text: await request.text() };
    },
    spec: { inputBodyUsed: true, text: "init body" },
  },
  "an empty FormData body is written as its closing multipart boundary, not as nothing": {
    check: async () => {
      const text = await new Request(url, { method: "POST", body: new FormData() }).text();
      // Only whether it is a closing boundary: workerd ends it without the CRLF that wisp writes.
      return /^--[^\r\n]+--(\r\n)?$/.test(text) ? "a closing boundary" : text;
    },
    spec: "",
  },
  "priority is ignored, not validated": {
    check: () => outcome(() => new Request(url, { priority: "invalid" }) && "made"),
    spec: { threw: "TypeError" },
  },
  "request.cache is undefined unless init set a cache mode": {
    check: () => new Request(url).cache ?? "undefined",
    spec: "default",
  },
  "Headers iterators walk a snapshot taken when they start, not the live list": {
    // headers-basic.any.js: "Iteration skips elements removed while iterating", and the like.
    check: () => {
      const headers = new Headers([["a", "1"], ["b", "2"], ["c", "3"]]);
      const seen = [];
      for (const [name] of headers) {
        seen.push(name);
        if (name === "a") {
          headers.delete("b");
          headers.append("d", "4");
        }
      }
      return seen;
    },
    spec: ["a", "c", "d"],
  },
  "header values may hold any Unicode text (sent as UTF-8), not only ByteStrings": {
    check: async () => ({
      init: await outcome(() => new Headers({ a: "invalid\u0100" }).get("a")),
      set: await outcome(() => { const h = new Headers(); h.set("a", "invalid\u0100"); return h.get("a"); }),
      append: await outcome(() => { const h = new Headers(); h.append("a", "invalid\u0100"); return h.get("a"); }),
    }),
    spec: { init: { threw: "TypeError" }, set: { threw: "TypeError" }, append: { threw: "TypeError" } },
  },
  "a Response may carry Set-Cookie (no 'response' header guard server-side)": {
    check: () => new Response("", { headers: [["set-cookie", "foo=bar"]] }).headers.get("set-cookie"),
    spec: null,
  },
  "new Headers(headers) copies the other list directly instead of calling its @@iterator": {
    check: () => {
      const headers = new Headers({ original: "1" });
      headers[Symbol.iterator] = function* () { yield ["test", "test"]; };
      const copy = new Headers(headers);
      return [copy.get("test"), copy.get("original")];
    },
    spec: ["test", null],
  },
  "Headers keeps getAll() (for Set-Cookie)": {
    check: () => typeof new Headers().getAll,
    spec: "undefined",
  },
  "no subresource integrity checks; an integrity other than \"\" is a TypeError": {
    // integrity.sub.any.js: a matching integrity lets the fetch succeed.
    check: async ({ server }) => ({
      request: await outcome(() => new Request(url, { integrity: "sha256-abc" }).integrity),
      fetch: await outcome(async () => (await fetch(`${server}/text`, { integrity: "sha256-abc" })).status),
      emptyIntegrity: await outcome(async () => (await fetch(`${server}/text`, { integrity: "" })).status),
    }),
    spec: { request: { value: "sha256-abc" }, fetch: { threw: "TypeError" }, emptyIntegrity: { value: 200 } },
  },
  "a data: URL's Response has type 'default', not 'basic', and an empty body for a method other than GET": {
    // scheme-data.any.js, request-upload.h2.any.js ("Feature detect for POST with ReadableStream").
    check: async () => {
      const get = await fetch("data:,response%27s%20body");
      const post = await fetch("data:a/a;charset=utf-8,test", { method: "POST", body: "x" });
      return { type: get.type, status: get.status, contentType: get.headers.get("content-type"),
        body: await get.text(), postBody: await post.text() };
    },
    spec: { type: "basic", status: 200, contentType: "text/plain;charset=US-ASCII", body: "response's body", postBody: "test" },
  },
  "URL.createObjectURL() throws (there are no blob: URLs to fetch); the test calls it at its top level": {
    check: () => outcome(() => URL.createObjectURL(new Blob(["Blob's data"]))),
    spec: { value: "a blob: URL" },
  },
  "a stream request body may hold any BufferSource chunk, and strings (sent as UTF-8); the spec accepts only Uint8Array chunks": {
    // request-upload.any.js: "Fetch with POST with ReadableStream containing ArrayBuffer".
    check: async ({ server }) => {
      const chunks = { ArrayBuffer: () => new ArrayBuffer(4), DataView: () => new DataView(new ArrayBuffer(4)),
        Int8Array: () => new Int8Array(4), String: () => "Test", Uint8Array: () => new Uint8Array(4) };
      const out = {};
      for (const [name, make] of Object.entries(chunks)) {
        const body = new ReadableStream({ start(controller) { controller.enqueue(make()); controller.close(); } });
        out[name] = await outcome(async () => (await fetch(`${server}/echo`, { method: "POST", body, duplex: "half" })).text());
      }
      return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.threw ?? `${v.value.length} bytes`]));
    },
    spec: { ArrayBuffer: "TypeError", DataView: "TypeError", Int8Array: "TypeError", String: "TypeError", Uint8Array: "4 bytes" },
  },
};

// A failure that is not by design: what workerd does, which wisp should match.
const workerdBehaviour = {
  "fetch() cancels a stream request body when its signal aborts": {
    // request-upload.h2.any.js: "ReadbleStream should be closed on signal.abort".
    check: async ({ server }) => {
      let cancelled;
      const wasCancelled = new Promise((resolve) => { cancelled = resolve; });
      const body = new ReadableStream({ cancel(reason) { cancelled(reason); } });
      const controller = new AbortController();
      const response = fetch(`${server}/echo`, { method: "POST", body, duplex: "half", signal: controller.signal });
      controller.abort("foo abort");
      const rejected = await response.then(() => "resolved", (reason) => reason);
      const notCancelled = new Promise((resolve) => setTimeout(() => resolve("not cancelled"), 1000));
      const reason = await Promise.race([wasCancelled, notCancelled]);
      // workerd rejects with an Error "foo abort" and cancels with no reason; wisp keeps the
      // spec's reason for both (as the WPT subtest wants). That the body is cancelled is checked.
      return { rejected: rejected !== "resolved", cancelled: reason !== "not cancelled" };
    },
    spec: { rejected: true, cancelled: true },
  },
};

export default {
  async fetch(request) {
    const server = new URL(request.url).searchParams.get("server");
    const answers = {};
    for (const [kind, table] of [["by design", claims], ["workerd", workerdBehaviour]]) {
      for (const [claim, { check, spec }] of Object.entries(table)) {
        let observed;
        try {
          observed = await check({ server });
        } catch (error) {
          observed = { checkFailed: `${error?.name}: ${error?.message}` };
        }
        answers[claim] = { kind, observed, spec };
      }
    }
    return Response.json(answers);
  },
};
