#!/usr/bin/env python3
"""Runs Web Platform Tests through wisp (wisp-wpt) and compares them with the expectations.

    run.py [options] [dir-prefix ...]        e.g.  run.py url encoding fetch/api/headers

Every *.any.js below the given prefixes (paths relative to the WPT root) runs in its own wisp
Worker, several wisp-wpt processes at a time. Each failing subtest must be listed in
expectations/<area>.json (area = first path component) with a reason; the run fails on an
unexpected failure and on an unexpected pass, so the lists can only shrink. Format:

    { "url/historical.any.js": {
        "harness": {"status": "ERROR", "reason": "..."},      # only if not OK
        "fail": {"<reason>": ["<subtest name>", ...], ...} } }

A subtest that cannot pass without WPT's own server (it fetches one of wptserve's Python
handlers, or another of its hosts) is listed apart, under "server" (what it needs -> names):
it is not counted as a failure nor in the total it is measured against, and it may not pass
either. Subtests fail that way with the prelude's marker NEEDS_SERVER in their message.

--update rewrites the expectations of the files that ran from their results, keeping the
existing reasons; a failure seen for the first time gets the reason TODO, to be filled in by
hand (one with the marker goes under "server", with the path it fetched). --markdown FILE
writes docs/conformance.md: per-directory counts next to Node 20's on the same files, and the
reasons from the expectations.
"""
import argparse
import collections
import concurrent.futures
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TODO = "TODO: reason"
NEEDS_SERVER = "wisp-wpt: needs the WPT server"
# How the reason of a failure that wisp keeps on purpose (Workers' behaviour) starts.
BY_DESIGN = "by design"
# Every directory the conformance report covers (docs/conformance.md), one row each.
DEFAULT_SCOPE = [
    "url", "encoding", "dom/abort", "dom/events", "streams", "fetch/api/headers", "fetch/api/request",
    "fetch/api/response", "fetch/api/body", "fetch/api/basic", "fetch/api/abort", "compression",
    "WebCryptoAPI", "FileAPI", "xhr/formdata", "html/webappapis/structured-clone", "html/webappapis/timers",
    "html/webappapis/atob", "html/webappapis/microtask-queuing", "hr-time", "console", "urlpattern", "webidl",
]
# Wall time per file and variant where the default is not enough: WebCryptoAPI is CPU-bound
# (PBKDF2 at 100,000 iterations, RSA key generation: seconds of CPU per file on a busy machine).
SLOW_AREAS = {"WebCryptoAPI": 120000}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("prefixes", nargs="*", help="directories or files below the root (default: every directory of "
                                              "docs/conformance.md)")
    p.add_argument("--wisp-wpt", default=os.path.join(REPO, "build", "tests", "wpt", "wisp-wpt"))
    p.add_argument("--root", default=os.path.join(os.path.dirname(REPO), "shared", "wpt"), help="the WPT folder")
    p.add_argument("--expectations", default=os.path.join(HERE, "expectations"))
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    p.add_argument("--timeout-ms", type=int, default=30000,
                   help="wall-time budget per file and variant (more for " + ", ".join(SLOW_AREAS) + ")")
    p.add_argument("--update", action="store_true", help="rewrite the expectations from this run")
    p.add_argument("--markdown", metavar="FILE", help="write the conformance report (docs/conformance.md) here")
    p.add_argument("--json", metavar="FILE", help="also write the raw results here")
    p.add_argument("-v", "--verbose", action="store_true", help="also list every failing subtest and uncaught error")
    return p.parse_args()


def matches(rel, prefix):
    return rel == prefix or rel.startswith(prefix.rstrip("/") + "/")


def discover(root, prefixes):
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith(".any.js"):
                rel = os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/")
                if any(matches(rel, p) for p in prefixes):
                    files.append(rel)
    return files


def group_of(file, prefixes):
    """The report row of a file: the longest prefix naming it (a file prefix counts as its folder)."""
    best = max((p for p in prefixes if matches(file, p)), key=len, default=os.path.dirname(file))
    return os.path.dirname(best) if best.endswith(".js") else best.rstrip("/")


def area_of(key):
    return key.split("/", 1)[0]


