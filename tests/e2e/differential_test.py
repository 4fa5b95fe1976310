#!/usr/bin/env python3
"""Differential test: the same host Workers on `wisp serve` and on the real workerd (from npm, run
with --experimental for its Worker Loader), the same requests to both over 127.0.0.1, and the
same status and body expected from both.

  differential_test.py WISP [WORKERD]     (WORKERD defaults to node_modules/.bin/workerd)

Each host directory is used unmodified: wisp reads its wrangler.jsonc, and workerd gets a
Cap'n Proto config generated from the same file (main module, compatibility date and flags,
vars, one `workerLoader` binding per `worker_loaders` entry). Where the answers differ on purpose
or because wisp does not match workerd yet, the path is listed below with the reason; see
docs/differences.md."""
import http.client
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from wisp_server import Cases, Server

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
WISP = sys.argv[1]
WORKERD = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "node_modules/.bin/workerd")

# The requests, in order (the hosts keep state between them: counters, getCode calls).
LOADER_PATHS = [
    "/", "/get?name=a", "/get?name=a", "/calls", "/get?name=b", "/calls", "/post", "/post", "/named",
    "/plain", "/concurrent", "/get-code-rejects", "/bad-module-get", "/bad-module-load", "/no-date",
    "/env-too-big", "/top-level-throw", "/missing-entrypoint", "/dynamic-throws", "/kept", "/kept",
    "/calls", "/no-such-route",
]
DIFFERENTIAL_PATHS = [
    "/same-name-twice", "/same-name-twice", "/number-name", "/unnamed-are-fresh", "/same-stub-twice",
    "/getcode-is-lazy", "/getcode-throws-synchronously", "/getcode-returns-a-promise",
    "/entrypoint-default-by-name", "/missing-entrypoints", "/non-handler-export", "/no-modules",
    "/main-module-missing", "/typescript-module-name", "/mjs-module-name", "/python-module-beside-js-main",
    "/module-with-unknown-field", "/module-with-no-field", "/bad-compatibility-date",
    "/unknown-compatibility-flag", "/get-without-callback", "/get-without-arguments", "/load-without-code",
    "/future-compatibility-date", "/year-1999-compatibility-date", "/compatibility-flags-not-an-array",
    "/known-compatibility-flags", "/duplicate-compatibility-flag", "/contradictory-compatibility-flags",
    "/experimental-compatibility-flag", "/module-that-is-null", "/handler-exports", "/string-export",
    "/module-types", "/request-and-response", "/url-object-input", "/large-body", "/streamed-response", "/redirects",
    "/redirect-methods", "/not-redirects", "/too-many-redirects", "/redirect-error-mode",
    "/response-headers-are-immutable", "/timer-in-dynamic-worker", "/wait-until-in-dynamic-worker", "/dynamic-returns-a-string",
    "/dynamic-throws-a-string", "/dynamic-syntax-error", "/dynamic-missing-import", "/json-env-and-props",
    "/structured-env-and-props", "/api-shape", "/no-such-route",
]
# Workers RPC between the host and its dynamic Workers (tests/e2e/hosts/loader-rpc; its other
# routes, which only wisp answers as listed, are checked by tests/e2e/rpc_test.py).
RPC_PATHS = [
    "/entrypoint-methods", "/plain-entrypoints", "/errors", "/structured-clone", "/not-serializable", "/stubs",
    "/pipelining", "/disposal", "/size-limit", "/env", "/env-refused", "/props",
]

# globalOutbound (tests/e2e/hosts/loader-egress; egress_test.py checks the routes that need a local
# upstream or wisp's own settings): null, and an entrypoint of the host as the gateway, with props.
EGRESS_PATHS = [
    "/null?up=http://127.0.0.1:9", "/gateway", "/gateway-plain", "/gateway-default", "/gateway-throws",
    "/gateway-get", "/gateway-subrequests", "/gateway-connect?up=http://127.0.0.1:9", "/bad-outbound",
]

# Not sent to workerd: its Worker Loader does not enforce `limits`, so these dynamic Workers would
# spin forever (docs/differences.md, "Limits are enforced"). loader_test.py checks wisp's answers.
NOT_SENT = {("loader", "/cpu"), ("loader", "/entrypoint-limits")}

