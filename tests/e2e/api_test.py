#!/usr/bin/env python3
"""The built-in API's warm Workers and the cache, end to end over real HTTP on 127.0.0.1:
`POST /v1/execute` with an `id`, upload / invoke / describe / delete under `/v1/workers/{id}`,
tokens, the memory budget, and for a configured host the concurrency bound on dynamic-Worker
calls and the admin listener."""
import http.client
import json
import os
import re
import sys

from wisp_server import Cases, Server, config_dir

WISP = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
cases = Cases()
case = cases.case


def admin_port(server):
    m = re.search(r"wisp admin listener on http://127\.0\.0\.1:(\d+)", server.stderr())
    assert m, server.stderr()
    return int(m.group(1))


def call(server, method, path, payload=None, headers=None, conn=None, port=None):
    """A request with a JSON body (when given); the answer's status, headers and JSON (or text)."""
    c = conn or http.client.HTTPConnection("127.0.0.1", port or server.port, timeout=30)
    body = json.dumps(payload) if payload is not None else None
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    if conn is None:
        c.close()
    try:
        return r.status, dict(r.getheaders()), json.loads(data)
    except ValueError:
        return r.status, dict(r.getheaders()), data.decode()


ECHO = {"mainModule": "main.js", "env": {"GREETING": "hi"}, "modules": {"main.js": """
  let count = 0;
  export default {
    async fetch(request, env) {
      count++;
      const url = new URL(request.url);
      return Response.json({
        method: request.method, path: url.pathname, query: url.search, body: await request.text(),
        mine: request.headers.get("x-mine"), auth: request.headers.get("authorization"),
        greeting: env.GREETING, count,
      }, { status: 203, headers: { "x-from-worker": "yes" } });
    },
  };"""}}

# Two event loops: a request may land on either (each keep-alive connection stays on one).
api = Server(WISP, config_dir('[wisp]\nlisten = "127.0.0.1:0"\nthreads = 2\n'))


@case
def execute_with_an_id_reuses_the_warm_worker():
    conn = http.client.HTTPConnection("127.0.0.1", api.port, timeout=30)
    counter = {"id": "counter", "code": "globalThis.n = (globalThis.n ?? 0) + 1; n"}
    status, _, out = call(api, "POST", "/v1/execute", counter, conn=conn)
    assert status == 200 and out["result"] == 1 and out["stats"]["coldStart"] is True, out
    status, _, out = call(api, "POST", "/v1/execute", counter, conn=conn)
    assert status == 200 and out["result"] == 2 and out["stats"]["coldStart"] is False, out
    # The same id with other code is another Worker.
    status, _, out = call(api, "POST", "/v1/execute", {**counter, "code": counter["code"] + " * 10"}, conn=conn)
    assert status == 200 and out["result"] == 10 and out["stats"]["coldStart"] is True, out
    # Without an id, every request gets a fresh Worker.
    for _ in range(2):
        status, _, out = call(api, "POST", "/v1/execute", {"code": counter["code"]}, conn=conn)
        assert status == 200 and out["result"] == 1 and out["stats"]["coldStart"] is True, out
    conn.close()


@case
def delete_evicts_an_execute_worker_on_every_loop():
    code = {"id": "twice", "code": "globalThis.n = (globalThis.n ?? 0) + 1; n"}
    conns = [http.client.HTTPConnection("127.0.0.1", api.port, timeout=30) for _ in range(2)]
    for c in conns:  # two connections in a row land on the two loops
        assert call(api, "POST", "/v1/execute", code, conn=c)[2]["result"] == 1
    status, _, out = call(api, "GET", "/v1/workers/twice")
    assert status == 200 and out["uploaded"] is False and out["executeLoadedOn"] == 2, out
    status, _, out = call(api, "DELETE", "/v1/workers/twice")
    assert status == 200 and out == {"id": "twice", "deleted": False, "unloaded": 2}, out
    for c in conns:
        status, _, out = call(api, "POST", "/v1/execute", code, conn=c)
        assert out["result"] == 1 and out["stats"]["coldStart"] is True, out
        c.close()


