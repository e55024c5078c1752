#!/usr/bin/env python3
"""What a schema cannot see in rendered manifests: do the pieces fit together?

  check_manifests.py REPO_ROOT OVERLAY_NAME RENDERED_YAML

Per osh service (a container whose image is osh-<name>):
- every probe points at a port the container declares, and that port is the one the service
  really opens: the port of OSH_GRPC_ADDRESS (gRPC probes) or of an OSH_*_ADDRESS (HTTP/TCP),
  with the environment resolved the way the kubelet does (env over envFrom ConfigMaps);
- the addresses listen on all interfaces (127.0.0.1, the binaries' default, is unreachable
  for probes and peers), and their ports are the ones named grpc / admin / http / xapi;
- for a service whose code exists, the ports equal the defaults in services/<name>/main.cc;
- gRPC services are probed through grpc.health.v1 (readiness and liveness);
- tokens are checked for issuer, audience (the deployment's namespace) and lifetime;
- non-root, read-only root filesystem, no privilege escalation, all capabilities dropped,
  requests and limits set, a termination grace longer than the configured drain;
- it has its Service, ServiceAccount, PodDisruptionBudget and NetworkPolicy.
Storage: an osh service that keeps data (it sets OSH_DATA_DIR) runs either embedded, as one
SQLite StatefulSet replica, or on PostgreSQL as a Deployment of 2+ replicas spread over nodes,
with a PodDisruptionBudget that lets one go and keeps one, and a database URL that comes from
a secretKeyRef (never a value or a ConfigMap) naming the password Secret of a CloudNativePG
DatabaseRole whose Database exists, or a Cluster's generated <cluster>-app Secret; its code
must read database-url; a pod mounts the Cluster's CA Secret for ca.crt only. Every Cluster
has 3+ instances with synchronous replication that waits for a standby, anti-affinity,
resources, WAL archiving to object storage with credentials from Secrets, a retention and a
ScheduledBackup, and a recovered one archives elsewhere than the archive it recovers from;
CloudNativePG objects name Clusters that exist.
Across objects: Services, NetworkPolicies, PodDisruptionBudgets and autoscalers select pods
that exist, and name ports those pods declare; referenced ConfigMaps exist; no Secret is in
the output (they are referenced only); Strimzi resources name a Kafka cluster that exists;
every service has its events and dead-letter topic; a MirrorMaker 2 covers all 31 mainland
provinces and its pattern takes the events topics and not the dead letters.

Prints one line per failure and closes with `checks: N passed, M failed`; exits 1 on failure.
"""

import glob
import os
import re
import sys

import yaml

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet")
# OSH_*_ADDRESS variable -> the container port name it must match.
ADDRESS_PORT_NAMES = {"OSH_GRPC_ADDRESS": "grpc", "OSH_ADMIN_ADDRESS": "admin", "OSH_HTTP_ADDRESS": "http",
                      "OSH_XAPI_ADDRESS": "xapi"}
ANY_INTERFACE = {"0.0.0.0", "[::]", "::", ""}
SERVICES_WITH_TOPICS = ("registry", "content", "training", "notify", "reporting")
MAINLAND_PROVINCES = ("11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
                      "50 51 52 53 54 61 62 63 64 65").split()


class Checker:
    def __init__(self, overlay):
        self.overlay = overlay
        self.passed = 0
        self.failed = 0

    def check(self, condition, what):
        if condition:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL [{self.overlay}] {what}")
        return condition


def name_of(obj):
    return obj.get("metadata", {}).get("name", "?")


def ns_of(obj):
    return obj.get("metadata", {}).get("namespace", "")


def matches(selector, labels):
    """A LabelSelector (matchLabels and matchExpressions) against a label map."""
    if selector is None:
        return False
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def port_of_address(address):
    """'0.0.0.0:7101' -> ('0.0.0.0', 7101); None when it is not host:port."""
    m = re.fullmatch(r"(.*):(\d+)", address or "")
    return (m.group(1), int(m.group(2))) if m else None


def code_default_ports(repo_root):
    """services/<name>/main.cc: ServiceHost host("<name>", keys, <grpc port>, <admin port>)."""
    ports = {}
    for main in glob.glob(os.path.join(repo_root, "services", "*", "main.cc")):
        with open(main, encoding="utf-8") as f:
            text = f.read()
        m = re.search(r'ServiceHost\s+\w+\(\s*"([a-z0-9-]+)"\s*,[^;]*?,\s*(\d+)\s*,\s*(\d+)\s*\)\s*;', text, re.S)
        if m:
            ports[m.group(1)] = {"grpc": int(m.group(2)), "admin": int(m.group(3))}
    return ports