# Intended differences: (host, path, occurrence) -> (why, workerd's answer, wisp's answer), the
# answers as (status, body); workerd's body may be a compiled regular expression. Both answers are
# checked, so a change on either side shows up here. docs/differences.md explains each.
INTENDED = {
    ("loader", "/kept", 2): (
        "a stub kept in a global works in a later request on wisp; workerd ties it to the request that "
        "made it (Cannot perform I/O on behalf of a different request, I/O type: WorkerStubChannel)",
        (500, "Internal Server Error"),
        (200, "200 null plain kept")),
    ("loader-differential", "/missing-entrypoints", 1): (
        "a missing default entrypoint: wisp gives the documented message, workerd an opaque internal error",
        (200, re.compile(r"200 other \| error Error: Worker has no such entrypoint: Nope \| "
                         r"error Error: internal error; reference = \w+")),
        (200, "200 other | error Error: Worker has no such entrypoint: Nope | error Error: Worker has no default "
              "entrypoint.")),
    ("loader-differential", "/typescript-module-name", 1): (
        "wisp accepts TypeScript modules and strips the types",
        (200, "threw TypeError: Module name must end with '.js' or '.py' (or the content must be an object "
              "indicating the type explicitly). Got: main.ts. If you're trying to load TypeScript, bundle it "
              "first with '@cloudflare/worker-bundler' and pass the generated JavaScript modules."),
        (200, "no error")),
    ("loader-differential", "/mjs-module-name", 1): (
        "wisp also takes .mjs (ES module) and .cjs (CommonJS) file names",
        (200, "threw TypeError: Module name must end with '.js' or '.py' (or the content must be an object "
              "indicating the type explicitly). Got: main.mjs"),
        (200, "no error")),
    ("loader-differential", "/python-module-beside-js-main", 1): (
        "wisp has no Python Workers and says so before the JS-main rule",
        (200, "threw TypeError: Module \"helper.py\" is a Python module, but the main module isn't a Python module."),
        (200, "threw TypeError: Python modules are not supported by wisp. Got: helper.py.")),
    ("loader-differential", "/dynamic-syntax-error", 1): (
        "a syntax error's column: wisp counts from 1, as stack traces do; workerd from 0",
        (200, "error Error: Failed to start Worker:\nUncaught SyntaxError: Unexpected end of input\n  at main.js:1:16"),
        (200, "error Error: Failed to start Worker:\nUncaught SyntaxError: Unexpected end of input\n  at main.js:1:17")),
    ("loader-differential", "/dynamic-missing-import", 1): (
        "wisp names the line and column of the import that failed",
        (200, "error Error: Failed to start Worker:\nUncaught Error: No such module \"nope.js\".\n  imported from \"main.js\""),
        (200, "error Error: Failed to start Worker:\nUncaught Error: No such module \"nope.js\".\n  imported from "
              "\"main.js:1:8\"")),
    ("loader-differential", "/experimental-compatibility-flag", 1): (
        "both refuse an experimental flag; wisp has no --experimental to advise",
        (200, "threw Error: The compatibility flag webgpu is experimental and may break or be removed in a future "
              "version of workerd. To use this flag, you must pass --experimental on the command line."),
        (200, "threw Error: The compatibility flag webgpu is experimental and may break or be removed in a future "
              "version of workerd. wisp does not support experimental compatibility flags.")),
    ("loader-differential", "/redirect-methods", 1): (
        "a redirect that turns a POST into a GET drops the body's headers on wisp (the Fetch standard, as "
        "wisp's fetch() does); workerd keeps content-type",
        (200, '301: 200 https://dyn.example/end GET "" text/plain | 302: 200 https://dyn.example/end GET "" text/plain | '
              '303: 200 https://dyn.example/end GET "" text/plain | 307: 200 https://dyn.example/end POST "data" text/plain | '
              '308: 200 https://dyn.example/end POST "data" text/plain'),
        (200, '301: 200 https://dyn.example/end GET "" null | 302: 200 https://dyn.example/end GET "" null | '
              '303: 200 https://dyn.example/end GET "" null | 307: 200 https://dyn.example/end POST "data" text/plain | '
              '308: 200 https://dyn.example/end POST "data" text/plain')),
    ("loader-differential", "/too-many-redirects", 1): (
        "both give up after 20 redirects, in their own words",
        (200, re.compile(r"error TypeError: Too many redirects\.https://dyn\.example/loop(, https://dyn\.example/again){20}")),
        (200, "error TypeError: Fetcher.fetch() to https://dyn.example/loop was redirected more than 20 times.")),
    ("loader-differential", "/redirect-error-mode", 1): (
        "wisp implements redirect: 'error' as the Fetch standard does (as its fetch() does); workerd refuses the mode",
        (200, "error TypeError: Invalid redirect value, must be one of \"follow\" or \"manual\" (\"error\" won't be "
              "implemented since it does not make sense at the edge; use \"manual\" and check the response status code)."),
        (200, "error TypeError: Fetcher.fetch() to https://dyn.example/start was redirected to https://dyn.example/end, "
              "and the request's redirect mode is \"error\".")),
    ("loader-egress", "/gateway-subrequests", 1): (
        "wisp enforces limits.subRequests on a dynamic Worker (its gateway calls count); workerd does not",
        (200, "[201,201,201]"),
        (200, '[201,201,"Error: Too many subrequests. This Worker is allowed 2 per invocation."]')),
    ("loader-egress", "/gateway-connect?up=http://127.0.0.1:9", 1): (
        "wisp has no TCP sockets, so connect() throws; workerd hands the socket to the gateway",
        (200, re.compile(r'\{"fetch":\{"status":201,.*"props\\":\{\\"tag\\":\\"c\\"\}\}"\},"connect":"no error"\}')),
        (200, '{"fetch":{"status":201,"statusText":"Made","url":"http://127.0.0.1:9/hello","headers":{"content-type":'
              '"text/plain;charset=UTF-8","x-gateway":"echo"},"body":"{\\"method\\":\\"GET\\",\\"url\\":\\"http://127.0.0.1:9/hello'
              '\\",\\"headers\\":{},\\"body\\":\\"\\",\\"props\\":{\\"tag\\":\\"c\\"}}"},"connect":"Error: connect() is not '
              'supported by wisp: it has no TCP sockets yet. Use fetch() for HTTP."}')),
}

