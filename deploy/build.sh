#!/usr/bin/env bash
# Configures (once) and builds everything with Ninja and ccache.
# OSH_WERROR=ON turns warnings into errors (CI sets it).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

export CCACHE_DIR="${CCACHE_DIR:-$OSH_CACHE_DIR/ccache}"
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-2G}"
# Paths relative to the checkout, so a fresh clone elsewhere (CI) still hits the cache.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$OSH_ROOT}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
jobs="${OSH_BUILD_JOBS:-$(nproc)}"
if [[ ! -f "$OSH_BUILD_DIR/build.ninja" ]]; then
  cmake -S "$OSH_ROOT" -B "$OSH_BUILD_DIR" -G Ninja \
    -DCMAKE_BUILD_TYPE="${OSH_BUILD_TYPE:-RelWithDebInfo}" \
    -DOSH_WERROR="${OSH_WERROR:-OFF}" >/dev/null
fi
ninja -C "$OSH_BUILD_DIR" -j "$jobs" "$@"
