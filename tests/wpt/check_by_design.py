#!/usr/bin/env python3
"""Checks the claims behind the "by design, as in Workers" reasons of the fetch WPT expectations
against the real workerd (from npm): tests/wpt/by-design/worker.js runs on workerd and on wisp,
and for each claim both answers must be the same, and differ from what the WPT subtest wants.
Two fetch behaviours that are not by design are checked the same way, except that wisp must give
workerd's answer whatever the spec says.

  python3 tests/wpt/check_by_design.py [--wisp build/wisp] [--workerd node_modules/.bin/workerd]

No internet: fetch() reaches only a small HTTP server of this script's on 127.0.0.1. Prints one
line per claim and 'N passed, N failed'; exits 1 if a claim does not hold."""
import argparse
import http.client
import http.server
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
WORKER = os.path.join(HERE, "by-design", "worker.js")
EXPECTATIONS = os.path.join(HERE, "expectations", "fetch.json")
# Every by-design reason of these directories must have its check in worker.js.
CHECKED_DIRECTORIES = ("fetch/api/headers/", "fetch/api/request/", "fetch/api/basic/")
BY_DESIGN = "by design, as in Workers: "
# workerd's behaviour at this date (wisp has no older behaviours to choose from).
COMPATIBILITY_DATE = "2025-09-01"


class LocalServer(http.server.ThreadingHTTPServer):
    """/text answers 'hello'; /echo answers the request body (read to its end)."""

    daemon_threads = True

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            self.answer(b"hello")

        def do_POST(self):
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                body = b""
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return  # the client went away (an aborted fetch)
                    size = int(line.split(b";")[0], 16)
                    chunk = self.rfile.read(size + 2)[:size]
                    if size == 0:
                        break
                    body += chunk
            else:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.answer(body)

        def answer(self, body):
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    def __init__(self):
        super().__init__(("127.0.0.1", 0), self.Handler)
        self.origin = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, daemon=True).start()


def run_on_workerd(workerd, query):
    folder = tempfile.mkdtemp(prefix="wisp-by-design-")
    shutil.copy(WORKER, os.path.join(folder, "worker.js"))
    with open(os.path.join(folder, "config.capnp"), "w") as f:
        f.write(f"""using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "{COMPATIBILITY_DATE}",
);
""")
    log = tempfile.TemporaryFile(mode="w+")
    control_read, control_write = os.pipe()
    proc = subprocess.Popen([workerd, "serve", f"--control-fd={control_write}", "config.capnp"], cwd=folder,
                            stdout=subprocess.DEVNULL, stderr=log, pass_fds=[control_write])
    os.close(control_write)
    try:
        port = None
        with os.fdopen(control_read) as control:
            deadline = time.time() + 60
            while port is None and time.time() < deadline and proc.poll() is None:
                ready, _, _ = select.select([control], [], [], 0.5)
                line = control.readline() if ready else ""
                if line and json.loads(line).get("event") == "listen":
                    port = json.loads(line)["port"]
        if port is None:
            log.seek(0)
            raise RuntimeError("workerd did not start: " + log.read())
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", "/" + query)
        response = conn.getresponse()
        body = response.read().decode()
        if response.status != 200:
            log.seek(0)
            raise RuntimeError(f"workerd answered {response.status}: {body}\n{log.read()}")
        return json.loads(body)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(folder, ignore_errors=True)


def run_on_wisp(wisp, query):
    done = subprocess.run([wisp, "run", "--egress-allow-private", "--url", "http://localhost/" + query, WORKER],
                          capture_output=True, text=True, timeout=120)
    # `wisp run` prints the status line, the headers, a blank line, then the body.
    head, _, body = done.stdout.partition("\n\n")
    if done.returncode != 0 or not head.startswith("HTTP 200"):
        raise RuntimeError(f"wisp run failed ({done.returncode}): {done.stdout}{done.stderr}")
    return json.loads(body)


def by_design_reasons():
    """The by-design reasons of CHECKED_DIRECTORIES' expectations, without the prefix."""
    with open(EXPECTATIONS, encoding="utf-8") as f:
        expectations = json.load(f)
    reasons = set()
    for file, entry in expectations.items():
        if not file.startswith(CHECKED_DIRECTORIES):
            continue
        listed = list(entry.get("fail", {})) + [entry.get("harness", {}).get("reason", "")]
        reasons.update(r.removeprefix(BY_DESIGN) for r in listed if r.startswith(BY_DESIGN))
    return reasons


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wisp", default=os.path.join(ROOT, "build", "wisp"))
    parser.add_argument("--workerd", default=os.path.join(ROOT, "node_modules", ".bin", "workerd"))
    parser.add_argument("-v", "--verbose", action="store_true", help="print every answer")
    args = parser.parse_args()
    server = LocalServer()
    query = "?server=" + server.origin
    workerd = run_on_workerd(args.workerd, query)
    wisp = run_on_wisp(args.wisp, query)
    passed = failed = 0
    for claim, answer in workerd.items():
        mine = wisp.get(claim, {}).get("observed")
        theirs = answer["observed"]
        problems = []
        if mine != theirs:
            problems.append(f"wisp answers {json.dumps(mine)}, workerd {json.dumps(theirs)}")
        if answer["kind"] == "by design" and theirs == answer["spec"]:
            problems.append("workerd does what the test expects: not by design")
        if problems:
            failed += 1
            print(f"FAIL {claim}\n     " + "\n     ".join(problems))
        else:
            passed += 1
            print(f"ok   {claim}")
        if args.verbose:
            print(f"     workerd: {json.dumps(theirs)}\n     spec:    {json.dumps(answer['spec'])}")
    server.shutdown()
    for reason in sorted(by_design_reasons() - workerd.keys()):
        failed += 1
        print(f"FAIL no check in by-design/worker.js for the reason: {reason}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
