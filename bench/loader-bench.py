#!/usr/bin/env python3
"""Worker Loader benchmark: one host Worker (bench/hosts/loader/host.js) on workerd and on
`wisp serve`, one after the other in the same run, results side by side.

  python3 bench/loader-bench.py [--wisp build/wisp] [--quick] [--json out.json]

For each server:
  - warm latency: sequential requests to one dynamic Worker id (one keep-alive connection), p50/p99;
  - warm requests per second to that id (wrk if installed, else this script's asyncio client);
  - cold-create latency: sequential requests, each with a new id (getCode, a new isolate, compile,
    first request), p50/p99;
  - cold creates per second: new ids from --connections concurrent keep-alive connections;
  - RSS per live dynamic Worker at 1,000, 3,000 and 10,000 live Workers: (process RSS - RSS before
    the first cold create) / number of cold-created Workers, and the memory mappings per Worker
    (Linux stops a process at vm.max_map_count mappings, 65530 by default). Every Worker stays
    loaded: workerd never unloads a named dynamic Worker, and wisp's cache is set to keep them all
    (wisp.cache in bench/hosts/loader/wrangler.jsonc); a sample of the first ids is re-requested
    at the end to check that getCode did not run again.
The fill stops early, and says so, if the machine's available memory falls under --min-free-mib;
if a server exits during the fill, the table says after how many live Workers and how.
Both servers run one event-loop thread (wisp: `threads: 1`; workerd has one), on 127.0.0.1.
"""
import argparse
import asyncio
import atexit
import http.client
import json
import os
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
HOST_DIR = os.path.join(HERE, "hosts/loader")
REQUEST_TIMEOUT = 60  # seconds for any one request: a stuck server fails the run instead of hanging it

children = []  # server processes still running: killed on any exit


def kill_children():
    for proc in children:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    children.clear()


def exit_on_signal(signum, _frame):
    kill_children()
    sys.exit(128 + signum)


# ---------------------------------------------------------------------------------------------
# The two servers

class Server:
    def __init__(self, name, proc, port, log):
        self.name, self.proc, self.port, self.log = name, proc, port, log
        children.append(proc)

    def rss_mib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        raise RuntimeError(f"{self.name} has exited")

    def exited_within(self, seconds):
        try:
            self.proc.wait(timeout=seconds)
            return True
        except subprocess.TimeoutExpired:
            return False

    def map_count(self):
        """Memory mappings of the process: Linux caps them at vm.max_map_count."""
        with open(f"/proc/{self.proc.pid}/maps") as f:
            return sum(1 for _ in f)

    def stop(self):
        kill_children()

    def log_tail(self, lines=20):
        """The last lines the server wrote, without wisp's JSON access-log lines."""
        self.log.seek(0)
        kept = [line[:300] for line in self.log.read().splitlines() if line.strip() and not line.startswith("{")]
        return "\n".join(kept[-lines:])

    def check_alive(self):
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.name} exited ({self.proc.returncode}): {self.log_tail()}")


