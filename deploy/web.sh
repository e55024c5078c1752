#!/usr/bin/env bash
# Builds the web console (web/ → web/dist) from its lock file: `npm ci` when
# the lock file changed since the last install, `npm run build` when any
# source changed since the last build; a no-op otherwise. deploy/build.sh runs it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
WEB="$OSH_ROOT/web"
command -v npm >/dev/null || osh_die "npm is missing (deploy/install-deps.sh installs it)"

lock_hash="$(sha256sum "$WEB/package-lock.json" | cut -d' ' -f1)"
if [[ "$(cat "$WEB/node_modules/.osh-lock-hash" 2>/dev/null)" != "$lock_hash" ]]; then
  osh_log "installing the web console's packages (npm ci)"
  (cd "$WEB" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_hash" >"$WEB/node_modules/.osh-lock-hash"
fi

source_hash="$(cd "$WEB" && find src public index.html package-lock.json tsconfig.json vite.config.ts -type f -print0 |
  sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)"
if [[ "$(cat "$WEB/node_modules/.osh-dist-hash" 2>/dev/null)" != "$source_hash" ]]; then
  osh_log "building the web console (vite)"
  (cd "$WEB" && npm run --silent build) >"$WEB/node_modules/.osh-build.log" 2>&1 || {
    cat "$WEB/node_modules/.osh-build.log" >&2; osh_die "the web console did not build"; }
  echo "$source_hash" >"$WEB/node_modules/.osh-dist-hash"
fi
