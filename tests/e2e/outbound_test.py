#!/usr/bin/env python3
"""Outbound fetch() end to end: Workers run by `wisp serve` and `wisp run` fetch from a local HTTP
server on 127.0.0.1 (Python's http.server in a thread). Bodies and headers both ways, redirects
(follow, manual, error, and a hop to an address the policy refuses), abort, timeouts, the response
size limit, the egress policy (loopback refused by default; the configs here allow 127.0.0.1 only),
the subrequest limit, connection reuse, and Workers whose outbound is blocked."""
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from wisp_server import Cases, Server

WISP = sys.argv[1]
cases = Cases()
case = cases.case

BIG = 200_000          # over the configured maxResponseBytes
LIMIT = 100_000        # wisp.egress.maxResponseBytes below
STREAMED = 90_000      # under it, sent in several chunks
stopping = threading.Event()
seen_paths = []


class Origin(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so connection reuse can be seen

    def log_message(self, *args):
        pass

    def send(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def handle_one(self):
        url = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        seen_paths.append(url.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if url.path == "/hello":
            return self.send(200, b"hello world", [("Content-Type", "text/plain"), ("X-Test", "yes"),
                                                   ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
        if url.path == "/echo":
            echo = {"method": self.command, "length": len(body), "sha256": hashlib.sha256(body).hexdigest(),
                    "text": body.decode("utf-8", "replace") if len(body) < 1000 else None,
                    "headers": {k.lower(): v for k, v in self.headers.items()
                                if k.lower() in ("content-type", "x-custom", "authorization", "content-length",
                                                 "transfer-encoding", "expect")}}
            return self.send(200, json.dumps(echo).encode(), [("Content-Type", "application/json")])
        if url.path == "/redirect":
            return self.send(int(q.get("status", "302")), b"moved", [("Location", q["to"])])
        if url.path.startswith("/chain/"):
            n = int(url.path.split("/")[2])
            if n == 0:
                return self.send(200, b"end of chain")
            return self.send(302, b"", [("Location", f"/chain/{n - 1}")])
        if url.path == "/peer":
            return self.send(200, str(self.client_address[1]).encode())
        if url.path == "/status":
            return self.send(int(q["code"]))
        if url.path == "/slow":
            stopping.wait(float(q.get("s", "3")))
            return self.send(200, b"slow")
        if url.path == "/big":
            return self.send(200, b"x" * int(q["n"]))
        if url.path == "/chunked":
            # No Content-Length: the size is only known as bytes arrive.
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            total, size = int(q["n"]), 16_384
            for i in range(0, total, size):
                self.chunk(bytes([65 + (i // size) % 26]) * min(size, total - i))
                time.sleep(0.005)
            self.wfile.write(b"0\r\n\r\n")
            return None
        if url.path == "/trickle":
            # One chunk now, the rest only after a pause.
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.chunk(b"first")
            stopping.wait(3)
            try:
                self.chunk(b"rest")
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass
            return None
        return self.send(404, b"not found")

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = handle_one


origin = ThreadingHTTPServer(("127.0.0.1", 0), Origin)
origin.daemon_threads = True
origin.handle_error = lambda request, address: None  # a Worker that aborts leaves a broken pipe
threading.Thread(target=origin.serve_forever, daemon=True).start()
ORIGIN = f"http://127.0.0.1:{origin.server_address[1]}"

# A port nothing listens on.
s = socket.socket()
s.bind(("127.0.0.1", 0))
CLOSED_PORT = s.getsockname()[1]
s.close()

HOST = r"""
const json = (v) => new Response(JSON.stringify(v), { headers: { "content-type": "application/json" } });
const failure = (e) => ({ name: e?.name, message: e?.message });
async function settle(p) {
  try { return { ok: await p }; } catch (e) { return { error: failure(e) }; }
}

const routes = {
  async get(o) {
    const r = await fetch(o + "/hello");
    return { status: r.status, statusText: r.statusText, ok: r.ok, text: await r.text(), xtest: r.headers.get("x-test"),
             type: r.headers.get("content-type"), cookies: r.headers.getSetCookie(), url: r.url,
             redirected: r.redirected, immutable: await settle((async () => r.headers.set("a", "b"))()) };
  },
  async post(o) {
    const r = await fetch(o + "/echo", { method: "POST", body: "payload \u00fc",
                                         headers: { "content-type": "text/plain", "x-custom": "1" } });
    return r.json();
  },
  async postBinary(o) {
    const bytes = new Uint8Array(70000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = i % 251;
    const r = await fetch(new Request(o + "/echo", { method: "PUT", body: bytes }));
    return r.json();
  },
  async postNoType(o) {
    return (await fetch(o + "/echo", { method: "POST", body: new Uint8Array([1, 2, 3]) })).json();
  },
  async postEmpty(o) {
    return (await fetch(o + "/echo", { method: "POST" })).json();
  },
  async deleteWithBody(o) {
    return (await fetch(o + "/echo", { method: "DELETE", body: "bye" })).json();
  },
  async head(o) {
    const r = await fetch(o + "/hello", { method: "HEAD" });
    return { status: r.status, body: r.body, length: r.headers.get("content-length") };
  },
  async noContent(o) {
    const r = await fetch(o + "/status?code=204");
    return { status: r.status, body: r.body };
  },
  async notFound(o) {
    const r = await fetch(o + "/nowhere");
    return { status: r.status, ok: r.ok, text: await r.text() };
  },
  async follow(o) {
    const r = await fetch(o + "/redirect?status=302&to=/hello#frag");
    return { status: r.status, url: r.url, redirected: r.redirected, text: await r.text() };
  },
  async post303(o) {
    const r = await fetch(o + "/redirect?status=303&to=/echo", { method: "POST", body: "gone",
                                                                 headers: { "content-type": "text/plain" } });
    return r.json();
  },
  async post307(o) {
    const r = await fetch(o + "/redirect?status=307&to=/echo", { method: "POST", body: "kept",
                                                                 headers: { authorization: "Bearer t" } });
    return { url: r.url, echo: await r.json() };
  },
  async chain(o) {
    const r = await fetch(o + "/chain/20");
    return { text: await r.text(), url: r.url };
  },
  async tooManyRedirects(o) {
    return settle(fetch(o + "/chain/21"));
  },
  async manual(o) {
    const r = await fetch(o + "/redirect?status=301&to=/hello", { redirect: "manual" });
    return { status: r.status, location: r.headers.get("location"), redirected: r.redirected, text: await r.text() };
  },
  async redirectError(o) {
    return settle(fetch(o + "/redirect?status=302&to=/hello", { redirect: "error" }));
  },
  async redirectInward(o, env) {
    // 127.0.0.2 is loopback too, but the config allows 127.0.0.1 only.
    return settle(fetch(o + "/redirect?status=302&to=" + encodeURIComponent(env.INWARD + "/hello")));
  },
  async redirectFtp(o) {
    return settle(fetch(o + "/redirect?status=302&to=" + encodeURIComponent("ftp://127.0.0.1/x")));
  },
  async proxy(o) {
    return fetch(o + "/hello");
  },
  async stream(o) {
    const r = await fetch(o + "/chunked?n=" + 90000);
    const reader = r.body.getReader();
    let total = 0, chunks = 0;
    const hash = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      chunks++;
      hash.push(String.fromCharCode(value[0]));
    }
    return { total, chunks: chunks > 0 };
  },
  async bigDeclared(o) {
    return settle(fetch(o + "/big?n=" + 200000));
  },
  async bigStreamed(o) {
    const r = await fetch(o + "/chunked?n=" + 200000);
    return { status: r.status, body: await settle(r.text()) };
  },
  async abortBefore(o) {
    const c = new AbortController();
    c.abort();
    return settle(fetch(o + "/hello", { signal: c.signal }));
  },
  async abortDuring(o) {
    const c = new AbortController();
    setTimeout(() => c.abort(new Error("changed my mind")), 100);
    return settle(fetch(o + "/slow?s=5", { signal: c.signal }));
  },
  async abortBody(o) {
    const c = new AbortController();
    const r = await fetch(o + "/trickle", { signal: c.signal });
    const reader = r.body.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    c.abort();
    return { first, next: await settle(reader.read()) };
  },
  async abortTimeout(o) {
    return settle(fetch(o + "/slow?s=5", { signal: AbortSignal.timeout(100) }));
  },
  async cancelBody(o) {
    const r = await fetch(o + "/trickle");
    const reader = r.body.getReader();
    await reader.read();
    await reader.cancel();
    return (await fetch(o + "/hello")).text();  // the Worker goes on
  },
  async timeout(o) {
    return settle(fetch(o + "/slow?s=5"));
  },
  async refusedConnection(o, env) {
    return settle(fetch(env.CLOSED));
  },
  async badScheme() {
    return settle(fetch("ftp://127.0.0.1/file"));
  },
  async reuse(o) {
    const ports = [];
    for (let i = 0; i < 3; i++) ports.push(await (await fetch(o + "/peer")).text());
    return new Set(ports).size;
  },
  async subrequests(o) {
    const got = [];
    for (let i = 0; i < 6; i++) {
      try {
        got.push((await fetch(o + "/hello")).status);
      } catch (e) {
        got.push(failure(e));
      }
    }
    return got;
  },
  async concurrent(o) {
    const texts = await Promise.all([1, 2, 3].map(() => fetch(o + "/hello").then((r) => r.text())));
    return texts;
  },
  async dynamicNull(o, env) {
    return dynamicFetch(o, env, { globalOutbound: null });
  },
  async dynamicInherit(o, env) {
    return dynamicFetch(o, env, {});  // globalOutbound omitted: the host's network and policy
  },
};

async function dynamicFetch(o, env, outbound) {
  const stub = env.LOADER.load({
    compatibilityDate: "2026-01-01", mainModule: "main.js", ...outbound,
    modules: { "main.js": `export default { async fetch(req) {
      try { await fetch(${JSON.stringify(o)} + "/hello"); return new Response("reached"); }
      catch (e) { return new Response(e.name + ": " + e.message); } } };` },
  });
  return (await stub.getEntrypoint().fetch("http://dyn/")).text();
}

export default {
  async fetch(request, env) {
    const name = new URL(request.url).pathname.slice(1);
    const route = routes[name];
    if (!route) return new Response("no route " + name, { status: 404 });
    const result = await route(env.ORIGIN, env);
    return result instanceof Response ? result : json(result);
  },
};
"""

work = tempfile.mkdtemp(prefix="wisp-outbound-")
with open(os.path.join(work, "host.js"), "w") as f:
    f.write(HOST)
with open(os.path.join(work, "wrangler.jsonc"), "w") as f:
    json.dump({
        "name": "outbound", "main": "host.js", "compatibility_date": "2026-01-01",
        "vars": {"ORIGIN": ORIGIN, "INWARD": f"http://127.0.0.2:{origin.server_address[1]}",
                 "CLOSED": f"http://127.0.0.1:{CLOSED_PORT}/"},
        "worker_loaders": [{"binding": "LOADER"}],
        "wisp": {"listen": "127.0.0.1:0", "threads": 1, "limits": {"subrequests": 5},
                 "egress": {"allow": ["127.0.0.1"], "maxResponseBytes": LIMIT, "timeoutMs": 1500}},
    }, f)

server = Server(WISP, work)


def call(route):
    status, body = server.get("/" + route)
    assert status == 200, f"/{route}: {status} {body}\n{server.stderr()[-1500:]}"
    return json.loads(body)


def expect(route, want):
    got = call(route)
    assert got == want, f"/{route}:\n  got  {got!r}\n  want {want!r}"


def expect_error(route, name, message):
    got = call(route)
    assert "error" in got, f"/{route}: no error: {got!r}"
    assert got["error"] == {"name": name, "message": message}, \
        f"/{route}:\n  got  {got['error']!r}\n  want {{'name': {name!r}, 'message': {message!r}}}"


@case
def get_reads_status_headers_and_body():
    expect("get", {"status": 200, "statusText": "OK", "ok": True, "text": "hello world", "xtest": "yes",
                   "type": "text/plain", "cookies": ["a=1", "b=2"], "url": ORIGIN + "/hello", "redirected": False,
                   "immutable": {"error": {"name": "TypeError", "message": "Can't modify immutable headers."}}})


@case
def post_sends_body_and_headers():
    got = call("post")
    body = "payload \u00fc".encode()
    assert got == {"method": "POST", "length": len(body), "sha256": hashlib.sha256(body).hexdigest(),
                   "text": "payload \u00fc",
                   "headers": {"content-type": "text/plain", "x-custom": "1", "content-length": str(len(body))}}, got


@case
def binary_body_arrives_intact_without_expect_100():
    got = call("postBinary")
    body = bytes(i % 251 for i in range(70000))
    assert got["method"] == "PUT" and got["length"] == 70000, got
    assert got["sha256"] == hashlib.sha256(body).hexdigest(), got
    assert "expect" not in got["headers"] and "content-type" not in got["headers"], got


@case
def a_body_without_a_type_gets_no_content_type():
    got = call("postNoType")
    assert got["length"] == 3 and "content-type" not in got["headers"], got


@case
def other_methods_and_empty_bodies():
    got = call("postEmpty")
    assert got["method"] == "POST" and got["length"] == 0 and got["headers"].get("content-length") == "0", got
    got = call("deleteWithBody")
    assert got["method"] == "DELETE" and got["text"] == "bye", got


@case
def head_and_no_content_have_null_bodies():
    expect("head", {"status": 200, "body": None, "length": "11"})
    expect("noContent", {"status": 204, "body": None})


@case
def error_statuses_are_responses():
    expect("notFound", {"status": 404, "ok": False, "text": "not found"})


@case
def redirects_are_followed():
    expect("follow", {"status": 200, "url": ORIGIN + "/hello", "redirected": True, "text": "hello world"})


@case
def redirect_303_turns_a_post_into_a_get():
    got = call("post303")
    assert got["method"] == "GET" and got["length"] == 0 and "content-type" not in got["headers"], got


@case
def redirect_307_keeps_method_body_and_same_origin_credentials():
    got = call("post307")
    assert got["url"] == ORIGIN + "/echo", got
    echo = got["echo"]
    assert echo["method"] == "POST" and echo["text"] == "kept" and echo["headers"]["authorization"] == "Bearer t", echo


@case
def twenty_redirects_are_followed_and_the_21st_is_refused():
    expect("chain", {"text": "end of chain", "url": ORIGIN + "/chain/0"})
    expect_error("tooManyRedirects", "TypeError", f"fetch() to {ORIGIN}/chain/21 was redirected more than 20 times.")


@case
def manual_redirect_returns_the_redirect():
    expect("manual", {"status": 301, "location": "/hello", "redirected": False, "text": "moved"})


@case
def redirect_error_mode_rejects():
    expect_error("redirectError", "TypeError",
                 f"fetch() to {ORIGIN}/redirect?status=302&to=/hello was redirected to {ORIGIN}/hello, and the "
                 "request's redirect mode is \"error\".")


@case
def a_redirect_to_a_refused_address_is_refused():
    port = origin.server_address[1]
    before = seen_paths.count("/hello")
    expect_error("redirectInward", "TypeError",
                 f"fetch() to http://127.0.0.2:{port}/hello was refused by the egress policy: 127.0.0.2 is a "
                 "loopback address; private and special-purpose addresses are refused unless allowPrivate is set "
                 "or an allow entry's address range contains them")
    assert seen_paths.count("/hello") == before


@case
def a_redirect_to_another_scheme_is_refused():
    expect_error("redirectFtp", "TypeError",
                 f"fetch() to {ORIGIN}/redirect?status=302&to=ftp%3A%2F%2F127.0.0.1%2Fx was redirected to "
                 "ftp://127.0.0.1/x, which is not an HTTP(S) URL.")


@case
def a_fetched_response_can_be_returned_as_is():
    status, headers, body = server.request("GET", "/proxy")
    assert status == 200 and body == b"hello world" and headers.get("x-test") == "yes", (status, headers, body)


@case
def the_body_streams_in_chunks():
    expect("stream", {"total": STREAMED, "chunks": True})


@case
def a_declared_length_over_the_limit_fails_the_fetch():
    expect_error("bigDeclared", "TypeError",
                 f"fetch() response from {ORIGIN}/big?n={BIG} is {BIG} bytes, over the limit of {LIMIT} bytes "
                 "(egress maxResponseBytes).")


@case
def a_streamed_body_over_the_limit_fails_the_read():
    got = call("bigStreamed")
    assert got["status"] == 200, got
    assert got["body"] == {"error": {"name": "TypeError", "message": f"fetch() response from {ORIGIN}/chunked?n={BIG} "
                                     f"is over the limit of {LIMIT} bytes (egress maxResponseBytes)."}}, got


@case
def abort_before_the_request():
    expect_error("abortBefore", "AbortError", "This operation was aborted")


@case
def abort_while_waiting_for_the_response():
    expect_error("abortDuring", "Error", "changed my mind")


@case
def abort_while_reading_the_body():
    got = call("abortBody")
    assert got == {"first": "first", "next": {"error": {"name": "AbortError", "message": "This operation was aborted"}}}, got


@case
def abort_signal_timeout():
    expect_error("abortTimeout", "TimeoutError", "The operation timed out.")


@case
def cancelling_a_body_stops_its_request():
    assert server.get("/cancelBody") == (200, '"hello world"')


@case
def the_egress_timeout_fails_a_slow_fetch():
    expect_error("timeout", "TypeError", f"fetch() to {ORIGIN}/slow?s=5 timed out after 1500 ms (egress timeoutMs).")


@case
def a_refused_connection_is_a_type_error():
    got = call("refusedConnection")
    err = got["error"]
    assert err["name"] == "TypeError", got
    assert err["message"].startswith(f"fetch() to http://127.0.0.1:{CLOSED_PORT}/ failed: "), got


@case
def only_http_and_https_can_be_fetched():
    expect_error("badScheme", "TypeError", "Fetch API cannot load: ftp://127.0.0.1/file")


@case
def connections_are_reused():
    assert call("reuse") == 1


@case
def concurrent_fetches():
    assert call("concurrent") == ["hello world"] * 3


@case
def the_subrequest_limit_refuses_the_sixth_fetch():
    expect("subrequests", [200, 200, 200, 200, 200,
                           {"name": "Error", "message": "Too many subrequests. This Worker is allowed 5 per invocation."}])


@case
def a_dynamic_worker_without_globaloutbound_fetches_as_its_host_does():
    status, body = server.get("/dynamicInherit")
    assert (status, json.loads(body)) == (200, "reached"), (status, body)


@case
def a_dynamic_worker_with_globaloutbound_null_has_no_network():
    status, body = server.get("/dynamicNull")
    assert status == 200, (status, body)
    assert json.loads(body) == ("Error: This worker is not permitted to access the internet via global functions like "
                                "fetch(). It must use capabilities (such as bindings in 'env') to talk to the outside "
                                "world."), body


# ---- wisp run: the default policy, and the egress flags ----

RUN = """
export default {
  async fetch(request) {
    const target = request.headers.get("x-target");
    try {
      const r = await fetch(target);
      return new Response("got " + r.status + " " + await r.text());
    } catch (e) {
      return new Response(e.name + ": " + e.message);
    }
  },
};
"""
run_file = os.path.join(work, "run.js")
with open(run_file, "w") as f:
    f.write(RUN)


def wisp_run(target, *flags):
    p = subprocess.run([WISP, "run", run_file, "-H", "x-target:" + target, *flags], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    return p.stdout.split("\n\n", 1)[1].strip()


@case
def loopback_is_refused_by_default():
    assert wisp_run(ORIGIN + "/hello") == (
        f"TypeError: fetch() to {ORIGIN}/hello was refused by the egress policy: 127.0.0.1 is a loopback address; "
        "private and special-purpose addresses are refused unless allowPrivate is set or an allow entry's address "
        "range contains them")


@case
def localhost_is_refused_after_dns_too():
    port = origin.server_address[1]
    out = wisp_run(f"http://localhost:{port}/hello")
    assert out.startswith(f"TypeError: fetch() to http://localhost:{port}/hello was refused by the egress policy: "
                          "\"localhost\" resolved to "), out


@case
def the_cli_can_allow_loopback():
    assert wisp_run(ORIGIN + "/hello", "--egress-allow", "127.0.0.1") == "got 200 hello world"
    assert wisp_run(ORIGIN + "/hello", "--egress-allow-private") == "got 200 hello world"


@case
def deny_wins_over_allow():
    assert wisp_run(ORIGIN + "/hello", "--egress-allow-private", "--egress-deny", "127.0.0.0/8") == (
        f"TypeError: fetch() to {ORIGIN}/hello was refused by the egress policy: 127.0.0.1 is inside the deny "
        "entry \"127.0.0.0/8\"")
    port = origin.server_address[1]
    assert wisp_run(f"http://localhost:{port}/hello", "--egress-allow-private", "--egress-deny", "localhost") == (
        f"TypeError: fetch() to http://localhost:{port}/hello was refused by the egress policy: the host "
        "\"localhost\" matches the deny entry \"localhost\"")


@case
def an_allow_list_refuses_everything_else():
    assert wisp_run("http://192.0.2.1/", "--egress-allow", "example.com") == (
        "TypeError: fetch() to http://192.0.2.1/ was refused by the egress policy: 192.0.2.1 is a documentation "
        "address; private and special-purpose addresses are refused unless allowPrivate is set or an allow entry's "
        "address range contains them")


@case
def a_bad_egress_entry_is_a_clear_error():
    p = subprocess.run([WISP, "run", run_file, "--egress-allow", "http://x"], capture_output=True, text=True, timeout=60)
    assert p.returncode != 0 and "\"http://x\": not a valid address range (CIDR)" in p.stderr, p.stderr


# ---- the built-in API: code it runs has no network ----

api_dir = tempfile.mkdtemp(prefix="wisp-outbound-api-")
# No host Worker: the built-in API, with an egress policy that lets granted code reach the origin.
with open(os.path.join(api_dir, "wrangler.json"), "w") as f:
    json.dump({"wisp": {"listen": "127.0.0.1:0", "egress": {"allow": ["127.0.0.1"]}}}, f)
api = Server(WISP, api_dir)


@case
def the_execute_api_blocks_fetch():
    before = len(seen_paths)
    status, got = api.execute({"code": f"await fetch({json.dumps(ORIGIN + '/hello')})"})
    assert status == 200, got
    assert got["error"]["message"] == ("This worker is not permitted to access the internet via global functions "
                                       "like fetch(). It must use capabilities (such as bindings in 'env') to talk "
                                       "to the outside world."), got
    assert len(seen_paths) == before, seen_paths[before:]


@case
def the_execute_api_grants_the_network_when_asked():
    code = f"const r = await fetch({json.dumps(ORIGIN + '/hello')}); return await r.text();"
    status, got = api.execute({"code": code, "outbound": "network"})
    assert status == 200 and got["error"] is None and got["result"] == "hello world", got
    status, got = api.execute({"code": code, "outbound": "none"})
    assert status == 200 and "not permitted" in got["error"]["message"], got
    status, got = api.execute({"code": code, "outbound": "everywhere"})
    assert status == 400 and got["error"]["path"] == "outbound", got


# ---- config errors ----

@case
def egress_config_errors_name_the_key():
    bad = tempfile.mkdtemp(prefix="wisp-outbound-bad-")
    with open(os.path.join(bad, "wrangler.jsonc"), "w") as f:
        json.dump({"name": "bad", "main": "w.js", "compatibility_date": "2026-01-01",
                   "wisp": {"egress": {"allow": ["10.0.0.0/40"]}}}, f)
    with open(os.path.join(bad, "w.js"), "w") as f:
        f.write("export default { fetch() { return new Response('x'); } };")
    p = subprocess.run([WISP, "serve", bad], capture_output=True, text=True, timeout=30)
    shutil.rmtree(bad, ignore_errors=True)
    assert p.returncode != 0, p.stderr
    assert 'wisp.egress.allow[0]: "10.0.0.0/40": not a valid address range (CIDR)' in p.stderr, p.stderr


stopping.set()
server.stop()
api.stop()
origin.shutdown()
shutil.rmtree(work, ignore_errors=True)
shutil.rmtree(api_dir, ignore_errors=True)
cases.report(server, api)