def start_wisp(wisp):
    log = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen([wisp, "serve", HOST_DIR], stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.time() + 30
    while time.time() < deadline:
        log.seek(0)
        m = re.search(r"on http://127\.0\.0\.1:(\d+)", log.read(4096))
        if m:
            return Server("wisp", proc, int(m.group(1)), log)
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    log.seek(0)
    raise RuntimeError("wisp did not start: " + log.read()[-2000:])


def find_workerd():
    for candidate in (os.path.join(ROOT, "node_modules/.bin/workerd"), os.path.join(HERE, "node_modules/.bin/workerd")):
        if os.access(candidate, os.X_OK):
            return candidate
    # Not installed (scripts/setup.sh installs it in the root): bench/package.json pins the same one.
    subprocess.run(["npm", "ci", "--prefix", HERE, "--no-audit", "--no-fund", "--loglevel=error"], check=True)
    return os.path.join(HERE, "node_modules/.bin/workerd")


def start_workerd(workerd):
    log = tempfile.TemporaryFile(mode="w+")
    control_read, control_write = os.pipe()
    proc = subprocess.Popen([workerd, "serve", "--experimental", f"--control-fd={control_write}",
                             os.path.join(HOST_DIR, "workerd.capnp")],
                            stdout=subprocess.DEVNULL, stderr=log, pass_fds=[control_write])
    os.close(control_write)
    # workerd writes a JSON line per socket once it listens: {"event":"listen","socket":"http","port":N}.
    with os.fdopen(control_read) as control:
        deadline = time.time() + 60
        while time.time() < deadline:
            if select.select([control], [], [], 0.5)[0]:
                line = control.readline()
                if not line:
                    break
                message = json.loads(line)
                if message.get("event") == "listen":
                    return Server("workerd", proc, message["port"], log)
            elif proc.poll() is not None:
                break
    proc.kill()
    log.seek(0)
    raise RuntimeError("workerd did not start: " + log.read()[-2000:])


# ---------------------------------------------------------------------------------------------
# Clients

def percentiles(times_ms):
    times_ms = sorted(times_ms)
    return {"p50_ms": statistics.median(times_ms), "p99_ms": times_ms[max(0, int(len(times_ms) * 0.99) - 1)],
            "n": len(times_ms)}


def check_answer(status, body, worker_id):
    if status != 200 or f'"id":"{worker_id}"'.encode() not in body:
        raise RuntimeError(f"bad answer for id {worker_id}: {status} {body[:200]!r}")


def sequential(port, ids):
    """Each id in turn on one keep-alive connection; returns the latencies in ms."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    times = []
    try:
        for worker_id in ids:
            t0 = time.perf_counter()
            conn.request("GET", f"/?id={worker_id}")
            r = conn.getresponse()
            body = r.read()
            times.append((time.perf_counter() - t0) * 1000)
            check_answer(r.status, body, worker_id)
    finally:
        conn.close()
    return times


def get_text(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request("GET", path)
        return conn.getresponse().read().decode()
    finally:
        conn.close()


class AsyncConnection:
    """A minimal HTTP/1.1 keep-alive client (Content-Length and chunked bodies)."""

    def __init__(self, port):
        self.port = port
        self.reader = self.writer = None

    async def get(self, path):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        status_line = await self.reader.readline()
        if not status_line:
            self.close()
            raise ConnectionResetError("the server closed the connection")
        status = int(status_line.split()[1])
        length, chunked, close = None, False, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            key, _, value = line.decode("latin-1").partition(":")
            key, value = key.strip().lower(), value.strip().lower()
            if key == "content-length":
                length = int(value)
            elif key == "transfer-encoding":
                chunked = "chunked" in value
            elif key == "connection":
                close = value == "close"
        if chunked:
            body = b""
            while (size := int((await self.reader.readline()).split(b";")[0], 16)) > 0:
                body += await self.reader.readexactly(size)
                await self.reader.readexactly(2)
            while (await self.reader.readline()) not in (b"\r\n", b""):
                pass
        elif length is not None:
            body = await self.reader.readexactly(length)
        else:
            body, close = await self.reader.read(), True
        if close:
            self.close()
        return status, body

    def close(self):
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def max_map_count():
    try:
        with open("/proc/sys/vm/max_map_count") as f:
            return int(f.read())
    except OSError:
        return None


def available_mib():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    return float("inf")


class Fill:
    """Progress of concurrent_creates, readable even when it ends with an exception."""

    def __init__(self):
        self.done = self.resets = 0
        self.seconds = 0.0
        self.low_memory = False


async def concurrent_creates(port, ids, connections, min_free_mib, fill):
    """Requests every id once from `connections` connections at a time, counting into `fill`. A
    connection the server resets is opened again and the request sent once more (and counted);
    the fill stops early when the machine's available memory falls under min_free_mib."""

    async def client():
        conn = AsyncConnection(port)
        try:
            for worker_id in queue:
                if fill.low_memory:
                    return
                for retry in (False, True):
                    try:
                        status, body = await asyncio.wait_for(conn.get(f"/?id={worker_id}"), REQUEST_TIMEOUT)
                        break
                    except (ConnectionError, asyncio.IncompleteReadError):
                        conn.close()
                        fill.resets += 1
                        if retry:
                            raise
                check_answer(status, body, worker_id)
                fill.done += 1
                if fill.done % 100 == 0 and available_mib() < min_free_mib:
                    fill.low_memory = True
        finally:
            conn.close()

    queue = iter(ids)
    t0 = time.perf_counter()
    outcomes = await asyncio.gather(*(client() for _ in range(connections)), return_exceptions=True)
    fill.seconds = time.perf_counter() - t0
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome


async def async_rate(port, path, seconds, connections):
    """Warm requests per second from this script's own client, when wrk is not installed."""
    deadline = time.perf_counter() + seconds
    count = 0

    async def client():
        nonlocal count
        conn = AsyncConnection(port)
        try:
            while time.perf_counter() < deadline:
                status, _ = await asyncio.wait_for(conn.get(path), REQUEST_TIMEOUT)
                if status != 200:
                    raise RuntimeError(f"warm request answered {status}")
                count += 1
        finally:
            conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    return count / (time.perf_counter() - t0)


def warm_rate(port, seconds, connections):
    url = f"http://127.0.0.1:{port}/?id=warm"
    if shutil.which("wrk"):
        out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", url],
                             capture_output=True, text=True, timeout=seconds + 60).stdout
        m = re.search(r"Requests/sec:\s+([\d.]+)", out)
        bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        if not m or bad:
            raise RuntimeError("wrk failed: " + out)
        return float(m.group(1))
    return asyncio.run(async_rate(port, "/?id=warm", seconds, connections))


