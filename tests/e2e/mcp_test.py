#!/usr/bin/env python3
"""The MCP server end to end: the official MCP SDK client (tests/e2e/mcp/client.mjs) against
`wisp mcp` over stdio and against `/mcp` of `wisp serve` over streamable HTTP, with real upstream
MCP servers from npm (server-everything, server-filesystem on a temporary folder, server-memory)
run offline over stdio, and a fixture server whose process dies on request.

    mcp_test.py WISP
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wisp_server import Cases, Server  # noqa: E402

WISP = os.path.abspath(sys.argv[1])
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.join(ROOT, "tests", "e2e", "mcp")
MODULES = os.path.join(ROOT, "node_modules", "@modelcontextprotocol")
NODE = "node"
work = tempfile.TemporaryDirectory()
cases = Cases()


def server_entry(name):
    return os.path.join(MODULES, f"server-{name}", "dist", "index.js")


def upstreams(scratch, memory_file):
    """The upstreams as `wisp.mcp.upstreams` entries."""
    return [
        {"name": "everything", "command": [NODE, server_entry("everything"), "stdio"]},
        {"name": "fs", "command": [NODE, server_entry("filesystem"), scratch]},
        {"name": "memory", "command": [NODE, server_entry("memory")], "env": {"MEMORY_FILE_PATH": memory_file}},
    ]


def folder(name):
    path = os.path.join(work.name, name)
    os.makedirs(path)
    return path


def run_client(config):
    """Runs client.mjs; returns (exit code, its output)."""
    proc = subprocess.run([NODE, os.path.join(HERE, "client.mjs"), json.dumps(config)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout + proc.stderr


@cases.case
def sdk_client_over_stdio():
    scratch = folder("stdio-fs")
    memory = os.path.join(folder("stdio-memory"), "memory.jsonl")
    args = ["mcp", "--cpu-ms", "2000", "--heap-mb", "64"]
    # Given as `wisp mcp` takes them: name=command, and VAR=value words after the name.
    args += ["--upstream", f"everything=node {server_entry('everything')} stdio"]
    args += ["--upstream", f"fs=node {server_entry('filesystem')} {scratch}"]
    args += ["--upstream", f"memory=MEMORY_FILE_PATH={memory} node {server_entry('memory')}"]
    args += ["--upstream", f"fragile=node {os.path.join(HERE, 'fragile-server.mjs')}"]
    code, out = run_client({"transport": "stdio", "command": WISP, "args": args, "scratch": scratch})
    print(out, end="")
    assert code == 0, "the stdio client's cases failed (above)"
    assert os.path.exists(memory), "server-memory wrote its file where VAR=value said"


@cases.case
def stdout_carries_only_protocol_and_eof_exits():
    # A raw session: initialize, a notification, a call; then stdin ends and wisp exits by itself.
    scratch = folder("raw-fs")
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"protocolVersion": "2099-01-01", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
         "params": {"name": "execute", "arguments": {"code": "console.log('to the logs'); 6 * 7"}}},
        {"jsonrpc": "2.0", "id": 3, "method": "no/such/method"},
    ]
    stdin = "\n".join(json.dumps(m) for m in messages) + "\nnot json\n"
    proc = subprocess.run([WISP, "mcp", "--upstream", f"fs=node {server_entry('filesystem')} {scratch}"],
                          input=stdin, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, (proc.returncode, proc.stderr)
    replies = [json.loads(line) for line in proc.stdout.splitlines()]
    by_id = {r.get("id"): r for r in replies}
    assert sorted(by_id, key=str) == sorted([1, 2, 3, None], key=str), proc.stdout
    assert by_id[1]["result"]["protocolVersion"] == "2025-11-25", by_id[1]
    assert by_id[1]["result"]["serverInfo"]["name"] == "wisp"
    text = json.loads(by_id[2]["result"]["content"][0]["text"])
    assert text["result"] == 42 and any("to the logs" in line for line in text["logs"]), text
    assert by_id[3]["error"]["code"] == -32601, by_id[3]
    assert by_id[None]["error"]["code"] == -32700, by_id[None]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@cases.case
def streamable_http_upstream():
    # server-everything over streamable HTTP on 127.0.0.1, named by `wisp mcp` from nothing but its URL.
    port = free_port()
    upstream = subprocess.Popen([NODE, server_entry("everything"), "streamableHttp"], env={**os.environ, "PORT": str(port)},
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in upstream.stdout:
            if "listening" in line:
                break
        call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "execute", "arguments": {
            "code": "async () => [await remote.get_sum({ a: 40, b: 2 }), await remote.echo({ message: 'over http' })]"}}}
        proc = subprocess.run([WISP, "mcp", "--upstream", f"http://127.0.0.1:{port}/mcp"], input=json.dumps(call) + "\n",
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, (proc.returncode, proc.stderr)
        text = json.loads(json.loads(proc.stdout)["result"]["content"][0]["text"])
        assert "42" in text["result"][0] and "over http" in text["result"][1], text
    finally:
        upstream.kill()
        upstream.wait()


@cases.case
def sigterm_stops_the_upstream_processes():
    proc = subprocess.Popen([WISP, "mcp", "--upstream", f"fragile=node {os.path.join(HERE, 'fragile-server.mjs')}"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                "params": {"name": "execute", "arguments": {"code": "async () => (await fragile.pid({})).pid"}}}
        proc.stdin.write(json.dumps(call) + "\n")
        proc.stdin.flush()
        answer = json.loads(proc.stdout.readline())
        pid = json.loads(answer["result"]["content"][0]["text"])["result"]
        os.kill(pid, 0)  # running
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        for _ in range(50):  # reaped by wisp, so gone at once; a moment for safety
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
        raise AssertionError(f"upstream process {pid} outlived wisp")
    finally:
        proc.kill()


@cases.case
def bad_upstream_spec_is_a_usage_error():
    proc = subprocess.run([WISP, "mcp", "--upstream", "a=node 'x"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2 and "unterminated quote" in proc.stderr, (proc.returncode, proc.stderr)
    # Both get the name "tool" from their script.
    proc = subprocess.run([WISP, "mcp", "--upstream", "node a/tool.js", "--upstream", "node b/tool.mjs"],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2 and "two upstreams are named 'tool'" in proc.stderr, (proc.returncode, proc.stderr)


@cases.case
def config_errors_name_the_key():
    bad = folder("bad-config")
    with open(os.path.join(bad, "wrangler.json"), "w") as f:
        json.dump({"wisp": {"listen": "127.0.0.1:0", "mcp": {"upstreams": [
            {"name": "a", "command": ["node", "x.js"], "url": "http://127.0.0.1:1/mcp"}]}}}, f)
    proc = subprocess.run([WISP, "serve", bad], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1, (proc.returncode, proc.stderr)
    assert "wisp.mcp.upstreams[0]" in proc.stderr and "either `command`" in proc.stderr, proc.stderr


# ---- /mcp of `wisp serve` ----

serve_scratch = folder("serve-fs")
serve_dir = folder("serve")
TOKEN = "mcp-test-token"
with open(os.path.join(serve_dir, "wrangler.json"), "w") as f:
    json.dump({"name": "mcp", "wisp": {
        "listen": "127.0.0.1:0", "threads": 2, "apiToken": TOKEN, "limits": {"cpuMs": 1000, "wallMs": 20000},
        "mcp": {"upstreams": upstreams(serve_scratch, os.path.join(folder("serve-memory"), "memory.jsonl"))},
    }}, f)
server = Server(WISP, serve_dir)
AUTH = {"authorization": f"Bearer {TOKEN}"}


@cases.case
def sdk_client_over_streamable_http():
    code, out = run_client({"transport": "http", "url": f"http://127.0.0.1:{server.port}/mcp", "token": TOKEN,
                            "scratch": serve_scratch})
    print(out, end="")
    assert code == 0, "the HTTP client's cases failed (above)"


def post(body, headers=None):
    status, h, data = server.request("POST", "/mcp", json.dumps(body),
                                     {**AUTH, "content-type": "application/json",
                                      "accept": "application/json, text/event-stream", **(headers or {})})
    return status, {k.lower(): v for k, v in h.items()}, data


INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}}


@cases.case
def http_sessions_and_status_codes():
    status, _, _ = server.request("POST", "/mcp", json.dumps(INIT), {"content-type": "application/json"})
    assert status == 401, status  # the API token guards /mcp as every other route
    status, headers, data = post(INIT)
    assert status == 200 and headers["content-type"].startswith("application/json"), (status, headers)
    assert json.loads(data)["result"]["protocolVersion"] == "2025-03-26", data
    session = headers["mcp-session-id"]
    ping = {"jsonrpc": "2.0", "id": 2, "method": "ping"}
    # Several connections (and so several event loops): the session is known on each.
    for _ in range(4):
        status, _, data = post(ping, {"mcp-session-id": session})
        assert status == 200 and json.loads(data) == {"jsonrpc": "2.0", "id": 2, "result": {}}, (status, data)
    status, _, data = post({"jsonrpc": "2.0", "method": "notifications/initialized"}, {"mcp-session-id": session})
    assert (status, data) == (202, b""), (status, data)
    status, _, _ = post(ping)
    assert status == 400, status  # no session id
    status, _, _ = post(ping, {"mcp-session-id": "no-such-session"})
    assert status == 404, status
    status, _, _ = post(ping, {"mcp-session-id": session, "mcp-protocol-version": "1999-01-01"})
    assert status == 400, status
    status, _, _ = server.request("GET", "/mcp", None, {**AUTH, "accept": "text/event-stream"})
    assert status == 405, status
    status, _, _ = server.request("DELETE", "/mcp", None, {**AUTH, "mcp-session-id": session})
    assert status == 200, status
    status, _, _ = post(ping, {"mcp-session-id": session})
    assert status == 404, status  # ended
    status, _, data = server.request("POST", "/mcp", "{not json", {**AUTH, "content-type": "application/json"})
    assert status == 400 and json.loads(data)["error"]["code"] == -32700, (status, data)


@cases.case
def slow_code_times_out_and_the_session_survives():
    # wisp.limits.wallMs is 20 s: the execution stops first (after 15 s), so the request that runs it
    # ends in time and the MCP server's Worker, which holds the sessions, is not stopped.
    _, headers, _ = post(INIT)
    session = {"mcp-session-id": headers["mcp-session-id"]}
    call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
            "params": {"name": "execute", "arguments": {"code": "await new Promise((r) => setTimeout(r, 60000)); 1"}}}
    status, _, data = post(call, session)
    result = json.loads(data)["result"]
    assert status == 200 and result["isError"] is True, (status, data)
    assert "timed out" in json.loads(result["content"][0]["text"])["error"], data
    status, _, data = post({"jsonrpc": "2.0", "id": 3, "method": "ping"}, session)
    assert status == 200, (status, data)


cases.report(server)