class Manifests:
    def __init__(self, docs):
        self.docs = [d for d in docs if d]
        self.by_kind = {}
        for d in self.docs:
            self.by_kind.setdefault(d.get("kind"), []).append(d)

    def of(self, *kinds):
        return [d for k in kinds for d in self.by_kind.get(k, [])]

    def find(self, kind, name, namespace):
        for d in self.of(kind):
            if name_of(d) == name and ns_of(d) == namespace:
                return d
        return None

    def pod_templates(self):
        """(owner, namespace, labels, pod spec) of every pod these manifests create."""
        pods = []
        for w in self.of(*WORKLOAD_KINDS):
            t = w["spec"]["template"]
            pods.append((w, ns_of(w), t.get("metadata", {}).get("labels", {}), t["spec"]))
        # Strimzi makes the pods of these; their template labels are what policies can select.
        for mm2 in self.of("KafkaMirrorMaker2"):
            labels = dict(mm2["spec"].get("template", {}).get("pod", {}).get("metadata", {}).get("labels", {}))
            labels["strimzi.io/kind"] = "KafkaMirrorMaker2"
            pods.append((mm2, ns_of(mm2), labels, None))
        return pods


def resolve_env(container, manifests, namespace):
    """The environment the kubelet gives the container (ConfigMap values resolved)."""
    env = {}
    for source in container.get("envFrom") or []:
        ref = source.get("configMapRef")
        if ref:
            cm = manifests.find("ConfigMap", ref["name"], namespace)
            if cm:
                prefix = source.get("prefix", "")
                env.update({prefix + k: str(v) for k, v in (cm.get("data") or {}).items()})
    for var in container.get("env") or []:
        if "value" in var:
            env[var["name"]] = str(var["value"])
        elif "configMapKeyRef" in (var.get("valueFrom") or {}):
            ref = var["valueFrom"]["configMapKeyRef"]
            cm = manifests.find("ConfigMap", ref["name"], namespace)
            if cm and ref["key"] in (cm.get("data") or {}):
                env[var["name"]] = str(cm["data"][ref["key"]])
    return env


def probe_port(probe, ports):
    """The numeric port a probe targets (named ports resolved), and its kind."""
    for kind in ("grpc", "httpGet", "tcpSocket"):
        if kind in probe:
            port = probe[kind].get("port")
            if isinstance(port, str) and not port.isdigit():
                return kind, ports.get(port)
            return kind, int(port)
    return "exec", None


