# Sourced by end-to-end tests that call the gateway over HTTP: a check
# counter and a curl wrapper. Needs: WORK (a temp dir), GATEWAY (host:port)
# by the time http is called.

passed=0 failed=0
check() {  # check <description> <command...>
  local what="$1"; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $what"
  else failed=$((failed + 1)); echo "FAIL $what"; fi
}
contains() { grep -q -- "$2" <<<"$1"; }
# The document comes on stdin: one argument may not exceed 128 KiB (MAX_ARG_STRLEN),
# which /openapi.json does.
json_get() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval("d"+sys.argv[1]))' "$2" <<<"$1" 2>/dev/null; }

# http <method> <path> [token] [body] [extra curl args...] → sets STATUS, BODY, HEADERS
http() {
  local method="$1" path="$2" tok="${3:-}" body="${4:-}"; shift 4 2>/dev/null || shift $#
  local args=(-s -X "$method" -D "$WORK/headers" -o "$WORK/body" -w '%{http_code}' "$@")
  [[ -n "$tok" ]] && args+=(-H "authorization: Bearer $tok")
  [[ -n "$body" ]] && args+=(-H 'content-type: application/json' --data-binary "$body")
  STATUS="$(curl "${args[@]}" "http://$GATEWAY$path")"
  BODY="$(cat "$WORK/body")"
  HEADERS="$(tr -d '\r' <"$WORK/headers")"
}
header() { sed -n "s/^$1: //Ip" <<<"$HEADERS" | head -1; }
