#!/usr/bin/env python3
"""Checks the alerts and dashboards of k8s/components/monitoring against the code and the runbook.

  check_monitoring.py REPO_ROOT RULES_OUT

- every metric an alert or a dashboard queries is one the code exports (a string literal
  osh_* in libs/ or services/, histograms with their _bucket/_sum/_count series) or one of
  the few exported by Strimzi's components and Prometheus itself (EXTERNAL_METRICS);
- alerts: unique names, severity critical|warning, a summary, and a runbook_url whose
  section exists in k8s/RUNBOOK.md;
- dashboards (the structure Grafana's dashboard JSON model needs, a schema written out
  below): uid and title, unique uids, schemaVersion, the datasource and namespace
  variables, panels with unique ids, a type, a grid position inside the 24 columns that
  overlaps no other panel, a Prometheus datasource and targets with unique refIds and an
  expression; every dashboard file is in the kustomization's configMapGenerator, every
  ServiceMonitor'd service has one, and generate.py --check finds them current;
- writes the PrometheusRule's spec (the plain rules file promtool reads) to RULES_OUT.

Prints one line per failure and closes with `checks: N passed, M failed`; exits 1 on failure.
"""

import glob
import json
import os
import re
import subprocess
import sys

import yaml

MONITORING = "k8s/components/monitoring"
# Not ours: Prometheus's scrape health, the Strimzi Kafka Exporter and cluster operator, and
# CloudNativePG's default PostgreSQL metrics (as its own sample alerts name them).
EXTERNAL_METRICS = {"up", "kafka_consumergroup_lag", "strimzi_certificate_expiration_timestamp_ms",
                    "cnpg_pg_replication_lag", "cnpg_pg_replication_in_recovery",
                    "cnpg_pg_replication_is_wal_receiver_up", "cnpg_pg_stat_archiver_last_failed_time",
                    "cnpg_pg_stat_archiver_last_archived_time"}
# Literals named osh_* that are Kafka header names or SQL, not metrics.
NOT_METRICS = {"osh_error", "osh_original_topic", "osh_original_partition", "osh_original_offset",
               "osh_replayed_from", "osh_staff_full_time", "osh_staff_part_time", "osh_cjk", "osh_served_methods"}
# Our metric names all start with one of these prefixes (no label or function does); `up` is
# Prometheus's own, always written with a selector here.
METRIC_RE = re.compile(r"\b((?:osh|kafka|strimzi|cnpg)_[a-z0-9_]+|up(?=\s*\{))\b")
DASHBOARD_KEYS = {"uid": str, "title": str, "schemaVersion": int, "panels": list, "templating": dict,
                  "time": dict, "tags": list}
PANEL_TYPES = {"row", "timeseries", "stat", "gauge", "table", "bargauge", "heatmap", "text"}


class Checker:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, condition, what):
        if condition:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {what}")
        return condition


def exported_metrics(root):
    names, histograms = set(), set()
    for path in glob.glob(os.path.join(root, "libs/**/*.cc"), recursive=True) + \
            glob.glob(os.path.join(root, "libs/**/*.h"), recursive=True) + \
            glob.glob(os.path.join(root, "services/**/*.cc"), recursive=True):
        if "/tests/" in path or "/fuzz/" in path:
            continue
        text = open(path, encoding="utf-8").read()
        for m in re.finditer(r'"(osh_[a-z0-9_]+)"', text):
            names.add(m.group(1))
        for m in re.finditer(r'GetHistogram\(\s*"(osh_[a-z0-9_]+)"', text):
            histograms.add(m.group(1))
    names -= NOT_METRICS
    for h in histograms:
        names |= {h + "_bucket", h + "_sum", h + "_count"}
    return names | EXTERNAL_METRICS


def metrics_in(expr):
    # Label values and regexes are in quotes: never metric names.
    unquoted = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    return set(METRIC_RE.findall(unquoted))


def github_anchors(markdown):
    anchors = set()
    for line in markdown.splitlines():
        m = re.match(r"^#{1,6}\s+(.*)$", line)
        if m:
            slug = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
            anchors.add(slug)
    return anchors


def check_rules(c, root, known, rules_out):
    path = os.path.join(root, MONITORING, "common/prometheusrule.yaml")
    rule = yaml.safe_load(open(path, encoding="utf-8"))
    runbook_path = os.path.join(root, "k8s/RUNBOOK.md")
    anchors = github_anchors(open(runbook_path, encoding="utf-8").read()) if os.path.exists(runbook_path) else set()
    seen = set()
    for group in rule["spec"]["groups"]:
        for r in group["rules"]:
            name = r.get("alert") or r.get("record")
            c.check(name not in seen, f"alert {name} is defined twice")
            seen.add(name)
            for metric in sorted(metrics_in(r["expr"])):
                c.check(metric in known, f"alert {name}: metric {metric} is exported by nothing this repository runs")
            if "alert" in r:
                c.check(r.get("labels", {}).get("severity") in ("critical", "warning"),
                        f"alert {name}: severity is not critical or warning")
                annotations = r.get("annotations", {})
                c.check(annotations.get("summary"), f"alert {name} has no summary")
                url = annotations.get("runbook_url", "")
                c.check(url.startswith("k8s/RUNBOOK.md#") and url.split("#", 1)[1] in anchors,
                        f"alert {name}: runbook_url {url!r} names no section of k8s/RUNBOOK.md")
    with open(rules_out, "w", encoding="utf-8") as f:
        yaml.safe_dump(rule["spec"], f, sort_keys=False, allow_unicode=True)
    return seen


