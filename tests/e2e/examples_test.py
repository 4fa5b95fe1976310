#!/usr/bin/env python3
"""The examples in examples/ as users run them: real npm packages (Hono, itty-router, jose)
bundled with esbuild, served by `wisp serve` on 127.0.0.1, and asked over real HTTP.

    examples_test.py WISP
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wisp_server import Cases, Server  # noqa: E402

WISP = sys.argv[1]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ESBUILD = os.path.join(ROOT, "node_modules", ".bin", "esbuild")
work = tempfile.TemporaryDirectory()
cases = Cases()


def serve_example(name, entry, vars=None):
    """Bundles examples/<name>/<entry> as a Worker would be for Cloudflare and serves it."""
    folder = os.path.join(work.name, name)
    os.makedirs(folder)
    subprocess.run([ESBUILD, os.path.join(ROOT, "examples", name, entry), "--bundle", "--format=esm",
                    "--platform=neutral", "--main-fields=module,main", "--conditions=worker,browser",
                    "--target=es2022", "--log-level=warning", f"--outfile={folder}/worker.js"], check=True)
    with open(os.path.join(folder, "wrangler.json"), "w") as f:
        json.dump({"name": name, "main": "worker.js", "compatibility_date": "2026-11-01", "vars": vars or {},
                   "wisp": {"listen": "127.0.0.1:0", "threads": 1}}, f)
    return Server(WISP, folder)


hono = serve_example("hono-app", "index.ts", {"GREETING": "hi"})
itty = serve_example("itty-router-app", "index.js")
jose = serve_example("jwt-jose", "index.js")


@cases.case
def hono_routes_with_env_and_middleware():
    status, headers, body = hono.request("GET", "/")
    assert (status, body) == (200, b"hi from hono"), (status, body)
    assert headers.get("x-route") == "/", headers


@cases.case
def hono_path_and_query_params():
    status, headers, body = hono.request("GET", "/users/42?tab=posts")
    assert status == 200, status
    assert json.loads(body) == {"id": "42", "tab": "posts"}, body
    assert headers.get("x-route") == "/users/:id", headers


@cases.case
def hono_json_body_and_status():
    status, _, body = hono.request("POST", "/echo", json.dumps({"a": 1, "b": [2]}), {"content-type": "application/json"})
    assert status == 201, status
    assert json.loads(body) == {"received": {"a": 1, "b": [2]}, "length": 2}, body


@cases.case
def hono_streamed_response():
    status, _, body = hono.request("GET", "/stream")
    assert (status, body) == (200, b"one\ntwo\nthree\n"), (status, body)


@cases.case
def hono_not_found_handler():
    status, _, body = hono.request("GET", "/nope")
    assert status == 404, status
    assert json.loads(body) == {"error": "not found", "path": "/nope"}, body


@cases.case
def itty_router_text_params_and_query():
    status, _, body = itty.request("GET", "/")
    assert (status, json.loads(body)) == (200, "hello from itty-router"), (status, body)
    status, _, body = itty.request("GET", "/items/7?sort=asc")
    assert (status, json.loads(body)) == (200, {"id": 7, "sort": "asc"}), (status, body)


@cases.case
def itty_router_post_validation_and_errors():
    status, _, body = itty.request("POST", "/items", json.dumps({"name": "lamp"}))
    assert (status, json.loads(body)) == (201, {"created": "lamp"}), (status, body)
    status, _, body = itty.request("POST", "/items", json.dumps({}))
    assert status == 400 and json.loads(body)["error"] == "an item needs a name", (status, body)
    status, _, body = itty.request("GET", "/boom")
    assert status == 500, (status, body)
    status, _, _ = itty.request("GET", "/missing")
    assert status == 404, status


@cases.case
def jose_signs_and_verifies_jwts():
    status, _, body = jose.request("GET", "/")
    assert status == 200, (status, body)
    result = json.loads(body)
    for alg in ("hs256", "es256"):
        r = result[alg]
        assert r["alg"] == alg.upper() and r["sub"] == "user-1" and r["role"] == "admin" and r["parts"] == 3, r
        assert r["tamperedError"] == "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", r
    assert result["publicJwk"] == {"kty": "EC", "crv": "P-256", "hasD": False}, result


@cases.case
def codemode_agent_uses_three_upstreams_in_one_execution():
    # examples/codemode-agent: the MCP SDK's client drives `wisp mcp` with three npm MCP servers.
    proc = subprocess.run(["node", os.path.join(ROOT, "examples", "codemode-agent", "agent.mjs"), WISP],
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, (proc.returncode, proc.stdout, proc.stderr)
    assert "tools: execute, search, describe" in proc.stdout, proc.stdout
    answer = json.loads(proc.stdout.strip().splitlines()[-1])
    assert answer["result"]["note"] == "ship the MCP server" and answer["result"]["entities"] == ["plan"], answer
    assert "20" in json.dumps(answer["result"]["sum"]), answer
    assert any("stored 1 entity" in line for line in answer["logs"]), answer


cases.report(hono, itty, jose)
