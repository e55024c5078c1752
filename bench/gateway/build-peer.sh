#!/usr/bin/env bash
# Builds grpc-gateway-peer (bench/gateway/peer): grpc-gateway v2 in front of
# osh.registry.v1.RegistryService, for bench/gateway/gateway_bench.sh.
# Everything it writes goes to $OSH_CACHE_DIR/grpc-gateway-peer (outside the
# checkout): the protoc plugins (pinned, `go install` from the Go module proxy),
# the generated Go code, the module's build copy and the binary.
# Idempotent: a second run regenerates nothing unless the protos, the peer's
# sources or the pins changed, and `go build` is then cached.
#
#   bench/gateway/build-peer.sh          prints the binary's path on stdout
#   bench/gateway/build-peer.sh --tidy   also `go mod tidy`, and copies go.mod/go.sum back
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/../../deploy/common.sh"

# Pins. grpc-gateway v2.33.0 needs Go >= 1.26.0; the code these plugins write
# needs only proto3 from protoc (Debian 12's is 3.21).
PROTOC_GEN_GO=google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
PROTOC_GEN_GO_GRPC=google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2
PROTOC_GEN_GRPC_GATEWAY=github.com/grpc-ecosystem/grpc-gateway/v2/protoc-gen-grpc-gateway@v2.33.0

TIDY=0
[[ "${1:-}" == "--tidy" ]] && TIDY=1
PEER_SRC="$HERE/peer"
OUT="$OSH_CACHE_DIR/grpc-gateway-peer"
GOBIN_DIR="$OUT/bin"
SRC="$OUT/src"
BINARY="$OUT/grpc-gateway-peer"
MODULE="$(sed -n 's/^module //p' "$PEER_SRC/go.mod")"
GOOGLEAPIS=/usr/share/gocode/src/github.com/gogo/googleapis
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false

command -v go >/dev/null || osh_die "Go is not installed (deploy/install-deps.sh)"
command -v protoc >/dev/null || osh_die "protoc is not installed (deploy/install-deps.sh)"
[[ -f "$GOOGLEAPIS/google/api/annotations.proto" ]] ||
  osh_die "google/api protos missing: apt-get install golang-github-gogo-googleapis-dev (deploy/install-deps.sh)"
mkdir -p "$GOBIN_DIR" "$SRC"

# Plugins: reinstalled only when a pin changes (the pin is kept beside each binary).
for pin in "$PROTOC_GEN_GO" "$PROTOC_GEN_GO_GRPC" "$PROTOC_GEN_GRPC_GATEWAY"; do
  name="$(basename "${pin%@*}")"
  if [[ ! -x "$GOBIN_DIR/$name" || "$(cat "$GOBIN_DIR/$name.pin" 2>/dev/null)" != "$pin" ]]; then
    osh_log "installing $pin"
    GOBIN="$GOBIN_DIR" go install "$pin"
    echo "$pin" > "$GOBIN_DIR/$name.pin"
  fi
done

# The peer's own files into the build copy of the module.
for f in main.go go.mod go.sum; do
  [[ -f "$PEER_SRC/$f" ]] || { [[ "$f" == go.sum && $TIDY == 1 ]] && continue; osh_die "missing $PEER_SRC/$f"; }
  cmp -s "$PEER_SRC/$f" "$SRC/$f" 2>/dev/null || cp "$PEER_SRC/$f" "$SRC/$f"
done

# Generated code for the registry's proto and every osh/ proto it imports,
# transitively (google/ ones come from Go modules); redone when any of them,
# protoc or the pins change. Each osh file is mapped to a package of this module.
PROTOS=() todo=(osh/registry/v1/registry.proto)
while (( ${#todo[@]} > 0 )); do
  f="${todo[0]}"; todo=("${todo[@]:1}")
  [[ " ${PROTOS[*]} " == *" $f "* ]] && continue
  [[ -f "$OSH_ROOT/proto/$f" ]] || osh_die "missing proto/$f"
  PROTOS+=("$f")
  while read -r dep; do todo+=("$dep"); done < <(
    sed -n 's/^[[:space:]]*import[[:space:]]\+\(public[[:space:]]\+\)\?"\(osh\/[^"]*\)";.*/\2/p' "$OSH_ROOT/proto/$f")
done
stamp="$( { protoc --version; echo "$PROTOC_GEN_GO $PROTOC_GEN_GO_GRPC $PROTOC_GEN_GRPC_GATEWAY $MODULE";
  cd "$OSH_ROOT/proto" && sha256sum "${PROTOS[@]}"; } | sha256sum | cut -d' ' -f1)"
if [[ "$(cat "$SRC/gen.stamp" 2>/dev/null)" != "$stamp" ]]; then
  osh_log "generating Go code for ${PROTOS[*]}"
  rm -rf "$SRC/gen" "$SRC/gen.stamp"
  maps="module=$MODULE"
  for f in "${PROTOS[@]}"; do
    # Package name: after the ';' of go_package, else the directory's last two parts (registryv1).
    name="$(sed -n 's/^option go_package = "[^";]*;\([A-Za-z0-9_]*\)";/\1/p' "$OSH_ROOT/proto/$f")"
    d="$(dirname "$f")"
    [[ -n "$name" ]] || name="$(basename "$(dirname "$d")")$(basename "$d")"
    maps+=",M$f=$MODULE/gen/$d;$name"
  done
  maps+=",Mgoogle/api/annotations.proto=google.golang.org/genproto/googleapis/api/annotations"
  maps+=",Mgoogle/api/http.proto=google.golang.org/genproto/googleapis/api/annotations"
  protoc -I"$OSH_ROOT/proto" -I"$GOOGLEAPIS" -I/usr/include \
    --plugin=protoc-gen-go="$GOBIN_DIR/protoc-gen-go" \
    --plugin=protoc-gen-go-grpc="$GOBIN_DIR/protoc-gen-go-grpc" \
    --plugin=protoc-gen-grpc-gateway="$GOBIN_DIR/protoc-gen-grpc-gateway" \
    --go_out="$SRC" --go_opt="$maps" \
    --go-grpc_out="$SRC" --go-grpc_opt="$maps" \
    --grpc-gateway_out="$SRC" --grpc-gateway_opt="$maps" \
    "${PROTOS[@]}"
  echo "$stamp" > "$SRC/gen.stamp"
fi

if (( TIDY )); then
  (cd "$SRC" && go mod tidy)
  cp "$SRC/go.mod" "$SRC/go.sum" "$PEER_SRC/"
  osh_log "updated $PEER_SRC/go.mod and go.sum"
fi
(cd "$SRC" && go build -mod=readonly -trimpath -o "$BINARY" .) ||
  osh_die "go build failed (after changing go.mod: bench/gateway/build-peer.sh --tidy)"
echo "$BINARY"
