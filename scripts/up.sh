#!/usr/bin/env bash
# Installs what is missing, builds wisp, and starts the main job: `wisp serve`, with the
# built-in execute API on 127.0.0.1:8787 (or the host Worker of a wrangler config passed as
# the first argument). Extra arguments go to `wisp serve`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scripts/setup.sh
scripts/build.sh
exec build/wisp serve "$@"
