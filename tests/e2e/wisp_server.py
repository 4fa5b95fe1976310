"""Shared by the end-to-end tests: a `wisp serve` process on 127.0.0.1, and a tiny case runner
whose summary line is 'N passed, N failed'."""
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time


def config_dir(toml):
    """A new directory holding `toml` as its wrangler.toml, for a server to start in."""
    d = tempfile.mkdtemp()
    with open(os.path.join(d, "wrangler.toml"), "w") as f:
        f.write(toml)
    return d


class Server:
    """`wisp serve ARGS...`; the port is read from its start-up line (configs listen on :0)."""

    def __init__(self, wisp, *args, env=None):
        self.log = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen([wisp, "serve", *args], stdout=subprocess.DEVNULL, stderr=self.log,
                                     env={**os.environ, **(env or {})})
        deadline = time.time() + 30
        self.port = None
        while time.time() < deadline and self.port is None:
            self.log.seek(0)
            m = re.search(r"on http://127\.0\.0\.1:(\d+)", self.log.read())
            if m:
                self.port = int(m.group(1))
            elif self.proc.poll() is not None:
                break
            else:
                time.sleep(0.05)
        if self.port is None:
            raise RuntimeError("server did not start: " + self.stderr())

    def stderr(self):
        self.log.seek(0)
        return self.log.read()

    def request(self, method, path, body=None, headers=None, conn=None):
        c = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        if conn is None:
            c.close()
        return r.status, dict(r.getheaders()), data

    def get(self, path):
        status, _, data = self.request("GET", path)
        return status, data.decode()

    def execute(self, payload, headers=None):
        status, _, data = self.request("POST", "/v1/execute", json.dumps(payload), headers)
        return status, json.loads(data)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()


class Cases:
    """Collects test functions as they are declared (@cases.case runs each at once)."""

    def __init__(self):
        self.results = []

    def case(self, fn):
        try:
            fn()
            self.results.append((fn.__name__, None))
        except Exception as e:  # noqa: BLE001 - any failure fails the case
            self.results.append((fn.__name__, f"{type(e).__name__}: {e}"))
        return fn

    def report(self, *servers):
        failed = [r for r in self.results if r[1]]
        for name, err in self.results:
            print(("FAIL " if err else "ok   ") + name + (f"\n  {err}" if err else ""))
        print(f"{len(self.results) - len(failed)} passed, {len(failed)} failed")
        for s in servers:
            s.kill()
        sys.exit(1 if failed else 0)
