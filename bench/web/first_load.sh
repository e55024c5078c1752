#!/usr/bin/env bash
# First load of the web console's national dashboard in Debian's Chromium:
# starts a platform of its own on free ports (tests/gateway/stack.sh: Redis,
# the services, osh-gateway serving web/dist, 300 seeded employers), then
# first_load.mjs loads /national signed in as national_admin with an empty
# cache, RUNS times, and prints the figures. Numbers only, nothing asserted.
# Usage: bench/web/first_load.sh [runs=5]   (after deploy/build.sh)
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN_DIR="${OSH_BUILD_DIR:-$ROOT/build}"
export RUNS="${1:-5}" CHROMIUM="${OSH_CHROMIUM:-/usr/bin/chromium}" WEB="$ROOT/web"
[[ -f "$WEB/dist/index.html" ]] || { echo "build the console first: deploy/build.sh" >&2; exit 1; }
WORK="$(mktemp -d)"
source "$ROOT/tests/gateway/stack.sh"
start_redis
start_backends
start_gateway --web-root "$WEB/dist" --access-log false
token bench-admin province_admin >"$WORK/admin-token"
"$BIN_DIR/bench/osh-loadgen" seed --target "$REGISTRY_GRPC" --token-file "$WORK/admin-token" --province 44 \
  --employers 300 --declare-every 2 >/dev/null 2>&1 || { echo "seeding failed" >&2; exit 1; }
export BASE="http://$GATEWAY"
export NATIONAL="$("$BIN_DIR/libs/auth/osh-devtoken" --secret-file "$SECRET_FILE" --sub bench-national --role national_admin)"
node "$ROOT/bench/web/first_load.mjs"
