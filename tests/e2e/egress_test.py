#!/usr/bin/env python3
"""A dynamic Worker's globalOutbound end to end, and how long unnamed dynamic Workers live.

`wisp serve` runs tests/e2e/hosts/loader-egress and examples/credential-injection (copied, with
the settings each case needs) on 127.0.0.1; a local HTTP upstream (Python's http.server in a
thread) records what reaches it.

- globalOutbound omitted: the dynamic Worker's fetch() runs under the server's egress policy, like
  the host's (loopback refused by default, reached when the config allows it);
- null: fetch() and connect() throw Workers' error;
- ctx.exports.Name({props}): every fetch() arrives at the host's entrypoint as a Request, and its
  Response is the answer; credential injection: the upstream gets the key, the sandbox never sees it;
- unnamed Workers stay loaded while a stub holds them, are unloaded once V8 collects the stubs
  (gc() from the hidden V8 flag --expose-gc, through WISP_V8_FLAGS), count in /v1/cache, and an idle
  one unloaded for room is loaded again from its kept code.

    egress_test.py WISP
"""
import http.client
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wisp_server import Cases, Server  # noqa: E402

WISP = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
cases = Cases()
case = cases.case
API_KEY = "sk-" + secrets.token_hex(16)
BLOCKED = ("Error: This worker is not permitted to access the internet via global functions like fetch(). "
           "It must use capabilities (such as bindings in 'env') to talk to the outside world.")
NO_SOCKETS = "Error: connect() is not supported by wisp: it has no TCP sockets yet. Use fetch() for HTTP."

received = []  # (path, headers) of every request the upstream saw