@case
def execute_rejects_a_bad_id():
    status, _, out = call(api, "POST", "/v1/execute", {"id": "no spaces", "code": "1"})
    assert status == 400 and out["error"]["path"] == "id", out


@case
def upload_then_invoke_forwards_the_request_and_returns_the_response_as_is():
    status, _, out = call(api, "PUT", "/v1/workers/echo", ECHO)
    assert status == 201 and out["id"] == "echo" and out["modules"] == ["main.js"], out
    assert out["stats"]["coldStart"] is True, out
    conn = http.client.HTTPConnection("127.0.0.1", api.port, timeout=30)
    conn.request("POST", "/v1/workers/echo/a/b?x=1&y=2", body="payload", headers={"X-Mine": "m"})
    r = conn.getresponse()
    data = json.loads(r.read())
    assert r.status == 203 and r.getheader("x-from-worker") == "yes", (r.status, r.getheaders())
    assert data == {"method": "POST", "path": "/a/b", "query": "?x=1&y=2", "body": "payload", "mine": "m",
                    "auth": None, "greeting": "hi", "count": 1}, data
    status, _, data = call(api, "GET", "/v1/workers/echo/", conn=conn)
    assert status == 203 and data["path"] == "/" and data["method"] == "GET" and data["count"] == 2, data
    conn.close()


@case
def describe_reports_the_upload_and_where_it_is_loaded():
    status, _, out = call(api, "GET", "/v1/workers/echo")
    assert status == 200 and out["uploaded"] is True and out["mainModule"] == "main.js", out
    assert out["loadedOn"] >= 1 and out["memoryBytes"] > 0, out


@case
def uploading_again_replaces_the_worker_on_every_loop():
    conns = [http.client.HTTPConnection("127.0.0.1", api.port, timeout=30) for _ in range(2)]
    for c in conns:  # load the current upload on both loops
        assert call(api, "GET", "/v1/workers/echo/x", conn=c)[0] == 203
    replaced = {**ECHO, "env": {"GREETING": "hello again"}}
    status, _, out = call(api, "PUT", "/v1/workers/echo", replaced)
    assert status == 200 and out["id"] == "echo", out
    for c in conns:
        status, _, data = call(api, "GET", "/v1/workers/echo/x", conn=c)
        assert status == 203 and data["greeting"] == "hello again", data
        c.close()


@case
def delete_forgets_the_upload_and_unloads_it():
    status, _, out = call(api, "DELETE", "/v1/workers/echo")
    assert status == 200 and out["deleted"] is True and out["unloaded"] >= 1, out
    status, _, out = call(api, "GET", "/v1/workers/echo/x")
    assert status == 404 and out["error"]["name"] == "NotFound", out
    assert call(api, "GET", "/v1/workers/echo")[0] == 404
    assert call(api, "DELETE", "/v1/workers/echo")[0] == 404


@case
def upload_errors_are_clear():
    status, _, out = call(api, "PUT", "/v1/workers/bad", None)
    assert status == 400 and out["error"]["name"] == "SyntaxError", out
    status, _, out = call(api, "PUT", "/v1/workers/bad", {"mainModule": "main.js"})
    assert status == 400 and out["error"]["path"] == "modules", out
    status, _, out = call(api, "PUT", "/v1/workers/bad", {**ECHO, "limits": {"cpuMs": -1}})
    assert status == 400 and out["error"]["path"] == "limits.cpuMs", out
    status, _, out = call(api, "PUT", "/v1/workers/bad", {**ECHO, "modules": {"main.js": 5}})
    assert status == 400 and out["error"]["path"] == 'modules["main.js"]', out
    status, _, out = call(api, "PUT", "/v1/workers/bad", {"mainModule": "main.js",
                                                          "modules": {"main.js": "throw new RangeError('at start')"}})
    assert status == 400 and out["error"]["name"] == "RangeError" and out["error"]["message"] == "at start", out
    status, _, out = call(api, "PUT", "/v1/workers/bad", {**ECHO, "env": {"big": "x" * (1 << 20)}})
    assert status == 413 and out["error"]["path"] == "env", out
    assert call(api, "GET", "/v1/workers/bad")[0] == 404  # nothing was kept
    status, _, out = call(api, "PUT", "/v1/workers/bad%20id", ECHO)
    assert status == 400 and out["error"]["path"] == "id", out
    status, headers, out = call(api, "POST", "/v1/workers/echo", ECHO)
    assert status == 405 and headers.get("allow") == "GET, PUT, DELETE", (status, headers)
    assert call(api, "GET", "/v1/nope")[0] == 404