# ---------------------------------------------------------------------------------------------
# One server, every measure

def measure(server, args):
    port, r = server.port, {}
    sequential(port, ["warm"] * 200)  # loads the warm Worker, warms up both isolates
    r["warm"] = percentiles(sequential(port, ["warm"] * args.requests))
    r["warm_rps"] = warm_rate(port, args.seconds, args.connections)
    time.sleep(0.5)
    base, base_maps = server.rss_mib(), server.map_count()
    r["rss_base_mib"] = base
    r["cold"] = percentiles(sequential(port, [f"c{i}" for i in range(args.cold)]))
    live = args.cold
    r["rates"], r["rss_per_worker_kib"], r["maps_per_worker"], r["rss_mib_at"] = [], {}, {}, {}
    for target in args.live:
        fill = Fill()
        try:
            asyncio.run(concurrent_creates(port, [f"c{i}" for i in range(live, target)], args.connections,
                                           args.min_free_mib, fill))
        except Exception:
            if not server.exited_within(10):  # a dying server may still be writing its last words
                raise
            # The server died: say where, with the last lines it wrote that are not access-log lines.
            r["crashed_at"] = live + fill.done
            r["rates"].append({"from": live, "to": live + fill.done, "until_exit": True,
                               "creates_per_s": fill.done / fill.seconds if fill.done else 0})
            code = server.proc.returncode
            r["crash"] = [f"killed by signal {-code}" if code < 0 else f"exit status {code}"] + [
                line[:160] for line in server.log_tail().splitlines()
                if len(line.strip("# ")) > 3 and not line.startswith(("<---", "wisp serving"))][-2:]
            print(f"  {server.name}: exited after {r['crashed_at']} live dynamic Workers: {r['crash']}", file=sys.stderr)
            return r
        r["rates"].append({"from": live, "to": live + fill.done, "connection_resets": fill.resets,
                           "creates_per_s": fill.done / fill.seconds if fill.done else 0})
        live += fill.done
        time.sleep(0.5)
        rss = server.rss_mib()
        r["rss_per_worker_kib"][live] = (rss - base) * 1024 / live
        r["maps_per_worker"][live] = (server.map_count() - base_maps) / live
        r["rss_mib_at"][live] = rss
        print(f"  {server.name}: {live} live dynamic Workers, RSS {rss:.0f} MiB", file=sys.stderr)
        if fill.low_memory:
            r["stopped_for_memory_at"] = live
            print(f"  {server.name}: stopped at {live}: under {args.min_free_mib} MiB available", file=sys.stderr)
            break
    # Still loaded? Re-requesting the first ids must not run getCode again.
    calls = int(get_text(port, "/getcode"))
    sample = [f"c{i}" for i in range(min(100, live))]
    sequential(port, sample)
    r["getcode_calls"] = calls
    r["reloaded_in_sample"] = f"{int(get_text(port, '/getcode')) - calls}/{len(sample)}"
    return r


