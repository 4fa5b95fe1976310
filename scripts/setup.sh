#!/usr/bin/env bash
# Installs everything wisp needs to build and test, idempotently.
#  - Debian packages through apt (skipped when all are present already);
#  - V8: the system's libnode-dev when installed, else libnode108 + libnode-dev fetched
#    with `apt-get download` and unpacked with `dpkg -x` into third_party/libnode (git-ignored),
#    because the Node.js package preinstalled on some images conflicts with installing them;
#  - npm packages used at build time (bundled into the binary), and workerd, the reference runtime
#    that tests/e2e/differential_test.py runs beside wisp (its Linux binary is about 155 MB), with
#    `npm ci`: tests then need no network.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libcurl4-openssl-dev libssl-dev nlohmann-json3-dev libtomlplusplus-dev libcli11-dev
  libfmt-dev libspdlog-dev libseccomp-dev libsqlite3-dev zlib1g-dev libicu-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  libuv1 libc-ares2 libnghttp2-14 libbrotli1
  python3 curl
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then missing+=(nodejs npm); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# V8 from libnode: prefer a system-wide libnode-dev.
if [ -f /usr/include/node/v8.h ] && ls /usr/lib/*/libnode.so >/dev/null 2>&1; then
  echo "setup: using system libnode-dev"
elif [ ! -f third_party/libnode/usr/include/node/v8.h ]; then
  echo "setup: fetching libnode108 and libnode-dev into third_party/libnode"
  tmp="$(mktemp -d)"
  ( cd "$tmp" && apt-get download libnode108 libnode-dev >/dev/null 2>&1 ) || {
    $SUDO apt-get update -qq
    ( cd "$tmp" && chmod 777 "$tmp" && apt-get download libnode108 libnode-dev >/dev/null )
  }
  mkdir -p third_party/libnode
  for deb in "$tmp"/*.deb; do dpkg -x "$deb" third_party/libnode; done
  rm -rf "$tmp"
fi

# Build-time JavaScript and workerd: only reinstall when the lock file changed (under a lock,
# since several checkouts on one machine may run this at once).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] ||
   [ ! -x node_modules/.bin/workerd ]; then
  echo "setup: npm install"
  # Not `npm ci`: the lock holds workerd's binary package for this platform only, which npm ci
  # refuses; `npm install --no-save` installs exactly the locked versions and writes nothing.
  flock /tmp/npm.lock npm install --no-save --no-audit --no-fund --loglevel=error
fi