def check_workloads(c, m, repo_root):
    code_ports = code_default_ports(repo_root)
    for w in m.of(*WORKLOAD_KINDS):
        ns, wname = ns_of(w), name_of(w)
        spec = w["spec"]["template"]["spec"]
        pod_sc = spec.get("securityContext") or {}
        for ctr in spec["containers"]:
            where = f"{w['kind']} {wname} container {ctr['name']}"
            ports = {p.get("name"): p["containerPort"] for p in ctr.get("ports") or []}
            declared = set(ports.values())
            env = resolve_env(ctr, m, ns)
            image = ctr.get("image", "")
            service = re.fullmatch(r"(?:.*/)?osh-([a-z0-9-]+)(?::.*|@.*)?", image)

            # Every env/envFrom ConfigMap reference resolves.
            for source in ctr.get("envFrom") or []:
                if "configMapRef" in source:
                    ref = source["configMapRef"]["name"]
                    c.check(m.find("ConfigMap", ref, ns) is not None, f"{where}: ConfigMap {ref} does not exist")

            # The registry reads transfers from topics this cluster declares, dead letters included.
            if service and service.group(1) == "registry" and m.of("Kafka"):
                topics = {t["spec"].get("topicName", name_of(t)) for t in m.of("KafkaTopic")}
                exchange = [t for t in env.get("OSH_EXCHANGE_TOPICS", "").split(",") if t]
                c.check(bool(exchange), f"{where}: OSH_EXCHANGE_TOPICS is not set (transfers would never arrive)")
                for topic in exchange:
                    for name in (topic, topic + ".dlt"):
                        c.check(name in topics, f"{where}: OSH_EXCHANGE_TOPICS names {topic}, but KafkaTopic {name} is missing")

            # The gateway serves the console from where the image puts it (Containerfile, stage web).
            if service and service.group(1) == "gateway":
                containerfile = open(os.path.join(repo_root, "deploy/container/Containerfile"), encoding="utf-8").read()
                root = env.get("OSH_WEB_ROOT", "")
                c.check(bool(root), f"{where}: OSH_WEB_ROOT is not set (no web console)")
                c.check(bool(root) and f"/out{root}" in containerfile,
                        f"{where}: OSH_WEB_ROOT {root!r} is not where the Containerfile installs the console")

            # Probes target declared ports.
            probes = {k: ctr[k] for k in ("startupProbe", "readinessProbe", "livenessProbe") if k in ctr}
            for pname, probe in probes.items():
                kind, port = probe_port(probe, ports)
                if kind != "exec":
                    c.check(port in declared, f"{where}: {pname} {kind} port {port} is not a declared containerPort {sorted(declared)}")

            # Security and resources hold for every container, ours or not.
            sc = ctr.get("securityContext") or {}
            c.check(sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")) is True, f"{where}: runAsNonRoot is not true")
            uid = sc.get("runAsUser", pod_sc.get("runAsUser"))
            c.check(isinstance(uid, int) and uid > 0, f"{where}: runAsUser must be a non-zero number, is {uid}")
            c.check(sc.get("readOnlyRootFilesystem") is True, f"{where}: readOnlyRootFilesystem is not true")
            c.check(sc.get("allowPrivilegeEscalation") is False, f"{where}: allowPrivilegeEscalation is not false")
            c.check("ALL" in ((sc.get("capabilities") or {}).get("drop") or []), f"{where}: capabilities do not drop ALL")
            res = ctr.get("resources") or {}
            for part in ("requests", "limits"):
                for r in ("cpu", "memory"):
                    c.check(r in (res.get(part) or {}), f"{where}: resources.{part}.{r} is not set")
            c.check("readinessProbe" in ctr, f"{where}: no readinessProbe")
            c.check("livenessProbe" in ctr, f"{where}: no livenessProbe")

            if not service:
                continue
            svc = service.group(1)

            # The addresses the service listens on match the declared, named ports.
            addresses = {var: port_of_address(env[var]) for var in ADDRESS_PORT_NAMES if var in env}
            c.check(bool(addresses), f"{where}: sets none of {sorted(ADDRESS_PORT_NAMES)}")
            for var, hp in addresses.items():
                if not c.check(hp is not None, f"{where}: {var}={env[var]!r} is not host:port"):
                    continue
                host, port = hp
                c.check(host in ANY_INTERFACE, f"{where}: {var} listens on {host}, unreachable from outside the pod")
                pname = ADDRESS_PORT_NAMES[var]
                c.check(ports.get(pname) == port,
                        f"{where}: {var} opens port {port}, but the containerPort named {pname} is {ports.get(pname)}")
            opened = {hp[1] for hp in addresses.values() if hp}
            for pname, probe in probes.items():
                kind, port = probe_port(probe, ports)
                if kind == "exec":
                    continue
                c.check(port in opened, f"{where}: {pname} targets port {port}, which the service does not open {sorted(opened)}")
                if kind == "grpc":
                    grpc = addresses.get("OSH_GRPC_ADDRESS")
                    c.check(grpc is not None and grpc[1] == port,
                            f"{where}: {pname} is a gRPC probe on {port}, but OSH_GRPC_ADDRESS is {env.get('OSH_GRPC_ADDRESS')}")
            if "OSH_GRPC_ADDRESS" in addresses:
                for pname in ("readinessProbe", "livenessProbe"):
                    c.check("grpc" in probes.get(pname, {}), f"{where}: {pname} of a gRPC service is not a grpc.health.v1 probe")
            c.check("admin" in ports, f"{where}: no port named admin (metrics scraping policy selects it by name)")

            # Ports agree with the code's defaults where the service exists as code.
            if svc in code_ports:
                for pname, default in code_ports[svc].items():
                    c.check(ports.get(pname) == default,
                            f"{where}: port {pname} is {ports.get(pname)}, services/{svc}/main.cc says {default}")

            # The pod outlives its own drain.
            grace_ms = int(env.get("OSH_SHUTDOWN_GRACE_MS", 0)) + int(env.get("OSH_SHUTDOWN_DEADLINE_MS", 0))
            period = spec.get("terminationGracePeriodSeconds", 30)
            c.check(period * 1000 > grace_ms,
                    f"{where}: terminationGracePeriodSeconds {period}s does not cover the {grace_ms} ms drain")
            c.check(env.get("OSH_PROVINCE") is not None, f"{where}: OSH_PROVINCE is not set")

            # Tokens are checked for who issued them, whom they are for (this deployment,
            # named like its namespace) and how long they live.
            c.check(bool(env.get("OSH_JWT_ISSUER")), f"{where}: OSH_JWT_ISSUER is not set")
            c.check(env.get("OSH_JWT_AUDIENCE") == ns,
                    f"{where}: OSH_JWT_AUDIENCE is {env.get('OSH_JWT_AUDIENCE')!r}, not the deployment's {ns!r}")
            lifetime = env.get("OSH_JWT_MAX_LIFETIME_SECONDS", "")
            c.check(lifetime.isdigit() and int(lifetime) > 0,
                    f"{where}: OSH_JWT_MAX_LIFETIME_SECONDS is {lifetime!r}, not a positive number of seconds")

            # One of each companion object, named like the workload.
            for kind in ("Service", "ServiceAccount", "PodDisruptionBudget", "NetworkPolicy"):
                c.check(m.find(kind, wname, ns) is not None, f"{where}: no {kind} {wname}")
            c.check(spec.get("serviceAccountName") == wname, f"{where}: runs as ServiceAccount {spec.get('serviceAccountName')}")

        # SQLite services are single-writer: one replica and no autoscaler.
        if w["kind"] == "StatefulSet":
            c.check(w["spec"].get("replicas") == 1, f"StatefulSet {wname}: replicas must be 1 (SQLite)")
            for hpa in m.of("HorizontalPodAutoscaler"):
                c.check(hpa["spec"]["scaleTargetRef"]["name"] != wname, f"StatefulSet {wname} is autoscaled by {name_of(hpa)}")


def selected_pods(m, selector, namespace):
    return [p for p in m.pod_templates() if p[1] == namespace and matches(selector, p[2])]


def pod_ports(pod_spec):
    ports = {}
    for ctr in (pod_spec or {}).get("containers", []):
        for p in ctr.get("ports") or []:
            ports[p.get("name")] = p["containerPort"]
    return ports


def check_selectors(c, m):
    for svc in m.of("Service"):
        ns, sel = ns_of(svc), svc["spec"].get("selector")
        pods = selected_pods(m, {"matchLabels": sel}, ns) if sel else []
        if not c.check(pods, f"Service {name_of(svc)} selects no pod"):
            continue
        for p in svc["spec"].get("ports", []):
            target = p.get("targetPort", p["port"])
            for owner, _, _, spec in pods:
                ports = pod_ports(spec)
                ok = target in ports if isinstance(target, str) else target in ports.values()
                c.check(ok, f"Service {name_of(svc)} port {p.get('name')}: targetPort {target} not declared by {name_of(owner)}")
    for pdb in m.of("PodDisruptionBudget"):
        c.check(selected_pods(m, pdb["spec"]["selector"], ns_of(pdb)), f"PodDisruptionBudget {name_of(pdb)} selects no pod")
    for hpa in m.of("HorizontalPodAutoscaler"):
        ref = hpa["spec"]["scaleTargetRef"]
        target = m.find(ref["kind"], ref["name"], ns_of(hpa))
        if c.check(target is not None, f"HorizontalPodAutoscaler {name_of(hpa)}: {ref['kind']} {ref['name']} does not exist"):
            c.check("replicas" not in target["spec"], f"{ref['kind']} {ref['name']} sets replicas; its autoscaler owns them")
            for ctr in target["spec"]["template"]["spec"]["containers"]:
                c.check("cpu" in ((ctr.get("resources") or {}).get("requests") or {}),
                        f"{ref['name']}/{ctr['name']}: CPU utilisation needs a CPU request")
    for np in m.of("NetworkPolicy"):
        ns, sel = ns_of(np), np["spec"]["podSelector"]
        if not sel:  # {} selects every pod of the namespace, by design
            continue
        if operator_made(sel):
            continue
        pods = selected_pods(m, sel, ns)
        if not c.check(pods, f"NetworkPolicy {name_of(np)} selects no pod"):
            continue
        for rule in np["spec"].get("ingress") or []:
            for p in rule.get("ports") or []:
                # A named port is looked up in each selected pod; pods without it are simply
                # not opened (osh-allow-metrics-scrape and Redis). None having it is a mistake.
                if isinstance(p.get("port"), str):
                    c.check(any(p["port"] in pod_ports(spec) for _, _, _, spec in pods),
                            f"NetworkPolicy {name_of(np)}: no selected pod has a port named {p['port']}")
            for peer in rule.get("from") or []:
                if "podSelector" in peer and "namespaceSelector" not in peer and not operator_made(peer["podSelector"]):
                    c.check(selected_pods(m, peer["podSelector"], ns),
                            f"NetworkPolicy {name_of(np)}: peer {peer['podSelector']} matches no pod")


# Transfers between provinces travel here (services/registry/registry_transfer.h).
EXCHANGE_TOPIC = "osh.exchange.transfers"


# Label prefixes of pods that only an operator creates: Strimzi's (the Kafka Exporter ...)
# and CloudNativePG's (the PostgreSQL instances, cnpg.io/cluster).
OPERATOR_LABEL_PREFIXES = ("strimzi.io/", "cnpg.io/")


def operator_made(selector):
    """Pods only an operator creates: not in the output to match."""
    keys = list((selector or {}).get("matchLabels") or {})
    return bool(keys) and all(k.startswith(OPERATOR_LABEL_PREFIXES) for k in keys)


def check_monitors(c, m):
    """ServiceMonitors select a Service of theirs by its port name; every osh service with an
    admin port is scraped by one when the deployment has any; PodMonitors select operator pods."""
    monitors = m.of("ServiceMonitor")
    for sm in monitors:
        ns = ns_of(sm)
        services = [s for s in m.of("Service") if ns_of(s) == ns and
                    matches(sm["spec"]["selector"], s["metadata"].get("labels") or {})]
        if not c.check(services, f"ServiceMonitor {name_of(sm)} selects no Service"):
            continue
        for ep in sm["spec"]["endpoints"]:
            c.check(all(any(p.get("name") == ep.get("port") for p in s["spec"]["ports"]) for s in services),
                    f"ServiceMonitor {name_of(sm)}: a selected Service has no port named {ep.get('port')}")
    if monitors:
        for svc in m.of("Service"):
            if not name_of(svc).startswith("osh-") or not any(p.get("name") == "admin" for p in svc["spec"]["ports"]):
                continue
            c.check(any(matches(sm["spec"]["selector"], svc["metadata"].get("labels") or {}) for sm in monitors),
                    f"Service {name_of(svc)} has an admin port but no ServiceMonitor")
    for pm in m.of("PodMonitor"):
        sel = pm["spec"]["selector"]
        c.check(operator_made(sel) or selected_pods(m, sel, ns_of(pm)), f"PodMonitor {name_of(pm)} selects no pod")
    if m.of("PrometheusRule"):
        c.check(monitors, "alerts without a ServiceMonitor: nothing would feed them")


def check_strimzi(c, m):
    kafkas = {(ns_of(k), name_of(k)) for k in m.of("Kafka")}
    for obj in m.of("KafkaNodePool", "KafkaTopic", "KafkaUser"):
        cluster = obj["metadata"].get("labels", {}).get("strimzi.io/cluster")
        c.check((ns_of(obj), cluster) in kafkas, f"{obj['kind']} {name_of(obj)}: Kafka cluster {cluster} is not defined here")
    if m.of("Kafka"):
        topics = {t["spec"].get("topicName", name_of(t)) for t in m.of("KafkaTopic")}
        for svc in SERVICES_WITH_TOPICS:
            for topic in (f"osh.{svc}.events", f"osh.{svc}.events.dlt"):
                c.check(topic in topics, f"KafkaTopic {topic} is missing")
        pools = [p for p in m.of("KafkaNodePool")]
        c.check(any("controller" in p["spec"]["roles"] for p in pools), "no KafkaNodePool has the controller role (KRaft)")
        c.check(any("broker" in p["spec"]["roles"] for p in pools), "no KafkaNodePool has the broker role")
    # Upward mirrors (target "national") gather every province's events and exchange topic;
    # downward ones (source "national") bring the exchange topic back to each province under a
    # renamed topic, which the upward pattern never takes back (no loop).
    downward_targets = set()
    for mm2 in m.of("KafkaMirrorMaker2"):
        if mm2["spec"]["target"]["alias"] != "national":
            for mirror in mm2["spec"]["mirrors"]:
                alias = mirror["source"]["alias"]
                c.check(alias == "national", f"KafkaMirrorMaker2 {name_of(mm2)}: mirrors {alias}, not the national cluster")
                pattern = mirror.get("topicsPattern", "")
                c.check(re.fullmatch(pattern, EXCHANGE_TOPIC) is not None,
                        f"KafkaMirrorMaker2 {name_of(mm2)}: {pattern!r} misses {EXCHANGE_TOPIC}")
                for svc in SERVICES_WITH_TOPICS:
                    c.check(re.fullmatch(pattern, f"osh.{svc}.events") is None,
                            f"KafkaMirrorMaker2 {name_of(mm2)}: {pattern!r} sends osh.{svc}.events back down")
                policy = mirror.get("sourceConnector", {}).get("config", {}).get("replication.policy.class", "")
                c.check("IdentityReplicationPolicy" not in policy,
                        f"KafkaMirrorMaker2 {name_of(mm2)}: the downward copy must be renamed (national.*), "
                        "or the upward mirror would take it back up")
            downward_targets.add(mm2["spec"]["target"]["alias"])
            continue
        aliases = {mirror["source"]["alias"] for mirror in mm2["spec"]["mirrors"]}
        missing = [code for code in MAINLAND_PROVINCES if f"p{code}" not in aliases]
        c.check(not missing, f"KafkaMirrorMaker2 {name_of(mm2)} mirrors no province {missing}")
        for mirror in mm2["spec"]["mirrors"]:
            pattern = mirror.get("topicsPattern", "")
            alias = mirror["source"]["alias"]
            for svc in SERVICES_WITH_TOPICS:
                # Java's Pattern.matcher().matches() is a full match, as re.fullmatch.
                c.check(re.fullmatch(pattern, f"osh.{svc}.events") is not None,
                        f"KafkaMirrorMaker2 mirror {alias}: {pattern!r} misses osh.{svc}.events")
                c.check(re.fullmatch(pattern, f"osh.{svc}.events.dlt") is None,
                        f"KafkaMirrorMaker2 mirror {alias}: {pattern!r} takes the dead letters osh.{svc}.events.dlt")
            c.check(re.fullmatch(pattern, EXCHANGE_TOPIC) is not None,
                    f"KafkaMirrorMaker2 mirror {alias}: {pattern!r} misses {EXCHANGE_TOPIC}")
            c.check(re.fullmatch(pattern, "national." + EXCHANGE_TOPIC) is None,
                    f"KafkaMirrorMaker2 mirror {alias}: {pattern!r} takes national.{EXCHANGE_TOPIC} back up (a loop)")
    if m.of("KafkaMirrorMaker2"):
        missing = [code for code in MAINLAND_PROVINCES if f"p{code}" not in downward_targets]
        c.check(not missing, f"no KafkaMirrorMaker2 brings {EXCHANGE_TOPIC} down to provinces {missing}")


DATABASE_ENV = re.compile(r"(DATABASE_URL|PGPASSWORD|PGPASSFILE)$")


def services_reading_database_url(repo_root):
    """Services whose code declares the key database-url (service::DatabaseUrlConfigKey)."""
    found = set()
    for source in glob.glob(os.path.join(repo_root, "services", "*", "*.cc")):
        with open(source, encoding="utf-8") as f:
            if "DatabaseUrlConfigKey(" in f.read():
                found.add(os.path.basename(os.path.dirname(source)))
    return found


def further_databases(repo_root):
    """Per service, the env names of the further database-url keys its code declares
    (service::DatabaseUrlConfigKey(file, "xapi-database-url") -> OSH_XAPI_DATABASE_URL): stores of
    their own, such as training's xAPI LRS, which on PostgreSQL need a database of their own too."""
    found = {}
    for source in glob.glob(os.path.join(repo_root, "services", "*", "*.cc")):
        with open(source, encoding="utf-8") as f:
            for key in re.findall(r'DatabaseUrlConfigKey\(\s*"[^"]*"\s*,\s*"([a-z0-9-]+)"\s*\)', f.read()):
                svc = os.path.basename(os.path.dirname(source))
                found.setdefault(svc, set()).add("OSH_" + key.upper().replace("-", "_"))
    return found


def pdb_keeps_one_and_lets_one_go(pdb, replicas):
    """A budget for `replicas` pods under which a drain can evict one and one still serves."""
    spec = pdb["spec"]
    if isinstance(spec.get("maxUnavailable"), int):
        return 1 <= spec["maxUnavailable"] <= replicas - 1
    if isinstance(spec.get("minAvailable"), int):
        return 1 <= spec["minAvailable"] <= replicas - 1
    return False  # percentages: too easy to round to 0 or to all of them


def database_secrets(m, namespace):
    """Secrets whose keys may feed a database URL: a DatabaseRole's password Secret when its
    Cluster exists and a Database is owned by that role, and each Cluster's <name>-app."""
    clusters = {name_of(cl) for cl in m.of("Cluster") if ns_of(cl) == namespace}
    owners = {(d["spec"]["cluster"]["name"], d["spec"]["owner"]) for d in m.of("Database") if ns_of(d) == namespace}
    secrets = {f"{cl}-app" for cl in clusters}
    for role in m.of("DatabaseRole"):
        cluster = role["spec"]["cluster"]["name"]
        if ns_of(role) == namespace and cluster in clusters and (cluster, role["spec"]["name"]) in owners:
            secret = (role["spec"].get("passwordSecret") or {}).get("name")
            if secret:
                secrets.add(secret)
    return secrets


def check_storage(c, m, repo_root):
    readers = services_reading_database_url(repo_root)
    further = further_databases(repo_root)
    code = {os.path.basename(os.path.dirname(p)) for p in glob.glob(os.path.join(repo_root, "services", "*", "main.cc"))}
    # No database URL or password hides in a ConfigMap (envFrom would hand it to the pods).
    for cm in m.of("ConfigMap"):
        for key, value in (cm.get("data") or {}).items():
            c.check(not DATABASE_ENV.search(key) and not re.match(r"postgres(ql)?://", str(value)),
                    f"ConfigMap {name_of(cm)}: {key} carries a database URL or password; it belongs in a Secret")
    for w in m.of(*WORKLOAD_KINDS):
        ns, wname = ns_of(w), name_of(w)
        spec = w["spec"]["template"]["spec"]
        labels = w["spec"]["template"].get("metadata", {}).get("labels", {})
        for ctr in spec["containers"]:
            where = f"{w['kind']} {wname} container {ctr['name']}"
            for var in ctr.get("env") or []:
                if not DATABASE_ENV.search(var["name"]):
                    continue
                ref = (var.get("valueFrom") or {}).get("secretKeyRef")
                if c.check(ref is not None, f"{where}: {var['name']} does not come from a secretKeyRef"):
                    allowed = database_secrets(m, ns)
                    c.check(ref["name"] in allowed,
                            f"{where}: {var['name']} reads Secret {ref['name']}, which is neither a DatabaseRole's "
                            f"password Secret with its Database nor a Cluster's <name>-app {sorted(allowed)}")
        # CloudNativePG's <cluster>-ca Secret holds the CA's private key beside ca.crt: a pod
        # that verifies the server mounts ca.crt alone.
        ca_secrets = {f"{name_of(cl)}-ca" for cl in m.of("Cluster") if ns_of(cl) == ns}
        for vol in spec.get("volumes") or []:
            secret = vol.get("secret") or {}
            if secret.get("secretName") in ca_secrets:
                keys = [i.get("key") for i in secret.get("items") or []]
                c.check(keys == ["ca.crt"],
                        f"{w['kind']} {wname}: volume {vol['name']} mounts {secret['secretName']} with keys "
                        f"{keys or 'all'}, not ca.crt alone (ca.key signs server certificates)")
        for ctr in spec["containers"]:
            where = f"{w['kind']} {wname} container {ctr['name']}"
            service = re.fullmatch(r"(?:.*/)?osh-([a-z0-9-]+)(?::.*|@.*)?", ctr.get("image", ""))
            env = resolve_env(ctr, m, ns)
            if not service or "OSH_DATA_DIR" not in env:
                continue
            svc = service.group(1)
            on_postgres = any(v["name"] == "OSH_DATABASE_URL" for v in ctr.get("env") or [])
            named = {v["name"] for v in ctr.get("env") or []}
            if w["kind"] == "StatefulSet":
                c.check(not on_postgres,
                        f"{where}: a SQLite StatefulSet with OSH_DATABASE_URL (embedded or PostgreSQL, not both)")
                for var in sorted(further.get(service.group(1), set()) & named):
                    c.check(False, f"{where}: a SQLite StatefulSet with {var} (embedded keeps that store in a file too)")
                continue
            for var in sorted(further.get(service.group(1), set()) - named):
                c.check(False, f"{where}: on PostgreSQL without {var}: services/{service.group(1)} keeps a further "
                               "store that needs a database of its own (it refuses to start without one)")
            # A Deployment of a service that keeps data: PostgreSQL, 2+ replicas, a budget.
            c.check(on_postgres, f"{where}: a {w['kind']} of a service that keeps data has no OSH_DATABASE_URL "
                                 "(each replica would keep its own SQLite file)")
            if svc in code:
                c.check(svc in readers,
                        f"{where}: services/{svc} does not read database-url (service::DatabaseUrlConfigKey): "
                        "OSH_DATABASE_URL would be ignored and each replica keep its own SQLite file")
            replicas = w["spec"].get("replicas", 1)
            c.check(replicas >= 2, f"{where}: a {w['kind']} on PostgreSQL runs {replicas} replica(s), fewer than 2")
            pdbs = [p for p in m.of("PodDisruptionBudget") if ns_of(p) == ns and matches(p["spec"]["selector"], labels)]
            if c.check(pdbs, f"{where}: no PodDisruptionBudget selects its pods"):
                for p in pdbs:
                    c.check(pdb_keeps_one_and_lets_one_go(p, replicas),
                            f"PodDisruptionBudget {name_of(p)}: with {replicas} replicas of {wname} it must let one go "
                            "and keep one serving")
            c.check(bool(spec.get("topologySpreadConstraints")) or "podAntiAffinity" in (spec.get("affinity") or {}),
                    f"{where}: replicas are not spread over nodes (topologySpreadConstraints or podAntiAffinity)")


def check_postgres(c, m):
    clusters = {(ns_of(cl), name_of(cl)) for cl in m.of("Cluster")}
    for obj in m.of("Database", "DatabaseRole", "ScheduledBackup"):
        cluster = obj["spec"]["cluster"]["name"]
        c.check((ns_of(obj), cluster) in clusters, f"{obj['kind']} {name_of(obj)}: Cluster {cluster} is not defined here")
    roles = {(ns_of(r), r["spec"]["cluster"]["name"], r["spec"]["name"]) for r in m.of("DatabaseRole")}
    for db in m.of("Database"):
        owner = (ns_of(db), db["spec"]["cluster"]["name"], db["spec"]["owner"])
        c.check(owner in roles, f"Database {name_of(db)}: its owner {db['spec']['owner']} is no DatabaseRole of the Cluster")
    for cl in m.of("Cluster"):
        ns, name, spec = ns_of(cl), name_of(cl), cl["spec"]
        where = f"Cluster {name}"
        instances = spec.get("instances", 1)
        c.check(instances >= 3, f"{where}: {instances} instance(s), fewer than 3 (a primary and two standbys)")
        # Synchronous: the postgresql.synchronous stanza (number of standbys a commit waits for;
        # "preferred" durability would drop to asynchronous when standbys are missing), or the
        # older minSyncReplicas/maxSyncReplicas.
        sync = (spec.get("postgresql") or {}).get("synchronous")
        if sync is not None:
            c.check(1 <= sync.get("number", 0) <= instances - 1,
                    f"{where}: synchronous.number {sync.get('number')} must be between 1 and instances - 1")
            c.check(sync.get("dataDurability", "required") == "required",
                    f"{where}: synchronous.dataDurability {sync.get('dataDurability')!r} lets commits go unreplicated")
        else:
            low, high = spec.get("minSyncReplicas", 0), spec.get("maxSyncReplicas", 0)
            c.check(1 <= low <= high <= instances - 1,
                    f"{where}: no synchronous replication (postgresql.synchronous, or 1 <= minSyncReplicas <= "
                    f"maxSyncReplicas < instances; found {low}, {high})")
        affinity = spec.get("affinity") or {}
        c.check(affinity.get("enablePodAntiAffinity", True) is not False
                and affinity.get("podAntiAffinityType") == "required",
                f"{where}: instances may share a node (affinity.podAntiAffinityType must be required)")
        for part in ("requests", "limits"):
            for r in ("cpu", "memory"):
                c.check(r in ((spec.get("resources") or {}).get(part) or {}), f"{where}: resources.{part}.{r} is not set")
        c.check(spec.get("enableSuperuserAccess") is not True, f"{where}: enableSuperuserAccess opens the postgres user")
        # WAL archiving and base backups to object storage, keys from Secrets.
        store = (spec.get("backup") or {}).get("barmanObjectStore")
        if not c.check(store is not None, f"{where}: no backup.barmanObjectStore (no WAL archive, no base backups)"):
            continue
        c.check(str(store.get("destinationPath", "")).startswith(("s3://", "gs://", "https://")),
                f"{where}: backup destinationPath {store.get('destinationPath')!r} is not object storage")
        c.check(re.fullmatch(r"[1-9][0-9]*[dwm]", str((spec.get("backup") or {}).get("retentionPolicy", ""))) is not None,
                f"{where}: backup.retentionPolicy is not set (the archive would grow forever)")
        creds = [store.get(k) for k in ("s3Credentials", "azureCredentials", "googleCredentials") if store.get(k)]
        if c.check(len(creds) == 1, f"{where}: backup needs exactly one set of object-store credentials"):
            for key, ref in creds[0].items():
                if not isinstance(ref, bool):  # inheritFromIAMRole and the like are switches
                    c.check(isinstance(ref, dict) and {"name", "key"} <= set(ref),
                            f"{where}: backup credential {key} is not a Secret key reference")
        # A Cluster recovered from an archive (k8s/components/restore) must archive elsewhere:
        # CloudNativePG refuses a non-empty archive, and two timelines must never mix.
        recovery = (spec.get("bootstrap") or {}).get("recovery")
        if recovery and "source" in recovery:
            sources = {e["name"]: e for e in spec.get("externalClusters") or []}
            source = (sources.get(recovery["source"]) or {}).get("barmanObjectStore")
            if c.check(source is not None,
                       f"{where}: recovers from {recovery['source']}, which is no externalCluster with an object store"):
                archive = (store.get("destinationPath"), store.get("serverName", name))
                origin = (source.get("destinationPath"), source.get("serverName", recovery["source"]))
                c.check(archive != origin, f"{where}: archives into {archive}, the archive it recovers from")
        scheduled = [b for b in m.of("ScheduledBackup") if ns_of(b) == ns and b["spec"]["cluster"]["name"] == name]
        c.check(any(b["spec"].get("method", "barmanObjectStore") == "barmanObjectStore" and not b["spec"].get("suspend")
                    for b in scheduled), f"{where}: no active ScheduledBackup to the object store")


def check_namespaces(c, m):
    namespaces = [name_of(n) for n in m.of("Namespace")]
    if not namespaces:
        return
    c.check(len(namespaces) == 1, f"one Namespace per deployment, found {namespaces}")
    for d in m.docs:
        if d["kind"] != "Namespace":
            c.check(ns_of(d) == namespaces[0], f"{d['kind']} {name_of(d)} is in namespace {ns_of(d)!r}, not {namespaces[0]}")


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__)
    repo_root, overlay, rendered = argv[1:]
    with open(rendered, encoding="utf-8") as f:
        m = Manifests(yaml.safe_load_all(f))
    c = Checker(overlay)
    c.check(not m.of("Secret"), f"Secrets in the output: {[name_of(s) for s in m.of('Secret')]} (reference them, never commit them)")
    check_workloads(c, m, repo_root)
    check_selectors(c, m)
    check_monitors(c, m)
    check_strimzi(c, m)
    check_storage(c, m, repo_root)
    check_postgres(c, m)
    check_namespaces(c, m)
    print(f"checks: {c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
