#!/usr/bin/env bash
# Installs what is missing, builds wisp, and starts the main job.
# (`wisp serve`, the HTTP server with the built-in execute API, arrives with issue 3; until
# then the main job runs the example Worker once and prints its response.)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scripts/setup.sh
scripts/build.sh
if build/wisp --help 2>/dev/null | grep -q '^  serve'; then
  exec build/wisp serve "$@"
fi
exec build/wisp run examples/hello.ts --url "https://example.com/greet?name=wisp" "$@"