# Where wisp does not match workerd yet: (host, path, occurrence) -> what differs. The test checks
# that the answers still differ, so an entry has to go once wisp is fixed.
KNOWN_GAPS = {}


def strip_jsonc(text):
    """JSON from JSONC: drops // and /* */ comments outside strings and trailing commas."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            i = text.index("*/", i) + 2
        else:
            out.append(c)
            i += 1
    return re.sub(r",(\s*[}\]])", r"\1", "".join(out))


def capnp_text(value):
    return json.dumps(value)  # a JSON string of ASCII text is also a Cap'n Proto text literal


class Workerd:
    """`workerd serve --experimental` on a config generated from a host's wrangler.jsonc."""

    def __init__(self, host_dir):
        wrangler = json.loads(strip_jsonc(open(os.path.join(host_dir, "wrangler.jsonc")).read()))
        self.dir = tempfile.mkdtemp(prefix="wisp-differential-")
        main = os.path.normpath(os.path.join(host_dir, wrangler["main"]))
        src = os.path.dirname(main)
        files = [main] + sorted(os.path.join(d, f) for d, _, names in os.walk(src) for f in names
                                if f.endswith((".js", ".mjs")) and os.path.join(d, f) != main)
        modules = ",\n    ".join(
            f"(name = {capnp_text(os.path.relpath(f, src))}, esModule = embed {capnp_text(os.path.relpath(f, self.dir))})"
            for f in files)
        bindings = []
        for name, value in wrangler.get("vars", {}).items():
            kind = "text" if isinstance(value, str) else "json"
            bindings.append(f"(name = {capnp_text(name)}, {kind} = {capnp_text(value if kind == 'text' else json.dumps(value))})")
        for loader in wrangler.get("worker_loaders", []):
            inner = f"id = {capnp_text(loader['id'])}" if "id" in loader else ""
            bindings.append(f"(name = {capnp_text(loader['binding'])}, workerLoader = ({inner}))")
        flags = ", ".join(capnp_text(f) for f in wrangler.get("compatibility_flags", []))
        config = f"""using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "host", worker = .host) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "host") ],
);
const host :Workerd.Worker = (
  modules = [
    {modules}
  ],
  compatibilityDate = {capnp_text(wrangler["compatibility_date"])},
  compatibilityFlags = [ {flags} ],
  bindings = [ {", ".join(bindings)} ],
);
"""
        with open(os.path.join(self.dir, "config.capnp"), "w") as f:
            f.write(config)
        self.log = tempfile.TemporaryFile(mode="w+")
        control_read, control_write = os.pipe()
        self.proc = subprocess.Popen(
            [WORKERD, "serve", "--experimental", f"--control-fd={control_write}", "config.capnp"],
            cwd=self.dir, stdout=subprocess.DEVNULL, stderr=self.log, pass_fds=[control_write])
        os.close(control_write)
        self.port = self._listening_port(control_read)

    def _listening_port(self, control_read):
        # workerd writes one JSON line per socket once it listens: {"event":"listen","port":N,...}.
        with os.fdopen(control_read) as control:
            deadline = time.time() + 60
            while time.time() < deadline:
                ready, _, _ = select.select([control], [], [], 0.5)
                if ready:
                    line = control.readline()
                    if not line:
                        break
                    message = json.loads(line)
                    if message.get("event") == "listen" and message.get("socket") == "http":
                        return message["port"]
                elif self.proc.poll() is not None:
                    break
        self.kill()
        raise RuntimeError("workerd did not start: " + self.stderr())

    def stderr(self):
        self.log.seek(0)
        return self.log.read()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def matches(answer, want):
    status, body = want
    if isinstance(body, re.Pattern):
        return answer[0] == status and body.fullmatch(answer[1]) is not None
    return answer == want


