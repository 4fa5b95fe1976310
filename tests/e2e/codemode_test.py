#!/usr/bin/env python3
"""Code Mode end to end: `wisp serve` runs tests/e2e/hosts/codemode, a host Worker that imports
DynamicWorkerExecutor from the built-in module "wisp:codemode", and each case posts code to it over
HTTP and checks what execute() returned: the result, the error and the logs."""
import json
import os
import subprocess
import sys
import tempfile
import time

from wisp_server import Cases, Server

WISP = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
cases = Cases()
case = cases.case

host = Server(WISP, os.path.join(HERE, "hosts/codemode"))

LATE = "The code execution finished before this tool call was made. Await every tool call before returning."


def post(path, code, **extra):
    status, _, data = host.request("POST", path, json.dumps({"code": code, **extra}))
    assert status == 200, (path, status, data)
    return json.loads(data)


def run(code, **options):
    return post("/run", code, options=options)


def expect(out, result=None, logs=(), error=None):
    want = {"logs": list(logs)}
    if error is None:
        want["result"] = result
    else:
        want["error"] = error
    assert out == want, f"got {out!r}\n  wanted {want!r}"


@case
def result_and_logs_in_order():
    out = run('console.log("hello", { a: 1 }, [2]);\n'
              'console.info("info", 3n);\n'
              'console.warn("careful");\n'
              'console.error(new TypeError("bad"));\n'
              'const r = await math.add({ a: 2, b: 3 });\n'
              'r * 10')
    expect(out, 50, ['hello {"a":1} [2]', "info 3n", "[warn] careful", "[error] TypeError: bad"])


@case
def typescript_is_accepted():
    out = run("interface Pair { a: number; b: number }\n"
              "const pair: Pair = { a: 6, b: 7 };\n"
              "const n: number = await math.multiply(pair);\n"
              "n as number")
    expect(out, 42)


@case
def a_code_fence_is_stripped():
    expect(run("```js\nasync () => {\n  return await text.upper({ s: 'fenced' });\n}\n```"), "FENCED")


@case
def tools_of_two_providers():
    out = run("const s = await math.add({ a: 1, b: 2 });\n"
              "console.log('sum', s);\n"
              "const u = await text.upper({ s: 'x' + s });\n"
              "return { s, u, sq: await math.slow_square({ n: 4 }) };")
    expect(out, {"s": 3, "u": "X3", "sq": 16}, ["sum 3"])


@case
def plain_functions_are_the_codemode_namespace():
    out = post("/fns", "async () => (await codemode.double(21))")
    expect(out, 42)


@case
def a_tool_that_throws():
    out = run("let caught;\n"
              "try { await text.fail({ why: 'one' }); } catch (e) { caught = e.name + '/' + e.message; }\n"
              "console.log(caught);\n"
              "await text.fail({ why: 'two' });\n"
              "return 'not reached';")
    expect(out, logs=["RangeError/cannot: one"], error="RangeError: cannot: two")


@case
def errors_of_the_code_and_of_the_call():
    expect(run("undefined.x"), error="TypeError: Cannot read properties of undefined (reading 'x')")
    expect(run("const = ;"), error="SyntaxError: snippet: Unexpected token (1:7)")
    expect(run("return await math.nope({})"), error='Tool "nope" not found in "math"')
    # A value structured clone cannot copy fails in the sandbox, with the logs.
    expect(run("console.log('made'); return new (class Thing {})();"), logs=["made"],
           error='The result could not be returned: DataCloneError: Could not serialize object of type "Thing". '
                 "This type does not support serialization.")


@case
def cpu_bound_code_is_stopped_by_the_runtime_and_the_next_run_works():
    out = run("console.log('before');\nawait probe.record('cpu');\nwhile (true) {}", limits={"cpuMs": 200})
    expect(out, logs=["before"], error="Worker exceeded CPU time limit.")
    expect(run("return await math.add({ a: 1, b: 1 })", limits={"cpuMs": 200}), 2)


