#!/usr/bin/env python3
"""Writes one Grafana dashboard per service (osh-<service>.json beside this file).

  generate.py [--check]

The panels use only metrics the service exports (libs/core: gRPC; libs/events: outbox and
consumer; libs/cache and services/gateway: HTTP, Redis, cache, rate limits; the services'
own). --check writes nothing and exits 1 when a file differs from what it would write
(tests/k8s/check_monitoring.py runs it): edit this script, not the JSON.
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# What each service runs, beside the gRPC server every service but the gateway has.
SERVICES = {
    "registry": {"grpc", "outbox", "consumer"},
    "content": {"grpc", "outbox"},
    "notify": {"grpc", "consumer", "notify"},
    "training": {"grpc", "outbox", "consumer"},
    "reporting": {"grpc", "consumer", "reporting"},
    "gateway": {"http", "redis"},
}


def sel(service, extra=""):
    base = f'namespace="$namespace", job="osh-{service}"'
    return "{" + base + (", " + extra if extra else "") + "}"


def panels_for(service, parts):
    s = lambda extra="": sel(service, extra)  # noqa: E731
    server_errors = s('code=~"INTERNAL|UNAVAILABLE|UNKNOWN|DATA_LOSS|DEADLINE_EXCEEDED"')
    http_5xx = s('code=~"5.."')
    osh_topics = '{namespace="$namespace", topic=~"osh\\\\..*"}'
    rows = []
    if "grpc" in parts:
        rows.append(("gRPC", [
            ("Calls per second by status code", "reqps",
             [(f"sum by (code) (rate(osh_grpc_server_handled_total{s()}[5m]))", "{{code}}")]),
            ("Server-side errors (share of calls)", "percentunit",
             [(f"sum(rate(osh_grpc_server_handled_total{server_errors}[5m]))"
               f" / sum(rate(osh_grpc_server_handled_total{s()}[5m]))", "errors")]),
            ("p99 latency by method", "s",
             [(f"histogram_quantile(0.99, sum by (method, le) (rate(osh_grpc_server_handling_seconds_bucket{s()}[5m])))",
               "{{method}}")]),
            ("p50 latency by method", "s",
             [(f"histogram_quantile(0.5, sum by (method, le) (rate(osh_grpc_server_handling_seconds_bucket{s()}[5m])))",
               "{{method}}")]),
        ]))
    if "http" in parts:
        rows.append(("HTTP", [
            ("Requests per second by status code", "reqps",
             [(f"sum by (code) (rate(osh_http_requests_total{s()}[5m]))", "{{code}}")]),
            ("5xx (share of requests)", "percentunit",
             [(f"sum(rate(osh_http_requests_total{http_5xx}[5m])) / sum(rate(osh_http_requests_total{s()}[5m]))",
               "5xx")]),
            ("p99 latency by route", "s",
             [(f"histogram_quantile(0.99, sum by (route, le) (rate(osh_http_request_duration_seconds_bucket{s()}[5m])))",
               "{{route}}")]),
            ("Open connections", "short", [(f"sum(osh_http_open_connections{s()})", "open")]),
        ]))
    if "redis" in parts:
        rows.append(("Cache and rate limits", [
            ("Redis up (per pod)", "short", [(f"osh_redis_up{s()}", "{{pod}}")]),
            ("Cacheable GETs by outcome", "reqps",
             [(f"sum by (result) (rate(osh_gateway_cache_requests_total{s()}[5m]))", "{{result}}")]),
            ("Requests refused by the rate limit", "reqps",
             [(f"sum by (limiter) (rate(osh_gateway_rate_limited_total{s()}[5m]))", "{{limiter}}")]),
            ("Redis errors and fail-fast rejections", "ops",
             [(f"sum(rate(osh_redis_errors_total{s()}[5m]))", "errors"),
              (f"sum(rate(osh_redis_rejected_total{s()}[5m]))", "rejected")]),
        ]))
    if "outbox" in parts:
        rows.append(("Outbox", [
            ("Events waiting for Kafka", "short", [(f"sum by (pod) (osh_outbox_pending{s()})", "{{pod}}")]),
            ("Events published per second", "ops", [(f"sum(rate(osh_outbox_published_total{s()}[5m]))", "published")]),
            ("Parked rows (Kafka refuses them for good)", "short", [(f"sum(osh_outbox_parked{s()})", "parked")]),
            ("Failed publish rounds", "ops", [(f"sum(rate(osh_outbox_failures_total{s()}[5m]))", "failures")]),
        ]))
    if "consumer" in parts:
        rows.append(("Events consumed", [
            ("Applied per second by topic", "ops",
             [(f"sum by (topic) (rate(osh_events_applied_total{s()}[5m]))", "{{topic}}")]),
            ("Redelivered, ignored per second", "ops",
             [(f"sum by (topic) (rate(osh_events_duplicates_total{s()}[5m]))", "{{topic}}")]),
            ("Dead-lettered (last hour)", "short",
             [(f"sum by (topic) (increase(osh_events_dead_lettered_total{s()}[1h]))", "{{topic}}")]),
            ("Store unavailable, retried", "ops",
             [(f"sum by (topic) (rate(osh_events_store_unavailable_total{s()}[5m]))", "{{topic}}")]),
            ("Consumer lag (Kafka Exporter)", "short",
             [(f"sum by (consumergroup, topic) (kafka_consumergroup_lag{osh_topics})",
               "{{consumergroup}} {{topic}}")]),
        ]))
    if "notify" in parts:
        rows.append(("Deliveries", [
            ("Webhook and email attempts by outcome", "ops",
             [(f"sum by (channel, outcome) (rate(osh_notify_delivery_attempts_total{s()}[5m]))", "{{channel}} {{outcome}}")]),
            ("Event to delivery, p99", "s",
             [(f"histogram_quantile(0.99, sum by (le) (rate(osh_notify_event_to_delivery_seconds_bucket{s()}[5m])))", "p99")]),
            ("Due reminders by outcome", "ops",
             [(f"sum by (outcome) (rate(osh_notify_reminders_total{s()}[5m]))", "{{outcome}}")]),
        ]))
    if "reporting" in parts:
        rows.append(("Rollups", [
            ("Registry events rolled up per second", "ops",
             [(f"sum(rate(osh_reporting_events_applied_total{s()}[5m]))", "applied"),
              (f"sum(rate(osh_reporting_events_ignored_total{s()}[5m]))", "ignored"),
              (f"sum(rate(osh_reporting_events_stale_total{s()}[5m]))", "stale")]),
        ]))
    rows.append(("Bookkeeping", [
        ("Rows pruned after their horizon", "ops",
         [(f"sum by (table) (rate(osh_retention_pruned_total{s()}[1h]))", "{{table}}")]),
    ]) if service != "gateway" else ("Process", [
        ("Scrape up (per pod)", "short", [(f"up{s()}", "{{pod}}")]),
    ]))
    return rows


def dashboard(service, parts):
    panels, y, next_id = [], 0, 1
    for title, row in panels_for(service, parts):
        panels.append({"id": next_id, "type": "row", "title": title, "collapsed": False,
                       "gridPos": {"x": 0, "y": y, "w": 24, "h": 1}, "panels": []})
        next_id += 1
        y += 1
        for i, (panel_title, unit, queries) in enumerate(row):
            panels.append({
                "id": next_id,
                "type": "timeseries",
                "title": panel_title,
                "datasource": {"type": "prometheus", "uid": "${datasource}"},
                "gridPos": {"x": (i % 2) * 12, "y": y + (i // 2) * 8, "w": 12, "h": 8},
                "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
                "options": {"legend": {"displayMode": "list", "placement": "bottom"}},
                "targets": [{"refId": chr(ord("A") + k), "expr": expr, "legendFormat": legend,
                             "datasource": {"type": "prometheus", "uid": "${datasource}"}}
                            for k, (expr, legend) in enumerate(queries)],
            })
            next_id += 1
        y += ((len(row) + 1) // 2) * 8
    return {
        "uid": f"osh-{service}",
        "title": f"osh-{service}",
        "description": f"osh-{service}: what k8s/RUNBOOK.md asks about it. Generated by generate.py.",
        "tags": ["osh-platform"],
        "editable": False,
        "schemaVersion": 39,
        "version": 1,
        "refresh": "30s",
        "timezone": "utc",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": [
            {"name": "datasource", "type": "datasource", "query": "prometheus", "label": "Prometheus",
             "current": {}, "hide": 0},
            {"name": "namespace", "type": "query", "label": "Deployment",
             "datasource": {"type": "prometheus", "uid": "${datasource}"},
             "query": {"query": f'label_values(up{{job="osh-{service}"}}, namespace)', "refId": "namespace"},
             "definition": f'label_values(up{{job="osh-{service}"}}, namespace)',
             "refresh": 2, "current": {}, "hide": 0},
        ]},
        "annotations": {"list": []},
        "panels": panels,
    }


def render(service):
    return json.dumps(dashboard(service, SERVICES[service]), indent=2, ensure_ascii=False) + "\n"


def main(argv):
    check = "--check" in argv[1:]
    stale = []
    for service in SERVICES:
        path = os.path.join(HERE, f"osh-{service}.json")
        text = render(service)
        current = open(path, encoding="utf-8").read() if os.path.exists(path) else None
        if current == text:
            continue
        if check:
            stale.append(os.path.basename(path))
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    if stale:
        print(f"dashboards differ from generate.py: {' '.join(stale)} (run {os.path.relpath(__file__)})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
