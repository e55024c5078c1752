#!/usr/bin/env bash
# Installs everything the platform needs to build, run and test on Debian 12, as
# root, idempotently: Debian packages for the C++ build and the local servers, a
# JDK and Maven for the Kafka broker, and Go tools (grpcurl) from the Go module
# proxy into the cache directory.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

APT_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git curl ca-certificates
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  golang-github-gogo-googleapis-dev
  libspdlog-dev libfmt-dev nlohmann-json3-dev libboost-dev libssl-dev
  libsqlite3-dev sqlite3 librdkafka-dev libhiredis-dev kcat libcurl4-openssl-dev
  libgtest-dev libgmock-dev
  clang libclang-rt-14-dev  # the libFuzzer targets (tests/fuzz/run.sh): clang 14 with its runtimes
  redis-server python3-venv wrk
  nghttp2-client  # h2load and nghttp: gRPC load of bench/registry_floor_bench.sh
  postgresql-15 libpq-dev  # the PostgreSQL backend of libs/store and its test server (deploy/postgres.sh)
  openjdk-17-jre-headless maven
  golang-go
  nodejs npm  # the web console's build (web/, Vite from its lock file)
  chromium fonts-noto-cjk  # the console's browser test (tests/web), driven by playwright-core; Chinese glyphs
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# golang-go is only a fallback when no Go toolchain is on the machine.
if command -v go >/dev/null 2>&1; then
  missing=("${missing[@]/golang-go}")
fi
if command -v java >/dev/null 2>&1; then
  missing=("${missing[@]/openjdk-17-jre-headless}")
fi
# A Node.js that brings its own npm (such as NodeSource's) is kept: Debian's npm would conflict with it.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/nodejs}")
  missing=("${missing[@]/npm}")
fi
if command -v mvn >/dev/null 2>&1; then
  missing=("${missing[@]/maven}")
fi
read -r -a missing <<< "${missing[*]:-}"
if (( ${#missing[@]} > 0 )); then
  osh_log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # deploy/postgres.sh runs its own servers from Debian's binaries: no "main"
  # cluster and system service for the package to create.
  if [[ " ${missing[*]} " == *" postgresql-15 "* && ! -e /etc/postgresql-common/createcluster.conf ]]; then
    mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Go tools, pinned, built from the Go module proxy into the cache.
mkdir -p "$OSH_TOOLS_BIN"
install_go_tool() {
  local name="$1" module="$2"
  if [[ ! -x "$OSH_TOOLS_BIN/$name" ]]; then
    osh_log "installing $name ($module)"
    GOBIN="$OSH_TOOLS_BIN" GOFLAGS=-mod=mod go install "$module"
  fi
}
install_go_tool grpcurl github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.1
