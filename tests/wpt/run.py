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

--update rewrites the expectations of the files that ran from their results, keeping the
existing reasons; a failure seen for the first time gets the reason TODO, to be filled in by
hand. --markdown prints the per-directory table of docs/conformance.md, next to Node 20's counts.
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
DEFAULT_SCOPE = ["url", "encoding", "fetch/api/headers", "dom/abort", "dom/events"]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("prefixes", nargs="*", help=f"directories or files below the root (default: {' '.join(DEFAULT_SCOPE)})")
    p.add_argument("--wisp-wpt", default=os.path.join(REPO, "build", "tests", "wpt", "wisp-wpt"))
    p.add_argument("--root", default=os.path.join(os.path.dirname(REPO), "shared", "wpt"), help="the WPT folder")
    p.add_argument("--expectations", default=os.path.join(HERE, "expectations"))
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    p.add_argument("--timeout-ms", type=int, default=30000, help="wall-time budget per file and variant")
    p.add_argument("--update", action="store_true", help="rewrite the expectations from this run")
    p.add_argument("--markdown", action="store_true", help="print the conformance table (docs/conformance.md)")
    p.add_argument("--json", metavar="FILE", help="also write the raw results here")
    p.add_argument("-v", "--verbose", action="store_true", help="also list every failing subtest and uncaught error")
    return p.parse_args()


def discover(root, prefixes):
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith(".any.js"):
                rel = os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/")
                if any(rel == p or rel.startswith(p.rstrip("/") + "/") for p in prefixes):
                    files.append(rel)
    return files


def run_batch(args, batch):
    """Runs wisp-wpt on `batch`; returns its result lines (a crash loses the rest of the batch)."""
    cmd = [args.wisp_wpt, "--root", args.root, "--timeout-ms", str(args.timeout_ms), *batch]
    budget = (args.timeout_ms / 1000 + 10) * len(batch) * 4  # variants run one after another
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
    batches = [files[i:i + 3] for i in range(0, len(files), 3)]
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


def area_of(key):
    return key.split("/", 1)[0]


def load_expectations(folder, areas):
    out = {}
    for area in areas:
        path = os.path.join(folder, f"{area}.json")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                out.update(json.load(f))
    return out


def in_scope(key, prefixes):
    file = key.split("?", 1)[0]
    return any(file == p or file.startswith(p.rstrip("/") + "/") for p in prefixes)


def compare(results, expectations, prefixes):
    """Returns (per-directory stats, list of unexpected results)."""
    stats = collections.OrderedDict()
    unexpected = []
    seen = set()
    for r in results:
        directory = os.path.dirname(r["file"])
        s = stats.setdefault(directory, collections.Counter())
        if "skipped" in r:
            s["skipped"] += 1
            continue
        key = r["file"] + r.get("variant", "")
        seen.add(key)
        s["runs"] += 1
        exp = expectations.get(key, {})
        reasons = {name: reason for reason, names in exp.get("fail", {}).items() for name in names}
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
            if passed and t["name"] in reasons:
                unexpected.append(f"UNEXPECTED PASS {key}: {t['name']}")
                s["unexpected"] += 1
            elif not passed and t["name"] not in reasons:
                unexpected.append(f"UNEXPECTED {t['status']} {key}: {t['name']}: {str(t.get('message'))[:300]}")
                s["unexpected"] += 1
            elif not passed:
                s["expected"] += 1
        for name in reasons.keys() - names:
            unexpected.append(f"MISSING {key}: expected to fail but did not run: {name}")
            s["unexpected"] += 1
    for key in expectations:
        if in_scope(key, prefixes) and key not in seen:
            unexpected.append(f"STALE {key}: in the expectations but did not run")
            stats.setdefault(os.path.dirname(key.split("?")[0]), collections.Counter())["unexpected"] += 1
    return stats, unexpected


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
        reasons = {name: reason for reason, names in prev.get("fail", {}).items() for name in names}
        entry = {}
        if r["status"] != "OK":
            prev_h = prev.get("harness", {})
            reason = prev_h.get("reason") if prev_h.get("status") == r["status"] else None
            entry["harness"] = {"status": r["status"], "reason": reason or TODO}
            todo += reason is None
        fail = collections.OrderedDict()
        for t in r["tests"]:
            if t["status"] != "PASS":
                reason = reasons.get(t["name"])
                todo += reason is None
                group = fail.setdefault(reason or TODO, [])
                if t["name"] not in group:
                    group.append(t["name"])
        if fail:
            entry["fail"] = fail
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


def node_counts(root, results):
    """Node 20's pass/total for the same file runs, from baseline-node20.json."""
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
            c = out[os.path.dirname(r["file"])]
            c["passed"] += e["pass"]
            c["total"] += e["pass"] + e["fail"]
            c["errors"] += bool(e.get("harness_error")) or e.get("harness", 0) != 0
    return out


def markdown(stats, files_by_dir, node):
    pct = lambda a, b: f"{100 * a / b:.1f}%" if b else "-"
    lines = ["| Directory | Files | wisp passed / total | wisp | Node 20 passed / total | Node 20 |",
             "|---|---:|---:|---:|---:|---:|"]
    total = collections.Counter()
    node_total = collections.Counter()
    for d, s in stats.items():
        n = node.get(d, collections.Counter())
        files = files_by_dir.get(d, 0)
        total.update({"passed": s["passed"], "total": s["total"], "files": files})
        node_total.update(n)
        err = f" ({n['errors']} file{'s' if n['errors'] > 1 else ''} errored)" if n["errors"] else ""
        lines.append(f"| `{d}` | {files} | {s['passed']} / {s['total']} | {pct(s['passed'], s['total'])} "
                     f"| {n['passed']} / {n['total']}{err} | {pct(n['passed'], n['total'])} |")
    lines.append(f"| **all** | {total['files']} | {total['passed']} / {total['total']} | "
                 f"{pct(total['passed'], total['total'])} | {node_total['passed']} / {node_total['total']} | "
                 f"{pct(node_total['passed'], node_total['total'])} |")
    return "\n".join(lines)


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
    files_by_dir = collections.Counter(os.path.dirname(f) for f in files if f in ran)
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
        print(markdown(stats, files_by_dir, node_counts(args.root, results)))
    passed = expected = failed = skipped = 0
    for d, s in stats.items():
        skip = f", {s['skipped']} skipped" if s["skipped"] else ""
        print(f"{d}: {s['passed']}/{s['total']} subtests passed in {files_by_dir.get(d, 0)} files"
              f" ({s['expected']} expected failures{skip})" + (f", {s['unexpected']} UNEXPECTED" if s["unexpected"] else ""))
        passed += s["passed"]
        expected += s["expected"]
        failed += s["unexpected"]
        skipped += s["skipped"]
    print(f"{expected} expected failures, {skipped} files skipped (window-only)")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
