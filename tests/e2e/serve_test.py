#!/usr/bin/env python3
"""`wisp serve` end to end: a real process on 127.0.0.1, real HTTP requests, checked answers."""
import http.client
import json
import os
import subprocess
import sys
import tempfile

from wisp_server import Cases, Server

WISP = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
cases = Cases()
case = cases.case


builtin = Server(WISP, "--listen", "127.0.0.1:0", tempfile.mkdtemp())
host = Server(WISP, os.path.join(HERE, "hosts/hello"))


@case
def execute_returns_result_logs_and_stats():
    status, out = builtin.execute({"code": "console.log('hi', env.n);\n({ n: env.n * 2, h: new URL('https://a.b/').host })",
                                   "env": {"n": 21}})
    assert status == 200, out
    assert out["result"] == {"n": 42, "h": "a.b"}, out
    assert out["error"] is None, out
    assert [l["message"] for l in out["logs"]] == ["hi 21"] and out["logs"][0]["level"] == "log", out
    assert out["stats"]["coldStart"] is True and out["stats"]["wallMs"] > 0, out


@case
def execute_accepts_typescript_and_fences():
    status, out = builtin.execute({"code": "```ts\nconst xs: number[] = [1, 2, 3];\nxs.reduce((a, b) => a + b, 0)\n```"})
    assert status == 200 and out["result"] == 6, out


@case
def execute_runs_a_module_set():
    status, out = builtin.execute({"mainModule": "main.js", "modules": {
        "main.js": "import { twice } from './lib.js'; export default async (env) => twice(env.x);",
        "lib.js": "export const twice = (x) => x * 2;"}, "env": {"x": 4}})
    assert status == 200 and out["result"] == 8, out


@case
def execute_reports_thrown_errors():
    status, out = builtin.execute({"code": "throw new TypeError('bad input')"})
    assert status == 200 and out["result"] is None, out
    assert out["error"]["name"] == "TypeError" and out["error"]["message"] == "bad input", out


@case
def execute_stops_a_cpu_loop_and_keeps_serving():
    status, out = builtin.execute({"code": "while (true) {}", "limits": {"cpuMs": 50}})
    assert status == 200 and out["error"] == {"name": "LimitError", "message": "Worker exceeded CPU time limit."}, out
    status, out = builtin.execute({"code": "1 + 1"})
    assert status == 200 and out["result"] == 2, out


@case
def execute_stops_a_heap_bomb():
    status, out = builtin.execute({"code": "const a = []; for (;;) a.push('x'.repeat(100) + a.length);",
                                   "limits": {"heapMb": 32}})
    assert status == 200 and out["error"]["message"] == "Worker exceeded memory limit.", out


@case
def execute_rejects_bad_requests():
    status, _, data = builtin.request("POST", "/v1/execute", "not json")
    assert status == 400 and json.loads(data)["error"]["name"] == "SyntaxError", data
    status, out = builtin.execute({"code": 5})
    assert status == 400 and out["error"]["message"] == "'code' must be a string.", out
    status, out = builtin.execute({"code": "const = ;"})
    assert status == 400 and out["error"]["name"] == "SyntaxError", out
    status, out = builtin.execute({"mainModule": "a.txt", "modules": {"a.txt": "x"}})
    assert status == 400 and "Module name must end with '.js' or '.py'" in out["error"]["message"], out
    status, _, _ = builtin.request("GET", "/v1/execute")
    assert status == 405
    status, _, _ = builtin.request("GET", "/nope")
    assert status == 404


@case
def api_token_is_required_when_configured():
    d = tempfile.mkdtemp()
    with open(os.path.join(d, "wrangler.toml"), "w") as f:
        f.write('[wisp]\nlisten = "127.0.0.1:0"\napiTokenEnv = "WISP_TEST_TOKEN"\n')
    s = Server(WISP, d, env={"WISP_TEST_TOKEN": "s3cret"})
    try:
        status, out = s.execute({"code": "1"})
        assert status == 401, out
        status, out = s.execute({"code": "1"}, {"Authorization": "Bearer wrong"})
        assert status == 401, out
        status, out = s.execute({"code": "1"}, {"Authorization": "Bearer s3cret"})
        assert status == 200 and out["result"] == 1, out
    finally:
        s.stop()


@case
def non_loopback_without_token_refuses_to_start():
    p = subprocess.run([WISP, "serve", "--listen", "0.0.0.0:0", tempfile.mkdtemp()], capture_output=True, text=True,
                       timeout=30)
    assert p.returncode == 1 and "needs an API token" in p.stderr, p.stderr


@case
def host_worker_answers_with_its_env():
    status, _, data = host.request("GET", "/")
    assert status == 200 and data == b"hello from GET /", data


@case
def host_keeps_connections_alive():
    conn = http.client.HTTPConnection("127.0.0.1", host.port, timeout=30)
    for i in range(5):
        status, _, data = host.request("GET", f"/json?i={i}", conn=conn)
        assert status == 200 and json.loads(data) == {"ok": True, "query": {"i": str(i)}}, data
    conn.close()


@case
def host_receives_request_bodies():
    body = b"x" * 100000
    status, headers, data = host.request("POST", "/echo", body)
    assert status == 200 and data == body and headers.get("x-echo-length") == "100000", (status, headers)


@case
def host_does_not_see_hop_by_hop_headers():
    status, _, data = host.request("GET", "/headers", headers={"X-Mine": "1", "Connection": "keep-alive", "TE": "trailers"})
    names = json.loads(data)
    assert status == 200 and "x-mine" in names and "connection" not in names and "te" not in names, names


@case
def host_exception_is_a_clean_500():
    status, _, data = host.request("GET", "/throw")
    assert status == 500 and b"secret" not in data, data
    assert "secret internal detail" in host.stderr()  # the operator sees it


@case
def host_cpu_breach_is_500_and_the_next_request_works():
    status, _, _ = host.request("GET", "/loop")
    assert status == 500
    status, _, data = host.request("GET", "/")
    assert status == 200 and data == b"hello from GET /", data


@case
def access_log_is_json_lines():
    lines = [json.loads(l) for l in host.stderr().splitlines() if l.startswith('{"bytes"')]
    assert any(l["path"] == "/" and l["status"] == 200 for l in lines), lines


@case
def sigterm_drains_and_exits_cleanly():
    assert builtin.stop() == 0
    assert host.stop() == 0


cases.report(builtin, host)
