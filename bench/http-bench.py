#!/usr/bin/env python3
"""HTTP benchmark: the same Worker served by `wisp serve` and by the real workerd (npm), in one run.

  python3 bench/http-bench.py [--wisp build/wisp] [--requests 2000] [--seconds 5] [--connections 16]

Measures, for each server: warm latency (sequential requests on one keep-alive connection,
p50/p99), throughput (wrk, if installed: `apt-get install wrk`), and the server's resident
memory after the run. Both servers run one event-loop thread where that can be set (wisp:
--threads via config; workerd: one thread by design), on 127.0.0.1 only.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited early")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server did not listen")


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def start_wisp(wisp, port):
    d = tempfile.mkdtemp()
    shutil.copy(os.path.join(HERE, "http/worker.js"), d)
    cfg = open(os.path.join(HERE, "http/wrangler.jsonc")).read().replace("127.0.0.1:0", f"127.0.0.1:{port}")
    cfg = cfg.replace('"wisp": {', '"wisp": { "threads": 1,')
    open(os.path.join(d, "wrangler.jsonc"), "w").write(cfg)
    return subprocess.Popen([wisp, "serve", d], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start_workerd(port):
    if not os.path.exists(os.path.join(HERE, "node_modules/.bin/workerd")):
        subprocess.run(["npm", "ci", "--prefix", HERE, "--no-audit", "--no-fund", "--loglevel=error"], check=True)
    d = tempfile.mkdtemp()
    shutil.copy(os.path.join(HERE, "http/worker.js"), d)
    cfg = open(os.path.join(HERE, "http/workerd.capnp")).read().replace("PORT", str(port))
    open(os.path.join(d, "config.capnp"), "w").write(cfg)
    return subprocess.Popen([os.path.join(HERE, "node_modules/.bin/workerd"), "serve", os.path.join(d, "config.capnp")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=d)


def latency(port, n):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times = []
    for i in range(n + 100):
        t0 = time.perf_counter()
        conn.request("GET", f"/?name=n{i}")
        r = conn.getresponse()
        body = r.read()
        dt = (time.perf_counter() - t0) * 1000
        if r.status != 200 or b'"hello"' not in body:
            raise RuntimeError(f"bad answer {r.status} {body[:100]!r}")
        if i >= 100:  # the first 100 warm up
            times.append(dt)
    conn.close()
    times.sort()
    return {"p50_ms": statistics.median(times), "p99_ms": times[int(len(times) * 0.99) - 1], "n": n}


def throughput(port, seconds, connections):
    if not shutil.which("wrk"):
        return None
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", f"http://127.0.0.1:{port}/?name=x"],
                         capture_output=True, text=True).stdout
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(m.group(1)) if m else None, "non2xx": int(errors.group(1)) if errors else 0}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wisp", default=os.path.join(ROOT, "build/wisp"))
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--json")
    args = ap.parse_args()

    results = {}
    for name, start in (("wisp", lambda p: start_wisp(args.wisp, p)), ("workerd", start_workerd)):
        port = free_port()
        proc = start(port)
        try:
            wait_port(port, proc)
            lat = latency(port, args.requests)
            tput = throughput(port, args.seconds, args.connections)
            results[name] = {"latency": lat, "throughput": tput, "rss_mib": rss_mib(proc.pid)}
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()

    print(f"{'server':8} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>10} {'RSS MiB':>8}")
    for name, r in results.items():
        rps = r["throughput"]["rps"] if r["throughput"] else float("nan")
        print(f"{name:8} {r['latency']['p50_ms']:8.3f} {r['latency']['p99_ms']:8.3f} {rps:10.0f} {r['rss_mib']:8.1f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    sys.exit(main())