def run_batch(args, batch):
    """Runs wisp-wpt on `batch`; returns its result lines (a crash loses the rest of the batch)."""
    timeout_ms = max(args.timeout_ms, SLOW_AREAS.get(area_of(batch[0]), 0))
    cmd = [args.wisp_wpt, "--root", args.root, "--timeout-ms", str(timeout_ms), *batch]
    budget = (timeout_ms / 1000 + 10) * len(batch) * 4  # variants run one after another
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=budget)
        out, err, code = proc.stdout, proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as e:
        out, err, code = (e.stdout or b"").decode(errors="replace"), "wisp-wpt did not finish", -1
    results = []
    for line in out.split("\n"):  # not splitlines(): names may hold U+2028
        try:
            r = json.loads(line)
            if isinstance(r, dict) and "file" in r:
                results.append(r)
        except ValueError:
            pass
    return results, code, err


def run_all(args, files):
    """Runs every file; a file whose process died is run again alone, then reported as CRASH."""
    results = {}
    batches = []
    for i, f in enumerate(files):  # three files a process, never two areas (their budgets differ)
        if not batches or len(batches[-1]) == 3 or area_of(batches[-1][0]) != area_of(f):
            batches.append([])
        batches[-1].append(f)
    retry = []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for batch, (lines, code, err) in zip(batches, pool.map(lambda b: run_batch(args, b), batches)):
            for r in lines:
                results.setdefault(r["file"], []).append(r)
            if code != 0:
                # The file that was running (the last one with output, or the first without) and
                # every file after it run again, alone.
                done = [f for f in batch if f in results]
                start = batch.index(done[-1]) if done else 0
                retry += batch[start:]
        for f, (lines, code, err) in zip(retry, pool.map(lambda f: run_batch(args, [f]), retry)):
            results[f] = lines
            if code != 0:
                tail = err.strip().splitlines()[-3:]
                results[f].append({"file": f, "variant": "", "status": "CRASH", "tests": [],
                                   "message": f"wisp-wpt exited with {code}: " + " | ".join(tail)})
    return [r for f in files for r in results.get(f, [])]


def load_expectations(folder, areas):
    out = {}
    for area in areas:
        path = os.path.join(folder, f"{area}.json")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                out.update(json.load(f))
    return out


def in_scope(key, prefixes):
    return any(matches(key.split("?", 1)[0], p) for p in prefixes)


def by_name(groups):
    """{reason: [names]} -> {name: reason}."""
    return {name: reason for reason, names in groups.items() for name in names}


def compare(results, expectations, prefixes):
    """Returns (stats per report row, list of unexpected results). Per row: passed, total (every
    subtest that ran), server (those listed as needing the WPT server), expected (failures
    listed), by_design (those of them whose reason starts with BY_DESIGN), unexpected."""
    stats = collections.OrderedDict((group_of(p, prefixes), collections.Counter()) for p in prefixes)
    unexpected = []
    seen = set()
    for r in results:
        s = stats.setdefault(group_of(r["file"], prefixes), collections.Counter())
        if "skipped" in r:
            s["skipped"] += 1
            continue
        key = r["file"] + r.get("variant", "")
        seen.add(key)
        s["runs"] += 1
        exp = expectations.get(key, {})
        reasons = by_name(exp.get("fail", {}))
        server = by_name(exp.get("server", {}))
        expected_harness = exp.get("harness", {}).get("status", "OK")
        if r["status"] != expected_harness:
            unexpected.append(f"HARNESS {key}: {r['status']} (expected {expected_harness}): {r.get('message')}")
            s["unexpected"] += 1
        names = set()
        for t in r["tests"]:
            names.add(t["name"])
            s["total"] += 1
            passed = t["status"] == "PASS"
            s["passed"] += passed
            s["server"] += t["name"] in server
            if passed and (t["name"] in reasons or t["name"] in server):
                unexpected.append(f"UNEXPECTED PASS {key}: {t['name']}")
                s["unexpected"] += 1
            elif not passed and t["name"] not in reasons and t["name"] not in server:
                unexpected.append(f"UNEXPECTED {t['status']} {key}: {t['name']}: {str(t.get('message'))[:300]}")
                s["unexpected"] += 1
            elif not passed:
                s["expected"] += 1
                s["by_design"] += reasons.get(t["name"], "").startswith(BY_DESIGN)
        for name in (reasons.keys() | server.keys()) - names:
            unexpected.append(f"MISSING {key}: expected to fail but did not run: {name}")
            s["unexpected"] += 1
    for key in expectations:
        if in_scope(key, prefixes) and key not in seen:
            unexpected.append(f"STALE {key}: in the expectations but did not run")
            stats.setdefault(group_of(key.split("?")[0], prefixes), collections.Counter())["unexpected"] += 1
    return stats, unexpected