class Upstream(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.answer()

    def do_POST(self):
        self.answer()

    def do_PUT(self):
        self.answer()

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        if self.path == "/drop":
            self.close_connection = True
            try:
                self.connection.shutdown(2)  # no answer at all: the gateway's fetch() fails
            except OSError:
                pass
            return
        if self.path == "/private":
            ok = self.headers.get("Authorization") == f"Bearer {API_KEY}"
            out = json.dumps({"items": [1, 2, 3]} if ok else {"error": "unauthorized"}).encode()
            return self.send(200 if ok else 401, out, [("Content-Type", "application/json")])
        self.send(200, b"hello world", [("Content-Type", "text/plain")])

    def send(self, status, body, headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


upstream = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
threading.Thread(target=upstream.serve_forever, daemon=True).start()
UP = f"http://127.0.0.1:{upstream.server_address[1]}"
work = tempfile.mkdtemp(prefix="wisp-egress-")


def host_copy(name, source, wisp, vars=None):
    """A copy of the host directory `source` with its own wrangler.json."""
    folder = os.path.join(work, name)
    shutil.copytree(os.path.join(source, "src"), os.path.join(folder, "src"))
    config = {"name": name, "main": "src/index.js", "compatibility_date": "2026-11-01",
              "worker_loaders": [{"binding": "LOADER"}], "vars": vars or {},
              "wisp": {"listen": "127.0.0.1:0", "threads": 1, "admin": {"listen": "127.0.0.1:0"}, **wisp}}
    with open(os.path.join(folder, "wrangler.json"), "w") as f:
        json.dump(config, f)
    return folder


HOST = os.path.join(HERE, "hosts", "loader-egress")
gc_flag = {"WISP_V8_FLAGS": "--expose-gc"}
# Loopback allowed (the test's upstream), and the Internet as usual.
open_server = Server(WISP, host_copy("open", HOST, {"egress": {"allow": ["*", "127.0.0.1"]}}), env=gc_flag)
# The default egress policy, and room for two cached Workers only.
default_server = Server(WISP, host_copy("default", HOST, {"cache": {"maxWorkers": 2}}), env=gc_flag)
credentials = Server(WISP, host_copy("credentials", os.path.join(ROOT, "examples", "credential-injection"),
                                     {"egress": {"allow": ["127.0.0.1"]}},
                                     {"API_KEY": API_KEY, "UPSTREAM": UP}))


def get(server, path):
    status, body = server.get(path)
    return status, body


def get_json(server, path):
    status, body = server.get(path)
    assert status == 200, (status, body)
    return json.loads(body)


def admin_port(server):
    m = re.search(r"wisp admin listener on http://127\.0\.0\.1:(\d+)", server.stderr())
    assert m, server.stderr()
    return int(m.group(1))


def cached_workers(server):
    c = http.client.HTTPConnection("127.0.0.1", admin_port(server), timeout=30)
    try:
        c.request("GET", "/v1/cache")
        r = c.getresponse()
        data = json.loads(r.read())
        assert r.status == 200, data
        return data["workers"]
    finally:
        c.close()


def collect(server):
    """gc() in the host, then one more request: the unload the collection scheduled runs on the
    loop before that request is read, so /v1/cache shows it afterwards."""
    assert get(server, "/gc") == (200, "function")
    assert get(server, "/noop") == (200, "ok")


# ---- globalOutbound omitted: the host's egress policy ----

@case
def omitted_outbound_follows_the_servers_policy_and_reaches_an_allowed_address():
    before = len(received)
    got = get_json(open_server, f"/omitted?up={UP}")
    assert got["fetch"]["status"] == 200 and got["fetch"]["body"] == "hello world", got
    assert [p for p, _, _ in received[before:]] == ["/hello"], received[before:]


@case
def omitted_outbound_is_refused_loopback_under_the_default_policy():
    before = len(received)
    got = get_json(default_server, f"/omitted?up={UP}")
    assert got["fetch"]["error"].startswith(
        f"TypeError: fetch() to {UP}/hello was refused by the egress policy: 127.0.0.1 is a loopback address"), got
    assert len(received) == before, received[before:]


@case
def connect_is_not_supported_with_an_outbound():
    assert get_json(open_server, f"/omitted?up={UP}")["connect"] == NO_SOCKETS
    assert get_json(open_server, f"/gateway-connect?up={UP}")["connect"] == NO_SOCKETS
    assert get(open_server, "/host-connect") == (200, NO_SOCKETS)


# ---- globalOutbound: null ----

@case
def null_outbound_blocks_fetch_and_connect_with_workers_error():
    before = len(received)
    got = get_json(open_server, f"/null?up={UP}")
    assert got == {"fetch": {"error": BLOCKED}, "connect": BLOCKED}, got
    assert len(received) == before


# ---- globalOutbound: an entrypoint of the host ----

@case
def a_gateway_entrypoint_gets_each_request_and_its_response_is_the_answer():
    got = get_json(open_server, "/gateway")
    assert (got["status"], got["statusText"]) == (201, "Made"), got
    assert got["url"] == "http://api.test/path?q=1", got
    assert got["headers"]["x-gateway"] == "echo", got
    seen = json.loads(got["body"])
    assert seen["method"] == "PUT" and seen["url"] == "http://api.test/path?q=1", seen
    assert seen["headers"]["x-sandbox"] == "1" and seen["body"] == "payload", seen
    assert seen["headers"]["content-length"] == "7", seen  # as over HTTP (and as workerd delivers it)
    assert seen["props"] == {"tag": "p1"}, seen


@case
def a_gateway_without_props_and_the_default_entrypoint_work_too():
    plain = json.loads(get_json(open_server, "/gateway-plain")["body"])
    assert plain["props"] == {} and plain["url"] == "http://api.test/plain", plain
    default = get_json(open_server, "/gateway-default")
    assert default["body"] == "default entrypoint saw PUT http://api.test/echo-default", default


@case
def a_named_dynamic_worker_uses_its_gateway_on_every_load():
    for _ in range(2):
        seen = json.loads(get_json(open_server, "/gateway-get")["body"])
        assert seen["props"] == {"tag": "g"} and seen["url"] == "http://api.test/named", seen


@case
def a_gateway_exception_rejects_the_dynamic_workers_fetch():
    assert get_json(open_server, "/gateway-throws") == {"error": "Error: gateway refused (p2)"}


@case
def each_request_through_a_gateway_is_a_subrequest():
    got = get_json(open_server, "/gateway-subrequests")
    assert got == [201, 201, "Error: Too many subrequests. This Worker is allowed 2 per invocation."], got


@case
def only_entrypoints_of_the_host_can_be_the_outbound():
    got = get_json(open_server, "/bad-outbound")
    not_a_fetcher = ("TypeError: Incorrect type for the 'globalOutbound' field on 'WorkerCode': the provided value "
                     "is not of type 'Fetcher'.")
    assert got[:3] == [not_a_fetcher] * 3, got
    assert got[3].startswith("DataCloneError: Entrypoints to dynamically-loaded workers cannot be transferred"), got


# ---- credential injection (examples/credential-injection) ----

PROBE = """
export default {
  async fetch(request, env, ctx) {
    const found = {};
    const note = (what, value) => { found[what] = value; };
    note("env", JSON.stringify(env));
    note("props", JSON.stringify(ctx.props));
    const globals = {};
    for (const name of Object.getOwnPropertyNames(globalThis)) {
      try { globals[name] = String(globalThis[name]); } catch (e) { globals[name] = "threw " + e; }
    }
    note("globals", JSON.stringify(globals));
    const sent = new Request(UPSTREAM + "/private", { headers: { "x-probe": "1" } });
    const response = await fetch(sent);
    note("sentHeaders", JSON.stringify([...sent.headers]));
    note("status", response.status);
    note("responseHeaders", JSON.stringify([...response.headers]));
    note("responseBody", await response.text());
    for (const path of ["/drop", "/elsewhere"]) {
      const url = path === "/elsewhere" ? "http://127.0.0.1:1/" : UPSTREAM + path;
      try {
        const r = await fetch(url);
        note(path, r.status + " " + await r.text());
      } catch (e) {
        note(path, e.name + ": " + e.message + " " + e.stack);
      }
    }
    return Response.json(found);
  },
};
"""


@case
def the_upstream_gets_the_key_and_the_sandbox_cannot_find_it():
    before = len(received)
    status, _, body = credentials.request("POST", "/", PROBE.replace("UPSTREAM", json.dumps(UP)).encode())
    text = body.decode()
    assert status == 200, (status, text)
    found = json.loads(text)
    # The gateway added the key (and the tenant) on the way out.
    private = [(h, b) for p, h, b in received[before:] if p == "/private"]
    assert len(private) == 1, received[before:]
    assert private[0][0]["authorization"] == f"Bearer {API_KEY}", private
    assert private[0][0]["x-tenant-id"] == "tenant-42" and private[0][0]["x-probe"] == "1", private
    # The sandbox got the upstream's answer...
    assert found["status"] == 200 and json.loads(found["responseBody"]) == {"items": [1, 2, 3]}, found
    assert found["env"] == "{}", found
    # ...errors without the key (the gateway's failed fetch, an origin it does not allow)...
    assert found["/drop"].startswith("TypeError: "), found
    assert found["/elsewhere"] == "403 This sandbox may only call " + UP + ".", found
    # ...and the key nowhere in anything it could see.
    assert API_KEY not in text and API_KEY.removeprefix("sk-") not in text, text


# ---- unnamed dynamic Workers: alive while a stub holds them ----

@case
def a_kept_stub_keeps_its_worker_loaded_and_dropping_it_unloads_the_worker():
    server = open_server
    collect(server)
    baseline = cached_workers(server)
    assert get(server, "/keep") == (200, "1 1")
    assert cached_workers(server) == baseline + 2
    collect(server)
    assert cached_workers(server) == baseline + 2  # still held by the stubs in a global
    assert get(server, "/kept") == (200, "2 2")  # the same Workers: their state is kept
    assert get(server, "/drop") == (200, "dropped")
    collect(server)
    assert cached_workers(server) == baseline


@case
def stubs_dropped_after_one_request_are_unloaded_once_collected():
    server = open_server
    collect(server)
    baseline = cached_workers(server)
    assert get(server, "/temporary?n=4") == (200, "1 1 1 1")
    collect(server)
    assert cached_workers(server) == baseline


@case
def a_kept_fetcher_alone_keeps_its_worker():
    server = open_server
    collect(server)
    baseline = cached_workers(server)
    assert get(server, "/kept-entrypoint") == (200, "1")
    collect(server)
    assert cached_workers(server) == baseline + 1
    assert get(server, "/kept-entrypoint-again") == (200, "2")
    get(server, "/drop")
    collect(server)
    assert cached_workers(server) == baseline


@case
def an_rpc_stub_from_an_unnamed_worker_keeps_it_loaded():
    # The count goes on: the same Worker answered all three calls, none was loaded again.
    assert get(open_server, "/rpc-stub-outlives-its-worker-stub") == (200, "1 2 3")


@case
def a_call_in_flight_finishes_after_its_stub_is_collected():
    assert get(open_server, "/in-flight") == (200, "1")


@case
def unnamed_workers_count_in_the_budget_and_an_evicted_one_reloads_from_its_code():
    server = default_server  # wisp.cache.maxWorkers = 2
    collect(server)
    assert get(server, "/three") == (200, "1 1 1")
    assert cached_workers(server) == 2  # the least recently used (a) was unloaded for room
    assert get(server, "/call?which=c") == (200, "2")  # still loaded
    assert get(server, "/call?which=a") == (200, "1")  # loaded again from the code load() kept
    assert cached_workers(server) == 2
    get(server, "/drop")
    collect(server)
    assert cached_workers(server) == 0


cases.report(open_server, default_server, credentials)
