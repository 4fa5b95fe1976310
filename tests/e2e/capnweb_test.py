#!/usr/bin/env python3
"""Cap'n Web for programs outside wisp, end to end: a Node.js program with the real `capnweb`
npm client (tests/e2e/capnweb/client.mjs) talks to `wisp serve`'s built-in /v1/rpc on 127.0.0.1
over HTTP batch and WebSocket: it loads Workers, calls their entrypoints with pipelining, and the
sandboxed code calls back into an RpcTarget and a function living in the Node program. Errors
reach Node as Errors; a token-protected server refuses a client without its token."""
import json
import os
import subprocess
import sys

from wisp_server import Cases, Server, config_dir

WISP = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT = os.path.join(HERE, "capnweb", "client.mjs")
cases = Cases()
case = cases.case


def client(server, scenario, token=None):
    """Runs one scenario of the Node client; its JSON answer."""
    args = ["node", CLIENT, scenario, f"http://127.0.0.1:{server.port}"] + ([token] if token else [])
    p = subprocess.run(args, capture_output=True, text=True, timeout=90)
    assert p.returncode == 0, f"node exited {p.returncode}: {p.stderr}\nserver log:\n{server.stderr()[-3000:]}"
    return json.loads(p.stdout)


api = Server(WISP, config_dir('[wisp]\nlisten = "127.0.0.1:0"\nthreads = 2\n'))


@case
def http_batch_loads_a_worker_and_pipelines_calls():
    out = client(api, "batch")
    assert out["total"] == 5, out
    assert out["counted"] == 15, out  # a method called on a result not yet received
    assert out["who"] == "ada", out  # get(id, code) and getEntrypoint props
    assert out["requests"] == 1, out  # everything went in one batch


@case
def a_session_loads_a_bounded_number_of_workers():
    out = client(api, "tooMany")
    assert out["loaded"] == 32, out
    assert len(out["refused"]) == 1 and "at most 32 Workers" in out["refused"][0], out


@case
def websocket_session_with_callbacks_into_node():
    out = client(api, "websocket")
    # The sandbox called an RpcTarget of the Node program, given as an argument and in env.
    assert out["greeting"] == "sandbox got: hello, grace", out
    assert out["viaEnv"] == "hello, alan", out
    assert out["greeterCalls"] == ["grace", "alan"], out
    # ... and a function of the Node program, twice.
    assert out["doubled"] == 18, out
    # What the Worker threw reaches Node as an Error with its class and message.
    thrown = out["thrown"]
    assert not thrown["ok"] and thrown["isError"] and thrown["name"] == "RangeError", thrown
    assert thrown["message"] == "too big", thrown
    # Loaded Workers have no network.
    assert "globalOutbound" in out["network"] or "not permitted" in out["network"], out
    # An RpcTarget the sandbox returned stays in the sandbox, with its state.
    assert out["counter"] == [2, 4], out
    # fetch() on an entrypoint: a Request and a Response by value.
    assert out["fetched"] == [200, "sandbox saw /hello"], out
    # A syntax error in loaded code is a rejection, and the session goes on.
    bad = out["syntaxError"]
    assert not bad["ok"] and bad["isError"] and "SyntaxError" in bad["name"] + bad["message"], bad
    assert not out["badCode"]["ok"] and "globalOutbound" in out["badCode"]["message"], out
    assert out["after"] == 42, out


@case
def wrong_methods_get_405():
    status, headers, body = api.request("GET", "/v1/rpc")
    assert status == 405, (status, body)
    assert "POST" in headers.get("allow", ""), headers


@case
def a_batch_that_is_not_capnweb_gets_400_and_the_server_carries_on():
    status, _, body = api.request("POST", "/v1/rpc", body="not json at all")
    error = json.loads(body)["error"]
    assert status == 400 and error["message"].startswith("Not a Cap'n Web batch: "), (status, body)
    status, _, body = api.request("POST", "/v1/rpc", body='["push",["pipeline",0,["nope"],[]]]\n["pull",1]')
    assert status == 200 and b"is not a function" in body, (status, body)


secured = Server(WISP, config_dir('[wisp]\nlisten = "127.0.0.1:0"\napiTokenEnv = "WISP_TEST_TOKEN"\n'),
                 env={"WISP_TEST_TOKEN": "s3cret"})


@case
def token_protected_server_refuses_clients_without_the_token():
    status, _, _ = secured.request("POST", "/v1/rpc", body='["push",["pipeline",0,["load"],[]]]')
    assert status == 401, status
    out = client(secured, "refused")
    assert not out["batch"]["ok"] and "401" in out["batch"]["message"], out
    assert out["upgrade"] == 401, out
    out = client(secured, "refused", token="wrong")
    assert not out["batch"]["ok"] and "401" in out["batch"]["message"], out


@case
def token_protected_server_accepts_clients_with_the_token():
    out = client(secured, "batch", token="s3cret")
    assert out["total"] == 5 and out["counted"] == 15, out
    out = client(secured, "websocket", token="s3cret")
    assert out["greeting"] == "sandbox got: hello, grace" and out["after"] == 42, out


cases.report(api, secured)
