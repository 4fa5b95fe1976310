#!/usr/bin/env bash
# Configures (once) and builds wisp. BUILD_TYPE=Debug gives the sanitizer build in build-debug/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
type="${BUILD_TYPE:-RelWithDebInfo}"
dir="build"
[ "$type" = "Debug" ] && dir="build-debug"
if [ ! -f "$dir/build.ninja" ]; then
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type"
fi
cmake --build "$dir" -j"$(nproc)"