def server_need(message):
    """For a failure message carrying the prelude's marker: what the subtest fetched."""
    text = str(message or "")
    at = text.find(NEEDS_SERVER)
    if at < 0:
        return None
    what = text[at + len(NEEDS_SERVER):].lstrip(" :").split('"')[0].split("\n")[0].strip()
    return f"fetches {what}" if what else "fetches from the WPT server"


def update(folder, results, old, prefixes):
    """Rewrites the expectations of every file that ran, keeping the reasons already written;
    entries for files in scope that no longer run go."""
    by_area = collections.defaultdict(dict)
    ran = {r["file"] + r.get("variant", "") for r in results if "skipped" not in r}
    for area in {area_of(r["file"]) for r in results}:
        path = os.path.join(folder, f"{area}.json")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                by_area[area] = {k: v for k, v in json.load(f).items() if k in ran or not in_scope(k, prefixes)}
    todo = 0
    for r in results:
        if "skipped" in r:
            continue
        key = r["file"] + r.get("variant", "")
        prev = old.get(key, {})
        reasons = by_name(prev.get("fail", {}))
        server_reasons = by_name(prev.get("server", {}))
        entry = {}
        if r["status"] != "OK":
            prev_h = prev.get("harness", {})
            reason = prev_h.get("reason") if prev_h.get("status") == r["status"] else None
            entry["harness"] = {"status": r["status"], "reason": reason or TODO}
            todo += reason is None
        fail = collections.OrderedDict()
        server = collections.OrderedDict()
        for t in r["tests"]:
            if t["status"] == "PASS":
                continue
            need = server_reasons.get(t["name"]) or (None if t["name"] in reasons else server_need(t.get("message")))
            if need:
                group = server.setdefault(need, [])
            else:
                reason = reasons.get(t["name"])
                todo += reason is None
                group = fail.setdefault(reason or TODO, [])
            if t["name"] not in group:
                group.append(t["name"])
        if fail:
            entry["fail"] = fail
        if server:
            entry["server"] = server
        if entry:
            by_area[area_of(key)][key] = entry
        else:
            by_area[area_of(key)].pop(key, None)
    os.makedirs(folder, exist_ok=True)
    for area, entries in by_area.items():
        path = os.path.join(folder, f"{area}.json")
        if not entries:
            if os.path.exists(path):
                os.remove(path)
            continue
        with open(path, "w", encoding="utf-8") as f:
            json.dump(dict(sorted(entries.items())), f, indent=2, ensure_ascii=False)
            f.write("\n")
    return todo


def node_counts(root, results, prefixes):
    """Node 20's pass/total per report row for the same file runs, from baseline-node20.json."""
    path = os.path.join(root, "baseline-node20.json")
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        baseline = {e["file"]: e for e in json.load(f)}
    out = collections.defaultdict(collections.Counter)
    for r in results:
        if "skipped" in r:
            continue
        e = baseline.get(r["file"] + r.get("variant", ""))
        if e and "pass" in e:
            c = out[group_of(r["file"], prefixes)]
            c["passed"] += e["pass"]
            c["total"] += e["pass"] + e["fail"]
            c["errors"] += bool(e.get("harness_error")) or e.get("harness", 0) != 0
    return out


def pct(a, b):
    return f"{100 * a / b:.1f}%" if b else "-"


