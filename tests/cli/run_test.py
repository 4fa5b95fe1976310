#!/usr/bin/env python3
"""`wisp run` as a user runs it: real processes, checking stdout, stderr and exit codes."""
import json
import os
import subprocess
import sys

WISP = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
results = []


def wisp(*args, timeout=60):
    return subprocess.run([WISP, *args], capture_output=True, text=True, timeout=timeout)


def case(fn):
    try:
        fn()
        results.append((fn.__name__, None))
    except AssertionError as e:
        results.append((fn.__name__, str(e) or "assertion failed"))
    except Exception as e:  # noqa: BLE001 - any failure fails the case
        results.append((fn.__name__, repr(e)))
    return fn


def split(stdout):
    head, _, body = stdout.partition("\n\n")
    lines = head.splitlines()
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return lines[0], headers, body


@case
def hello_example_computes_json():
    p = wisp("run", os.path.join(ROOT, "examples/hello.ts"), "--url", "https://example.com/greet?name=Ada",
             "-H", "user-agent: wisp-test")
    assert p.returncode == 0, p.stderr
    status, headers, body = split(p.stdout)
    assert status.startswith("HTTP 200"), status
    data = json.loads(body)
    assert data["message"] == "Hello, Ada!", data
    assert data["path"] == "/greet", data
    assert data["bytes"] == 11, data
    assert len(data["requestId"]) == 36 and data["requestId"][14] == "4", data
    assert headers.get("x-request-id") == data["requestId"], headers
    assert data["userAgent"] == "wisp-test", data
    assert "[log] greeted Ada" in p.stderr, p.stderr


@case
def request_options_reach_the_worker():
    p = wisp("run", os.path.join(HERE, "workers/echo.js"), "-X", "PUT", "-H", "X-Test: yes", "-d", "payload",
             "--url", "http://host/path")
    assert p.returncode == 0, p.stderr
    _, _, body = split(p.stdout)
    assert json.loads(body) == {"method": "PUT", "url": "http://host/path", "header": "yes", "body": "payload"}, body
    assert "[log] method PUT" in p.stderr and "[warn] careful" in p.stderr, p.stderr
    # waitUntil work runs to completion before the process exits
    assert "[log] after response" in p.stderr, p.stderr


@case
def body_from_file():
    path = os.path.join(HERE, "workers/echo.js")
    p = wisp("run", path, "-d", "@" + path)
    assert p.returncode == 0, p.stderr
    assert json.loads(split(p.stdout)[2])["body"] == open(path).read()


@case
def cpu_limit_stops_infinite_loop():
    p = wisp("run", os.path.join(HERE, "workers/loop.js"), "--cpu-ms", "100")
    assert p.returncode != 0
    assert "Worker exceeded CPU time limit." in p.stderr, p.stderr


@case
def heap_limit_stops_allocation():
    p = wisp("run", os.path.join(HERE, "workers/heap-bomb.js"), "--heap-mb", "32")
    assert p.returncode not in (0, -6, -11, 134, 139), (p.returncode, p.stderr)  # an error, not a crash
    assert "Worker exceeded memory limit." in p.stderr, p.stderr


@case
def decompression_bomb_stops_at_the_memory_limit():
    p = wisp("run", os.path.join(HERE, "workers/zlib-bomb.js"), "--heap-mb", "32")
    assert p.returncode not in (0, -6, -11, 134, 139), (p.returncode, p.stderr)  # an error, not a crash
    assert "Worker exceeded memory limit." in p.stderr, p.stderr
    p = wisp("run", os.path.join(HERE, "workers/zlib-bomb.js"), "--heap-mb", "256")
    assert p.returncode == 0 and "inflated 1024 chunks" in p.stdout, (p.stdout, p.stderr)


@case
def uncaught_exception_is_reported_with_stack():
    p = wisp("run", os.path.join(HERE, "workers/throws.js"))
    assert p.returncode == 1
    assert "RangeError: out of range on purpose" in p.stderr, p.stderr
    assert "at helper (throws.js:7:" in p.stderr, p.stderr


@case
def named_and_class_entrypoints():
    path = os.path.join(HERE, "workers/entrypoint.js")
    p = wisp("run", path)
    assert p.returncode == 0 and split(p.stdout)[2] == "class default\n", (p.stdout, p.stderr)
    p = wisp("run", path, "--entrypoint", "Api", "--url", "http://x/named")
    assert p.returncode == 0 and split(p.stdout)[2] == "named entrypoint /named\n", (p.stdout, p.stderr)


@case
def missing_file_is_a_clear_error():
    p = wisp("run", "/nonexistent/worker.js")
    assert p.returncode == 1 and "No such file or directory: /nonexistent/worker.js" in p.stderr, p.stderr


@case
def bad_header_flag_is_rejected():
    p = wisp("run", os.path.join(HERE, "workers/echo.js"), "-H", "no-colon")
    assert p.returncode == 2 and "--header wants NAME:VALUE" in p.stderr, p.stderr


@case
def help_and_version():
    p = wisp("--help")
    assert p.returncode == 0 and "run" in p.stdout and "test" in p.stdout, p.stdout
    p = wisp("version")
    assert p.returncode == 0 and p.stdout.startswith("wisp ") and "V8 10.2" in p.stdout, p.stdout


failed = [r for r in results if r[1]]
for name, err in results:
    print(("FAIL " if err else "ok   ") + name + (f"\n  {err}" if err else ""))
print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
