#!/usr/bin/env bash
# Runs the ADL LRS conformance test suite (xAPI 1.0.3) against the LRS of a
# real osh-training process and prints one JSON line of pass/fail counts per
# resource (the Statement resource first). A measurement, not a ctest entry.
#
#   tests/xapi/conformance.sh <path to osh-training> [extra console_runner flags, e.g. -g "Data 2.4.1"]
#
# The suite is never copied into the repository: it is taken from a local git
# mirror (OSH_LRS_SUITE_GIT, default the /work/.mirror fetch) at a pinned commit
# into $XDG_CACHE_HOME/osh-platform/lrs-conformance/<commit>, and its npm
# dependencies are installed there with npm.
#
# Exit codes: 0 measured (whatever the counts), 2 usage, 3 the suite's mirror
# is unavailable, 4 node/npm missing or npm install failed, 5 the LRS did not start.
set -euo pipefail

readonly SUITE_COMMIT=2ec25f2eb8ccfcb7cb63ec2679dbd965f9f6ffdc
readonly SUITE_GIT="${OSH_LRS_SUITE_GIT:-/work/.mirror/adlnet+lrs-conformance-test-suite/repo}"
readonly CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/osh-platform/lrs-conformance"
readonly SUITE_DIR="$CACHE_ROOT/$SUITE_COMMIT"

if [[ $# -lt 1 || ! -x "$1" ]]; then
  echo "usage: $0 <path to osh-training> [console_runner flags]" >&2
  exit 2
fi
lrs_binary="$(realpath "$1")"
shift

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "conformance: node and npm are needed to run the ADL suite" >&2
  exit 4
fi

if [[ ! -f "$SUITE_DIR/.complete" ]]; then
  if ! git --git-dir="$SUITE_GIT" cat-file -e "$SUITE_COMMIT^{commit}" 2>/dev/null; then
    echo "conformance: the ADL suite mirror is not available at $SUITE_GIT (commit $SUITE_COMMIT);" \
      "fetch github:adlnet/lrs-conformance-test-suite there or set OSH_LRS_SUITE_GIT" >&2
    exit 3
  fi
  rm -rf "$SUITE_DIR"
  mkdir -p "$SUITE_DIR"
  git --git-dir="$SUITE_GIT" archive "$SUITE_COMMIT" | tar -x -C "$SUITE_DIR"
  if ! (cd "$SUITE_DIR" && npm install --no-audit --no-fund >"$SUITE_DIR/npm-install.log" 2>&1); then
    echo "conformance: npm install failed, see $SUITE_DIR/npm-install.log" >&2
    exit 4
  fi
  touch "$SUITE_DIR/.complete"
fi

work="$(mktemp -d)"
lrs_pid=""
cleanup() {
  if [[ -n "$lrs_pid" ]]; then kill "$lrs_pid" 2>/dev/null || true; wait "$lrs_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

key="conformance"
secret="$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
echo "$key $(printf '%s' "$secret" | sha256sum | cut -d' ' -f1) 44" >"$work/credentials"
head -c 48 /dev/urandom | base64 | tr -d '\n' >"$work/jwt-secret"
head -c 48 /dev/urandom | base64 | tr -d '\n' >"$work/certificate-key"
echo "conformance $(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')" >"$work/field-keys"
"$lrs_binary" --province 44 --grpc-address 127.0.0.1:0 --admin-address 127.0.0.1:0 --xapi-address 127.0.0.1:0 \
  --data-dir "$work/data" --kafka-brokers "" --ready-file "$work/ready" --access-log false \
  --jwt-hs256-secret-file "$work/jwt-secret" --certificate-key-file "$work/certificate-key" \
  --field-key-file "$work/field-keys" --xapi-credentials-file "$work/credentials" \
  >"$work/lrs.out" 2>"$work/lrs.err" &
lrs_pid=$!
port=""
for _ in $(seq 1 100); do
  [[ -s "$work/ready" ]] && port="$(sed -n 's/.*"xapi_port": *\([0-9]*\).*/\1/p' "$work/ready")"
  [[ -n "$port" ]] && break
  kill -0 "$lrs_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ -z "$port" ]]; then
  echo "conformance: osh-training did not start:" >&2
  cat "$work/lrs.err" "$work/lrs.out" >&2
  exit 5
fi

runner_log="$work/runner.out"
(cd "$SUITE_DIR" && node bin/console_runner.js -x 1.0.3 -e "http://127.0.0.1:$port/xapi" -a -u "$key" \
  -p "$secret" "$@" >"$runner_log" 2>&1) || true
run_log="$(sed -n 's/^Full run log written to //p' "$runner_log" | tail -1)"
if [[ -z "$run_log" || ! -f "$run_log" ]]; then
  echo "conformance: the suite wrote no run log; its output:" >&2
  tail -40 "$runner_log" >&2
  exit 1
fi
cp "$run_log" "$CACHE_ROOT/last-run.log"

# Leaf tests grouped by the resource their top-level suite covers: the
# Statement resource (with the data model and the cross-cutting
# requirements), the document resources (State, Activity Profile, Agent
# Profile, the shared Document requirements and their ETag concurrency),
# Activities, Agents and About.
node - "$run_log" "$SUITE_COMMIT" <<'JS'
const fs = require('fs');
const log = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const suiteGroups = [['documents', /\((Communication 2\.[2367]|Communication 3\.1)\)/],
                     ['agents', /\(Communication 2\.4\)/], ['activities', /\(Communication 2\.5\)/],
                     ['about', /\(Communication 2\.8\)/]];
// Tests inside the statement-related suites that request another resource.
const leafGroups = [['documents', /HEAD (activities (state|profile)|agents profile)/],
                    ['activities', /HEAD activities/], ['agents', /HEAD agents/]];
const groupOf = (title, table, fallback) => (table.find(([, re]) => re.test(title)) || [fallback])[0];
const counts = {};
for (const g of ['statements', 'documents', 'activities', 'agents', 'about']) counts[g] = {passed: 0, failed: 0, total: 0};
const failing = [];
function walk(node, group, path) {
  const children = (node.tests || []).filter(Boolean);
  if (children.length === 0) {
    if (!node.status) return;
    const g = group === 'statements' ? groupOf(node.title, leafGroups, group) : group;
    counts[g].total++;
    if (node.status === 'passed') {
      counts[g].passed++;
    } else {
      counts[g].failed++;
      failing.push(g + ': ' + path.concat(node.title).join(' > '));
    }
    return;
  }
  for (const child of children) {
    const g = group || groupOf(child.title, suiteGroups, 'statements');
    walk(child, g, group ? path.concat(node.title || []) : []);
  }
}
walk(log.log || log, null, []);
fs.writeFileSync(process.argv[2] + '.failing.txt', failing.join('\n') + '\n');
console.log(JSON.stringify(Object.assign({suite_commit: process.argv[3], xapi: '1.0.3', suite_summary: log.summary},
                                         counts)));
JS
echo "conformance: full log $CACHE_ROOT/last-run.log; failing tests in $run_log.failing.txt" >&2
