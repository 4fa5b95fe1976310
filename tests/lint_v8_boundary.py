#!/usr/bin/env python3
"""Fails if code outside src/js (and its tests) includes V8 headers or calls ToLocalChecked.

Keeping V8 behind src/js/ is what lets a newer engine be swapped in, and ToLocalChecked()
aborts the whole process when a call fails (for example after TerminateExecution)."""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
bad = []
for path in list(root.glob("src/**/*.h")) + list(root.glob("src/**/*.cc")) + list(root.glob("bench/**/*.cc")):
    rel = path.relative_to(root).as_posix()
    if rel.startswith("src/js/"):
        continue
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if re.search(r'#\s*include\s*[<"](v8[-.]|libplatform)', line) or "ToLocalChecked" in line:
            bad.append(f"{rel}:{n}: {line.strip()}")
for b in bad:
    print(b)
print(f"{0 if bad else 1} passed, {1 if bad else 0} failed")
sys.exit(1 if bad else 0)