@case
def a_heap_bomb_is_stopped_and_the_next_run_works():
    out = run("const keep = [];\nwhile (true) keep.push(new Array(1_000_000).fill(7));")
    expect(out, error="Worker exceeded memory limit.")
    expect(run("return await math.multiply({ a: 3, b: 3 })"), 9)


@case
def a_run_that_awaits_forever_times_out():
    out = run("console.log('waiting');\nawait new Promise(() => {});", timeout=300)
    expect(out, logs=["waiting"], error="Execution timed out after 300 ms.")
    expect(run("await new Promise((resolve) => setTimeout(resolve, 60000));", timeout=300),
           error="Execution timed out after 300 ms.")


@case
def a_tool_call_after_the_execution_settled_is_refused():
    # The code returns at once and leaves work behind (ctx.waitUntil keeps its sandbox alive):
    # that work's tool call is refused, and the host's function never runs.
    code = ("async () => {\n"
            "  this.ctx.waitUntil((async () => {\n"
            "    await new Promise((resolve) => setTimeout(resolve, 10));\n"
            "    let outcome;\n"
            "    try { await probe.record('late'); outcome = 'called'; } catch (e) { outcome = 'refused: ' + e.message; }\n"
            "    await this.env.REPORT(outcome);\n"
            "  })());\n"
            "  return 'returned';\n"
            "}")
    expect(run(code), "returned")
    deadline = time.time() + 20
    while True:
        seen = json.loads(host.get("/record")[1])
        if seen["reports"] or time.time() > deadline:
            break
        time.sleep(0.05)
    assert seen["reports"] == ["refused: " + LATE], seen
    assert "late" not in seen["records"], seen


@case
def outbound_fetch_is_refused_by_default():
    out = run("const r = await fetch('http://127.0.0.1:9/');\nreturn r.status;")
    expect(out, error="This worker is not permitted to access the internet via global functions like fetch(). "
                      "It must use capabilities (such as bindings in 'env') to talk to the outside world.")


@case
def twenty_executions_at_once_with_max_concurrent_4():
    code = "console.log('run $I');\nreturn [$I, await math.slow_square({ n: $I })];"
    answer = post("/many", code, count=20, options={"maxConcurrent": 4})
    assert [o.get("result") for o in answer["outs"]] == [[i, i * i] for i in range(20)], answer
    assert [o["logs"] for o in answer["outs"]] == [[f"run {i}"] for i in range(20)], answer
    assert 1 <= answer["mostRunning"] <= 4, answer


@case
def the_codemode_package_runs_unmodified():
    # @cloudflare/codemode's own DynamicWorkerExecutor, bundled as for Cloudflare.
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([os.path.join(ROOT, "node_modules", ".bin", "esbuild"),
                        os.path.join(HERE, "hosts/codemode-package/index.js"), "--bundle", "--format=esm",
                        "--platform=neutral", "--main-fields=module,main", "--conditions=worker,browser",
                        "--target=es2022", "--log-level=warning", "--external:cloudflare:workers",
                        f"--outfile={folder}/worker.js"], check=True)
        with open(os.path.join(folder, "wrangler.json"), "w") as f:
            json.dump({"name": "codemode-package", "main": "worker.js", "compatibility_date": "2026-11-01",
                       "worker_loaders": [{"binding": "LOADER"}], "wisp": {"listen": "127.0.0.1:0", "threads": 1}}, f)
        package = Server(WISP, folder)
        try:
            def ask(code):
                status, _, data = package.request("POST", "/", json.dumps({"code": code}))
                assert status == 200, (status, data)
                return json.loads(data)
            out = ask("async () => {\n"
                      "  console.log('adding');\n"
                      "  const sum = await codemode.add({ a: 20, b: 22 });\n"
                      "  return { sum, loud: await text.upper({ s: 'ok' }) };\n"
                      "}")
            assert out == {"result": {"sum": 42, "loud": "OK"}, "logs": ["adding"]}, out
            out = ask("async () => { throw new Error('nope'); }")
            assert out == {"error": "nope", "logs": []}, out
        finally:
            package.stop()


cases.report(host)