def report(results, args, warm_client):
    names = list(results)
    rows = []

    def row(label, fn):
        cells = []
        for n in names:
            try:
                cells.append(fn(results[n]))
            except (KeyError, IndexError):
                cells.append("-")
        rows.append((label, cells))

    row(f"warm latency p50 / p99, ms (n={args.requests})",
        lambda r: f"{r['warm']['p50_ms']:.2f} / {r['warm']['p99_ms']:.2f}")
    row(f"cold create latency p50 / p99, ms (n={args.cold})",
        lambda r: f"{r['cold']['p50_ms']:.2f} / {r['cold']['p99_ms']:.2f}")
    for i in range(max(len(r["rates"]) for r in results.values())):
        row(f"cold creates/s, {args.connections} conns (live {args.cold if i == 0 else args.live[i - 1]:,}"
            f" -> {args.live[i]:,})", lambda r, i=i: f"{r['rates'][i]['creates_per_s']:.0f}"
            + (" until exit" if r["rates"][i].get("until_exit") else ""))
    row(f"warm req/s ({warm_client})", lambda r: f"{r['warm_rps']:.0f}")
    row("RSS before cold creates, MiB", lambda r: f"{r['rss_base_mib']:.1f}")
    for target in args.live:
        row(f"RSS per live dynamic Worker at {target:,}, KiB",
            lambda r, t=target: f"{r['rss_per_worker_kib'][t]:.0f}")
    row(f"memory mappings per live dynamic Worker (at {args.live[0]:,})",
        lambda r: f"{r['maps_per_worker'][args.live[0]]:.1f}")
    row("re-requested ids that ran getCode again", lambda r: r["reloaded_in_sample"])
    row("connections reset during the fill (retried)",
        lambda r: str(sum(x.get("connection_resets", 0) for x in r["rates"])))
    row("server exited after (live dynamic Workers)", lambda r: f"{r['crashed_at']:,}" if "crashed_at" in r else "no")
    width = max(len(label) for label, _ in rows)
    print(f"{'':{width}}  " + "  ".join(f"{n:>15}" for n in names))
    for label, cells in rows:
        print(f"{label:{width}}  " + "  ".join(f"{c:>15}" for c in cells))
    print(f"vm.max_map_count: {max_map_count()}")
    for n, r in results.items():
        if "crash" in r:
            print(f"{n} exited: " + " | ".join(r["crash"]))
        if "stopped_for_memory_at" in r:
            print(f"{n}: the fill stopped at {r['stopped_for_memory_at']:,} live Workers (available memory under "
                  f"{args.min_free_mib} MiB)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wisp", default=os.path.join(ROOT, "build/wisp"))
    ap.add_argument("--workerd", help="workerd binary (default: node_modules/.bin/workerd)")
    ap.add_argument("--quick", action="store_true", help="a smoke run: small counts, a 2-second rate")
    ap.add_argument("--requests", type=int, default=2000, help="sequential warm requests")
    ap.add_argument("--cold", type=int, default=500, help="sequential cold creates")
    ap.add_argument("--live", default="1000,3000,10000", help="live dynamic Worker counts at which RSS is taken")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--seconds", type=int, default=5, help="duration of the warm rate")
    ap.add_argument("--min-free-mib", type=int, default=3072, help="stop creating Workers below this much available memory")
    ap.add_argument("--only", choices=["wisp", "workerd"], help="run one server only")
    ap.add_argument("--json")
    args = ap.parse_args()
    if args.quick:
        args.requests, args.cold, args.live, args.seconds = 200, 50, "100,300", 2
    args.live = [int(x) for x in args.live.split(",")]
    if sorted(args.live) != args.live or args.live[0] <= args.cold:
        ap.error("--live must be increasing and above --cold")

    atexit.register(kill_children)
    signal.signal(signal.SIGTERM, exit_on_signal)
    signal.signal(signal.SIGINT, exit_on_signal)

    starters = {"workerd": lambda: start_workerd(args.workerd or find_workerd()),
                "wisp": lambda: start_wisp(args.wisp)}
    results = {}
    for name, start in starters.items():
        if args.only and name != args.only:
            continue
        print(f"{name}: starting", file=sys.stderr)
        server = start()
        try:
            results[name] = measure(server, args)
        except Exception:
            print(f"{name} failed; the end of its log:\n{server.log_tail()}", file=sys.stderr)
            raise
        finally:
            server.stop()
    warm_client = (f"wrk -t2 -c{args.connections} -d{args.seconds}s" if shutil.which("wrk")
                   else f"asyncio client, {args.connections} conns, {args.seconds}s")
    report(results, args, warm_client)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    sys.exit(main())