def get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        conn.close()


gaps = []  # what KNOWN_GAPS entries answered in this run, printed at the end


def compare(host, paths, cases):
    """Starts both servers on tests/e2e/hosts/<host>, sends `paths` in order to each, and records
    one case per request."""
    host_dir = os.path.join(HERE, "hosts", host)
    wisp = Server(WISP, host_dir)
    workerd = None
    try:
        workerd = Workerd(host_dir)
        seen = {}
        for path in paths:
            seen[path] = seen.get(path, 0) + 1
            key = (host, path, seen[path])

            def check(path=path, key=key):
                theirs = get(workerd.port, path)
                ours = get(wisp.port, path)
                if key in INTENDED:
                    why, want_theirs, want_ours = INTENDED[key]
                    assert matches(theirs, want_theirs), f"workerd now answers {theirs!r}, listed {want_theirs!r}"
                    assert ours == want_ours, f"wisp now answers {ours!r}, listed {want_ours!r}"
                elif key in KNOWN_GAPS:
                    assert ours != theirs, f"wisp now matches workerd ({ours!r}): remove it from KNOWN_GAPS"
                    gaps.append(f"{host} {path}: {KNOWN_GAPS[key]}\n  workerd: {theirs!r}\n  wisp:    {ours!r}")
                else:
                    assert ours == theirs, f"\n  workerd: {theirs!r}\n  wisp:    {ours!r}"

            check.__name__ = f"{host} {path} #{seen[path]}"
            cases.case(check)
    finally:
        wisp.kill()
        if workerd:
            workerd.kill()


def main():
    if not os.access(WORKERD, os.X_OK):
        print(f"workerd not found at {WORKERD}: run scripts/setup.sh (it installs workerd from npm)")
        sys.exit(1)
    for key in NOT_SENT:
        assert key[1] not in LOADER_PATHS
    cases = Cases()
    compare("loader", LOADER_PATHS, cases)
    compare("loader-differential", DIFFERENTIAL_PATHS, cases)
    compare("loader-rpc", RPC_PATHS, cases)
    compare("loader-egress", EGRESS_PATHS, cases)
    for gap in gaps:
        print("known gap: " + gap)
    cases.report()


main()