def overlaps(a, b):
    return not (a["x"] + a["w"] <= b["x"] or b["x"] + b["w"] <= a["x"] or
                a["y"] + a["h"] <= b["y"] or b["y"] + b["h"] <= a["y"])


def check_dashboard(c, path, known):
    name = os.path.basename(path)
    try:
        d = json.load(open(path, encoding="utf-8"))
    except ValueError as e:
        c.check(False, f"{name} is not JSON: {e}")
        return None
    for key, kind in DASHBOARD_KEYS.items():
        c.check(isinstance(d.get(key), kind), f"{name}: {key} missing or not a {kind.__name__}")
    variables = {v.get("name"): v for v in (d.get("templating") or {}).get("list", [])}
    c.check(variables.get("datasource", {}).get("type") == "datasource" and
            variables["datasource"].get("query") == "prometheus", f"{name}: no Prometheus datasource variable")
    c.check("namespace" in variables, f"{name}: no namespace variable (one dashboard serves every deployment)")
    ids, boxes = set(), []
    for p in d.get("panels", []):
        title = p.get("title", "?")
        c.check(isinstance(p.get("id"), int) and p["id"] not in ids, f"{name}: panel {title!r} has no unique id")
        ids.add(p.get("id"))
        c.check(p.get("type") in PANEL_TYPES, f"{name}: panel {title!r} has type {p.get('type')!r}")
        g = p.get("gridPos") or {}
        if c.check(all(isinstance(g.get(k), int) for k in "xywh") and g["w"] > 0 and g["h"] > 0 and
                   0 <= g["x"] and g["x"] + g["w"] <= 24, f"{name}: panel {title!r} has no valid gridPos"):
            c.check(not any(overlaps(g, other) for other in boxes), f"{name}: panel {title!r} overlaps another")
            boxes.append(g)
        if p.get("type") == "row":
            continue
        c.check((p.get("datasource") or {}).get("type") == "prometheus", f"{name}: panel {title!r} has no Prometheus datasource")
        targets = p.get("targets") or []
        c.check(targets, f"{name}: panel {title!r} has no query")
        refs = [t.get("refId") for t in targets]
        c.check(len(set(refs)) == len(refs) and all(refs), f"{name}: panel {title!r} repeats or lacks a refId")
        for t in targets:
            expr = t.get("expr", "")
            c.check(expr, f"{name}: panel {title!r} target {t.get('refId')} has no expr")
            for metric in sorted(metrics_in(expr)):
                c.check(metric in known, f"{name}: panel {title!r} queries {metric}, which nothing exports")
    return d


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    root, rules_out = argv[1:]
    c = Checker()
    known = exported_metrics(root)
    c.check(len(known) > 20, f"found only {len(known)} exported metrics in the code: the scan is broken")
    check_rules(c, root, known, rules_out)

    dash_dir = os.path.join(root, MONITORING, "common/dashboards")
    files = sorted(glob.glob(os.path.join(dash_dir, "*.json")))
    uids = {}
    for path in files:
        d = check_dashboard(c, path, known)
        if d and isinstance(d.get("uid"), str):
            c.check(d["uid"] not in uids, f"{os.path.basename(path)}: uid {d['uid']} also in {uids.get(d['uid'])}")
            uids[d["uid"]] = os.path.basename(path)
    kustomization = yaml.safe_load(open(os.path.join(root, MONITORING, "common/kustomization.yaml"), encoding="utf-8"))
    generated = {f for g in kustomization.get("configMapGenerator", []) for f in g.get("files", [])}
    for path in files:
        c.check(f"dashboards/{os.path.basename(path)}" in generated,
                f"{os.path.basename(path)} is not in the configMapGenerator of common/kustomization.yaml")
    for monitors in glob.glob(os.path.join(root, MONITORING, "*/servicemonitors.yaml")):
        for sm in yaml.safe_load_all(open(monitors, encoding="utf-8")):
            service = sm["metadata"]["name"]
            c.check(service in uids, f"{service} is monitored but has no dashboard")
            c.check(os.path.isdir(os.path.join(root, "services", service.removeprefix("osh-"))),
                    f"ServiceMonitor {service}: no services/{service.removeprefix('osh-')} in the repository")
    generator = subprocess.run([sys.executable, os.path.join(dash_dir, "generate.py"), "--check"],
                               capture_output=True, text=True)
    c.check(generator.returncode == 0, f"dashboards are stale: {generator.stdout.strip()}")
    print(f"checks: {c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