@case
def a_worker_that_throws_or_breaches_a_limit_is_a_500_and_serving_goes_on():
    code = {"mainModule": "main.js", "limits": {"cpuMs": 50}, "modules": {"main.js": """
      export default { fetch(request) {
        const path = new URL(request.url).pathname;
        if (path === "/throw") throw new TypeError("nope");
        if (path === "/loop") for (;;) {}
        return new Response("fine");
      } };"""}}
    assert call(api, "PUT", "/v1/workers/flaky", code)[0] == 201
    status, _, out = call(api, "GET", "/v1/workers/flaky/throw")
    assert status == 500 and out["error"]["name"] == "TypeError" and out["error"]["message"] == "nope", out
    status, _, out = call(api, "GET", "/v1/workers/flaky/loop")
    assert status == 500 and out["error"] == {"name": "LimitError", "message": "Worker exceeded CPU time limit."}, out
    status, _, out = call(api, "GET", "/v1/workers/flaky/ok")
    assert status == 200 and out == "fine", out


@case
def a_token_guards_every_endpoint_and_is_not_forwarded():
    s = Server(WISP, config_dir('[wisp]\nlisten = "127.0.0.1:0"\napiTokenEnv = "WISP_TEST_TOKEN"\n'),
               env={"WISP_TEST_TOKEN": "s3cret"})
    good = {"Authorization": "Bearer s3cret"}
    try:
        for headers in [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret"}]:
            assert call(s, "PUT", "/v1/workers/echo", ECHO, headers)[0] == 401
            assert call(s, "POST", "/v1/execute", {"id": "x", "code": "1"}, headers)[0] == 401
            assert call(s, "GET", "/v1/workers/echo", None, headers)[0] == 401
            assert call(s, "DELETE", "/v1/workers/echo", None, headers)[0] == 401
            assert call(s, "GET", "/v1/workers/echo/x", None, headers)[0] == 401
        # Nothing ran or was kept for the refused requests.
        assert call(s, "GET", "/v1/workers/echo", None, good)[0] == 404
        assert call(s, "GET", "/v1/workers/x", None, good)[0] == 404
        assert call(s, "PUT", "/v1/workers/echo", ECHO, good)[0] == 201
        status, _, data = call(s, "GET", "/v1/workers/echo/x", None, {**good, "X-Mine": "1"})
        assert status == 203 and data["auth"] is None and data["mine"] == "1", data
    finally:
        s.stop()


@case
def beyond_the_memory_budget_idle_workers_are_evicted_and_serving_goes_on():
    s = Server(WISP, config_dir('[wisp]\nlisten = "127.0.0.1:0"\nthreads = 1\n'
                                '[wisp.cache]\nmaxMemoryMb = 16\n[wisp.admin]\nlisten = "127.0.0.1:0"\n'))
    # Each Worker keeps 5 MiB of ArrayBuffers (plus its heap): two fit in 16 MiB, three do not.
    big = {"mainModule": "main.js", "modules": {"main.js": """
      const keep = new Uint8Array(5 << 20);
      export default { fetch() { return new Response(String(keep.length)); } };"""}}
    try:
        admin = admin_port(s)
        for i in range(6):
            assert call(s, "PUT", f"/v1/workers/big{i}", big)[0] == 201
            assert call(s, "GET", f"/v1/workers/big{i}/")[0] == 200
        status, _, cache = call(s, "GET", "/v1/cache", port=admin)
        assert status == 200 and cache["maxMemoryBytes"] == 16 << 20, cache
        assert cache["memoryBytes"] <= cache["maxMemoryBytes"] and cache["workers"] <= 2, cache
        assert call(s, "GET", "/v1/workers/big0")[2]["loadedOn"] == 0  # evicted, still uploaded
        assert call(s, "GET", "/v1/workers/big5")[2]["loadedOn"] == 1  # the one just used stays
        for i in range(6):  # every one still answers (loaded again when needed)
            status, _, out = call(s, "GET", f"/v1/workers/big{i}/")
            assert status == 200 and out == 5 << 20, out
        assert call(s, "GET", "/v1/cache", port=admin)[2]["memoryBytes"] <= 16 << 20
    finally:
        s.stop()


queue = Server(WISP, os.path.join(HERE, "hosts/loader-queue"), env={"WISP_TEST_ADMIN_TOKEN": "adm1n"})
ADMIN = {"Authorization": "Bearer adm1n"}


@case
def dynamic_calls_beyond_the_bound_wait_in_line_and_all_complete():
    status, _, out = call(queue, "GET", "/burst?n=8")
    assert status == 200 and out == "most=2 answered=8", out


@case
def admin_evicts_a_named_dynamic_worker_and_the_next_call_loads_it_again():
    port = admin_port(queue)
    conn = http.client.HTTPConnection("127.0.0.1", queue.port, timeout=30)
    assert call(queue, "GET", "/get?name=tenant%2F1", conn=conn)[2] == "getCode=1"
    assert call(queue, "GET", "/get?name=tenant%2F1", conn=conn)[2] == "getCode=1"
    status, _, out = call(queue, "GET", "/v1/loaders/LOADER/workers/tenant%2F1", None, ADMIN, port=port)
    assert status == 200 and out["loadedOn"] == 1 and out["memoryBytes"] > 0, out
    status, _, out = call(queue, "DELETE", "/v1/loaders/LOADER/workers/tenant%2F1", None, ADMIN, port=port)
    assert status == 200 and out == {"binding": "LOADER", "name": "tenant/1", "unloaded": 1}, out
    assert call(queue, "GET", "/get?name=tenant%2F1", conn=conn)[2] == "getCode=2"  # getCode ran again
    # Per loader binding: the same name under SHARED is another Worker.
    assert call(queue, "GET", "/get?name=tenant%2F1&shared=1", conn=conn)[2] == "getCode=3"
    assert call(queue, "DELETE", "/v1/loaders/SHARED/workers/tenant%2F1", None, ADMIN, port=port)[0] == 200
    assert call(queue, "GET", "/v1/loaders/LOADER/workers/tenant%2F1", None, ADMIN, port=port)[0] == 200
    conn.close()


@case
def admin_answers_unknown_workers_and_bindings_with_404_and_needs_the_token():
    port = admin_port(queue)
    status, _, out = call(queue, "DELETE", "/v1/loaders/LOADER/workers/never", None, ADMIN, port=port)
    assert status == 404 and out["error"]["name"] == "NotFound", out
    assert call(queue, "DELETE", "/v1/loaders/NOPE/workers/x", None, ADMIN, port=port)[0] == 404
    assert call(queue, "DELETE", "/v1/loaders/LOADER/workers/x", None, {}, port=port)[0] == 401
    assert call(queue, "GET", "/v1/cache", None, {"Authorization": "Bearer no"}, port=port)[0] == 401
    assert call(queue, "PUT", "/v1/loaders/LOADER/workers/x", None, ADMIN, port=port)[0] == 405
    # The host Worker keeps every path of its own listener.
    assert call(queue, "GET", "/v1/loaders/LOADER/workers/x")[2] == "queue host"


@case
def servers_drain_and_exit_cleanly():
    assert api.stop() == 0
    assert queue.stop() == 0


cases.report(api, queue)