def table(stats, files_by_group, node):
    lines = ["| Directory | Files | Subtests | Need a WPT server | wisp passed | wisp % "
             "| Fail by design | wisp % of the rest | Node 20 passed / total | Node 20 |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    total = collections.Counter()
    node_total = collections.Counter()
    for d, s in stats.items():
        n = node.get(d, collections.Counter())
        files = files_by_group.get(d, 0)
        total.update({"passed": s["passed"], "total": s["total"], "server": s["server"], "files": files,
                      "by_design": s["by_design"]})
        node_total.update(n)
        err = f" ({n['errors']} file{'s' if n['errors'] > 1 else ''} errored)" if n["errors"] else ""
        lines.append(f"| `{d}` | {files} | {s['total']} | {s['server']} | {s['passed']} "
                     f"| {pct(s['passed'], s['total'] - s['server'])} | {s['by_design']} "
                     f"| {pct(s['passed'], s['total'] - s['server'] - s['by_design'])} "
                     f"| {n['passed']} / {n['total']}{err} | {pct(n['passed'], n['total'])} |")
    lines.append(f"| **all** | {total['files']} | {total['total']} | {total['server']} | {total['passed']} "
                 f"| {pct(total['passed'], total['total'] - total['server'])} | {total['by_design']} "
                 f"| {pct(total['passed'], total['total'] - total['server'] - total['by_design'])} "
                 f"| {node_total['passed']} / {node_total['total']} | {pct(node_total['passed'], node_total['total'])} |")
    return "\n".join(lines), total, node_total


def below_target(stats, target=90.0):
    """Lines saying which directories are below `target` percent and what keeps them there."""
    rows = []
    for d, s in stats.items():
        rest = s["total"] - s["server"]
        if rest and 100 * s["passed"] / rest < target:
            rows.append(f"- `{d}`: {pct(s['passed'], rest)}, with {s['by_design']} of its {rest - s['passed']} "
                        f"failures by design; {pct(s['passed'], rest - s['by_design'])} of the other subtests pass.")
    if not rows:
        return [f"Every directory passes {target:.0f}% or more of the subtests that need no WPT server.", ""]
    return [
        f"Below {target:.0f}% of the subtests that need no WPT server:",
        "",
        *rows,
        "",
        "The by-design failures of the fetch directories are Workers-compatible behaviour, each claim",
        "checked against the real workerd from npm (the same answer from workerd and wisp, and not the one",
        "the subtest wants) by `python3 tests/wpt/check_by_design.py --wisp build/wisp` (also the ctest",
        "`wpt/check-by-design`); tests/wpt/by-design/worker.js holds the checks.",
        "",
    ]


def reasons_by_group(expectations, prefixes):
    """Per report row: (Counter of failure reasons -> subtests, harness reasons count 0; Counter
    of what the subtests that need a server fetch -> subtests)."""
    out = collections.OrderedDict((group_of(p, prefixes), (collections.Counter(), collections.Counter()))
                                  for p in prefixes)
    for key, entry in expectations.items():
        if not in_scope(key, prefixes):
            continue
        fail, server = out[group_of(key.split("?")[0], prefixes)]
        for reason, names in entry.get("fail", {}).items():
            fail[reason] += len(names)
        if "harness" in entry:
            fail[f"whole file {entry['harness']['status']}: {entry['harness']['reason']}"] += 0
        for reason, names in entry.get("server", {}).items():
            server[reason] += len(names)
    return out


def write_report(path, args, prefixes, stats, files_by_group, node, expectations):
    body, total, node_total = table(stats, files_by_group, node)
    scope = " ".join(prefixes) if args.prefixes else ""
    command = f"python3 tests/wpt/run.py --markdown docs/conformance.md {scope}".rstrip()
    out = [
        "# Web Platform Tests conformance",
        "",
        "Generated by one command, from the repository root after building `wisp-wpt`",
        "(`cmake --build build --target wisp-wpt`); do not edit by hand:",
        "",
        "```",
        command,
        "```",
        "",
        "wisp runs the [Web Platform Tests](https://web-platform-tests.org/) `*.any.js` files of the subset in",
        "`shared/wpt/` (beside the repository) with the real `resources/testharness.js`, one fresh Worker per",
        "test file and variant (`wisp-wpt`, built from `tests/wpt/wpt-runner.cc`, driven by `tests/wpt/run.py`;",
        "`ctest -R '^wpt/'` runs the same directories, one test each). Every subtest that does not pass is",
        "listed with its reason in `tests/wpt/expectations/<area>.json`, and the run fails on an unexpected",
        "failure and on an unexpected pass, so those lists can only shrink.",
        "",
        "## Results",
        "",
        "Subtests per directory. *Need a WPT server*: subtests that fetch one of wptserve's Python handlers,",
        "another of its hosts or a file outside the subset, which this harness does not have; they are",
        "listed apart in the expectations and left out of the percentage (*wisp %*, of the other subtests).",
        "*Fail by design*: failures kept on purpose, where wisp does what Cloudflare Workers does rather",
        "than what the test expects (see the reasons below); *wisp % of the rest* is the pass rate of the",
        "subtests that neither need a WPT server nor fail by design. The Node 20 columns count the same files and",
        "variants in `shared/wpt/baseline-node20.json` (Node's own run without a server, for calibration;",
        "its total includes the subtests that need a server, and a file that errored under Node adds none).",
        "",
        body,
        "",
        f"Overall: wisp passes **{total['passed']}** of {total['total']} subtests "
        f"({total['server']} of them need a WPT server: {pct(total['passed'], total['total'] - total['server'])} "
        f"of the other {total['total'] - total['server']}); Node 20 passes **{node_total['passed']}** of "
        f"{node_total['total']} on the same files ({pct(node_total['passed'], node_total['total'])}).",
        "",
        *below_target(stats),
        "## Why subtests fail",
        "",
        "From the expectation files (see them for the exact subtests), with the number of subtests each.",
        "",
    ]
    for group, (fail, server) in reasons_by_group(expectations, prefixes).items():
        if not fail and not server:
            continue
        out.append(f"- `{group}`")
        for reason, count in sorted(fail.items(), key=lambda kv: (-kv[1], kv[0])):
            out.append(f"  - {reason}" + (f" ({count})" if count else ""))
        if server:
            needs = "; ".join(f"{reason.removeprefix('fetches ')} ({count})"
                              for reason, count in sorted(server.items(), key=lambda kv: (-kv[1], kv[0])))
            out.append(f"  - *needs a WPT server* ({sum(server.values())}), fetching: {needs}")
    out += [
        "",
        "## How the harness runs a test",
        "",
        "Per file and `// META: variant=`, a Worker runs these classic scripts in order: a config object",
        "(test URL, `META: title=`, the files the test may fetch), `tests/wpt/prelude.js` (`GLOBAL`,",
        "`location`, the page's base URL for relative URLs, result reporting), `testharness.js`, the",
        "`// META: script=` files, the test, then `done()`. Files named `*.sub.*` get wptserve's",
        "substitutions (`{{host}}`, `{{ports[http][0]}}`, ...). `fetch()` is wisp's own: its requests go",
        "to a second Worker, `tests/wpt/server.js`, standing in for wptserve, which serves the test's",
        "resource files and the few handlers it emulates (`echo-content.py`, ...); a request for",
        "anything else rejects with an error that names what it needed (the *Need a WPT server* count).",
        "Files whose `// META: global=` names no worker, shadow realm or shell are skipped. A file that",
        "never finishes reports harness status TIMEOUT; one that throws at top level or runs out of",
        "memory reports ERROR; the run goes on.",
        "",
    ]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out))


