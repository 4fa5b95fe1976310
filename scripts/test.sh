#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, and runs every test with ctest —
# first the optimised build (everything: binding layer, runtime units, JS tests run by wisp,
# CLI end to end, WPT with expectations), then the AddressSanitizer + UBSan build (the C++
# unit tests and the JS tests). Idempotent; a second run only rebuilds what changed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scripts/setup.sh
jobs="$(nproc)"

scripts/build.sh
echo "== tests (RelWithDebInfo)"
status=0
(cd build && ctest --output-on-failure -j"$jobs") || status=1

BUILD_TYPE=Debug scripts/build.sh
echo "== tests (Debug, AddressSanitizer + UBSan)"
# V8 is not built with ASan; leak checking would report V8's own process-lifetime allocations.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
(cd build-debug && ctest --output-on-failure -j"$jobs" -R '^(binding|unit|js)/') || status=1

exit $status
