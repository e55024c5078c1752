#!/usr/bin/env bash
# Configures and builds everything with Ninja and ccache.
# OSH_WERROR=ON turns warnings into errors (CI sets it); OSH_BUILD_TYPE picks the
# CMake build type; OSH_CMAKE_ARGS adds cache entries (e.g. -DOSH_TEST_KAFKA_PORT=29092).
# A build directory configured with other values is configured again, so a reused
# directory never keeps warnings as warnings when CI asks for errors.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

export CCACHE_DIR="${CCACHE_DIR:-$OSH_CACHE_DIR/ccache}"
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-2G}"
# Paths relative to the checkout, so a fresh clone elsewhere (CI) still hits the cache.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$OSH_ROOT}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
jobs="${OSH_BUILD_JOBS:-$(nproc)}"

read -r -a extra_args <<< "${OSH_CMAKE_ARGS:-}"
settings="werror=${OSH_WERROR:-OFF} type=${OSH_BUILD_TYPE:-RelWithDebInfo} args=${OSH_CMAKE_ARGS:-}"
stamp="$OSH_BUILD_DIR/.osh-configured-with"
if [[ ! -f "$OSH_BUILD_DIR/build.ninja" || ! -f "$stamp" || "$(cat "$stamp")" != "$settings" ]]; then
  cmake -S "$OSH_ROOT" -B "$OSH_BUILD_DIR" -G Ninja \
    -DCMAKE_BUILD_TYPE="${OSH_BUILD_TYPE:-RelWithDebInfo}" \
    -DOSH_WERROR="${OSH_WERROR:-OFF}" "${extra_args[@]}" >/dev/null
  echo "$settings" >"$stamp"
fi
ninja -C "$OSH_BUILD_DIR" -j "$jobs" "$@"
# The web console osh-gateway serves (web/dist), unless only some targets were asked for.
(( $# > 0 )) || "$OSH_ROOT/deploy/web.sh"