def main():
    args = parse_args()
    prefixes = args.prefixes or DEFAULT_SCOPE
    if not os.access(args.wisp_wpt, os.X_OK):
        sys.exit(f"run.py: {args.wisp_wpt} is not built (cmake --build build --target wisp-wpt)")
    files = discover(args.root, prefixes)
    if not files:
        sys.exit(f"run.py: no *.any.js below {', '.join(prefixes)} in {args.root}")
    results = run_all(args, files)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1, ensure_ascii=False)

    expectations = load_expectations(args.expectations, {area_of(f) for f in files})
    if args.update:
        todo = update(args.expectations, results, expectations, prefixes)
        print(f"updated {args.expectations}" + (f": {todo} failures need a reason (search for '{TODO}')" if todo else ""))
        expectations = load_expectations(args.expectations, {area_of(f) for f in files})

    stats, unexpected = compare(results, expectations, prefixes)
    ran = {r["file"] for r in results if "skipped" not in r}
    files_by_group = collections.Counter(group_of(f, prefixes) for f in files if f in ran)
    for line in unexpected:
        print(line)
    todo = sum(TODO in json.dumps(e) for k, e in expectations.items() if in_scope(k, prefixes))
    if todo:
        print(f"warning: {todo} files in expectations/ have failures without a reason ('{TODO}')")
    if args.verbose:
        for r in results:
            for message in r.get("uncaught", []):
                print(f"  uncaught in {r['file']}{r.get('variant', '')}: {message[:200]}")
            for t in r.get("tests", []):
                if t["status"] != "PASS":
                    print(f"  {t['status']} {r['file']}{r.get('variant', '')}: {t['name']}: {str(t.get('message'))[:200]}")
    if args.markdown:
        write_report(args.markdown, args, prefixes, stats, files_by_group, node_counts(args.root, results, prefixes),
                     expectations)
        print(f"wrote {args.markdown}")
    passed = expected = failed = skipped = server = 0
    for d, s in stats.items():
        skip = f", {s['skipped']} skipped" if s["skipped"] else ""
        need = f", {s['server']} need a WPT server" if s["server"] else ""
        print(f"{d}: {s['passed']}/{s['total'] - s['server']} subtests passed in {files_by_group.get(d, 0)} files"
              f" ({s['expected']} expected failures{need}{skip})" + (f", {s['unexpected']} UNEXPECTED" if s["unexpected"] else ""))
        passed += s["passed"]
        expected += s["expected"]
        failed += s["unexpected"]
        skipped += s["skipped"]
        server += s["server"]
    print(f"{expected} expected failures ({server} need a WPT server), {skipped} files skipped (window-only)")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
