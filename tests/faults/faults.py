#!/usr/bin/env python3
"""Fault injection under load, against the real platform.

Starts a whole province on free ports (its own Apache Kafka broker and
redis-server from deploy/, osh-registry, osh-reporting, osh-training,
osh-notify, osh-content and osh-gateway), drives a steady stream of employer
registrations through the gateway, and injects one fault at a time: SIGKILL and
restart of each service, the broker stopped and started, Redis stopped, a
service's disk filled, a process paused (SIGSTOP) past its timeouts.

After each fault, once the platform has caught up, it checks what the design
promises, counting from the stores and the topic rather than trusting the
services' own counters:
  - every acknowledged write is in the registry's store;
  - every event the registry committed is on the topic at least once (copies of
    one ce_id are counted and reported: the outbox publishes at least once);
  - every consumer applied each event exactly once: reporting's registration
    count, notify's deliveries and training's assignments equal a recount from
    the registry's events, nothing is counted twice, nothing was dead-lettered.
It prints a table: fault, writes acknowledged, lost, events republished,
effects duplicated, time until writes were accepted again and until every
consumer had caught up. Exit status 1 if anything was lost, duplicated or did
not recover.

Usage: faults.py --build-dir BUILD --source-dir SRC [--only kill-registry,...]
       [--phase-seconds S] [--writers N] [--rate R]
"""

import argparse
import collections
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

PROVINCE = "44"
DIVISIONS = ["440100", "440300", "440600", "441900"]
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
REGISTERED = "osh.events.v1.EnterpriseRegistered"
TOPIC = "osh.registry.events"
# Roles a mandatory course without hazard restriction is assigned to per employer.
ASSIGNED_ROLES = 2


def credit_code(index):
    division = DIVISIONS[index % len(DIVISIONS)]
    first17 = "91" + division + "%09d" % (700_000_000 + index)
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS))
    return first17 + CREDIT_ALPHABET[(31 - total % 31) % 31]


def free_port(pair=False):
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if not pair:
            return port
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 1))
                return port
            except OSError:
                continue


def port_open(port):
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_until(pred, limit, every=0.2):
    """Polls pred until it holds or `limit` seconds passed; its last answer."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(every)
    return pred()


class Platform:
    """The processes of one province, on fixed free ports so restarts keep addresses."""

    SERVICES = ["registry", "reporting", "training", "notify", "content", "gateway"]

    def __init__(self, build, source, work):
        self.build, self.source, self.work = build, source, work
        self.procs = {}
        self.kafka_port = free_port(pair=True)
        self.brokers = "127.0.0.1:%d" % self.kafka_port
        self.redis_port = free_port()
        self.grpc = {name: free_port() for name in self.SERVICES if name != "gateway"}
        self.http_port = free_port()
        self.secret = os.path.join(work, "secret")
        with open(self.secret, "w") as f:
            f.write(os.urandom(36).hex())
        with open(os.path.join(work, "certificate-key"), "w") as f:
            f.write(os.urandom(36).hex())
        import base64
        key = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
        with open(os.path.join(work, "field-keys"), "w") as f:
            f.write("faults %s\n" % key)
        self.mounts = []
        self.keep_data = False

    # --- the broker and Redis, run by the deploy scripts ---------------------------
    def kafka(self, action):
        args = [os.path.join(self.source, "deploy/kafka.sh"), action, "--dir", os.path.join(self.work, "kafka")]
        if action == "start":
            args += ["--port", str(self.kafka_port)]
            if not os.path.exists(os.path.join(self.work, "kafka")):
                args.append("--fresh")
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)

    def redis(self, action):
        args = [os.path.join(self.source, "deploy/redis.sh"), action, "--dir", os.path.join(self.work, "redis")]
        if action == "start":
            args += ["--port", str(self.redis_port)]
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)

    # --- the services -------------------------------------------------------------
    def data_dir(self, name):
        return os.path.join(self.work, name)

    def db(self, name, file=None):
        return os.path.join(self.data_dir(name), file or name + ".db")

    def argv(self, name):
        common = ["--province", PROVINCE, "--admin-address", "127.0.0.1:0", "--jwt-hs256-secret-file", self.secret,
                  "--access-log", "false", "--ready-file", os.path.join(self.work, name + ".ready")]
        if name == "gateway":
            upstream = lambda svc: "127.0.0.1:%d" % self.grpc[svc]
            upstreams = ",".join([
                "osh.registry.v1.RegistryService=" + upstream("registry"),
                "osh.registry.v1.SupervisionService=" + upstream("registry"),
                "osh.reporting.v1.ReportingService=" + upstream("reporting"),
                "osh.content.v1.ContentService=" + upstream("content"),
                "osh.notify.v1.NotifyService=" + upstream("notify"),
                "osh.training.v1.TrainingService=" + upstream("training"),
            ])
            return [os.path.join(self.build, "services/gateway/osh-gateway"), "--http-address",
                    "127.0.0.1:%d" % self.http_port, "--upstreams", upstreams, "--redis-address",
                    "127.0.0.1:%d" % self.redis_port, "--kafka-brokers", self.brokers, "--consumer-group",
                    "gateway-faults", "--request-timeout-ms", "3000", "--rate-limit-per-second", "1000",
                    "--rate-limit-capacity", "1000", "--rate-limit-local-per-second", "1000",
                    "--shutdown-grace-ms", "100"] + common
        argv = [os.path.join(self.build, "services/%s/osh-%s" % (name, name)), "--grpc-address",
                "127.0.0.1:%d" % self.grpc[name], "--data-dir", self.data_dir(name),
                "--kafka-brokers", self.brokers] + common
        if name == "registry":
            argv += ["--consumer-group", "registry-faults", "--field-key-file", os.path.join(self.work, "field-keys")]
        if name == "reporting":
            argv += ["--deployment", "faults"]
        if name == "notify":  # webhook secrets are sealed with a key ring
            argv += ["--field-key-file", os.path.join(self.work, "field-keys")]
        if name == "training":
            argv += ["--certificate-key-file", os.path.join(self.work, "certificate-key"), "--field-key-file",
                     os.path.join(self.work, "field-keys"), "--xapi-address", "127.0.0.1:0"]
        return argv

    def start(self, name):
        ready = os.path.join(self.work, name + ".ready")
        if os.path.exists(ready):
            os.remove(ready)
        os.makedirs(self.data_dir(name), exist_ok=True)
        log = open(os.path.join(self.work, name + ".log"), "ab")
        self.procs[name] = subprocess.Popen(self.argv(name), stdout=log, stderr=log)
        if not wait_until(lambda: os.path.exists(ready) and os.path.getsize(ready) > 0, 60, 0.05):
            raise RuntimeError("%s did not become ready; see %s.log" % (name, name))

    def kill(self, name, sig=signal.SIGKILL):
        proc = self.procs[name]
        proc.send_signal(sig)
        if sig in (signal.SIGKILL, signal.SIGTERM):
            proc.wait()

    def stop_all(self):
        for proc in self.procs.values():
            try:
                proc.send_signal(signal.SIGCONT)
                proc.kill()
                proc.wait()
            except ProcessLookupError:
                pass
        for action in (lambda: self.kafka("stop"), lambda: self.redis("kill")):
            try:
                action()
            except Exception:
                pass
        for mount in self.mounts:
            if self.keep_data:  # the tmpfs goes with the mount: keep a copy for the post-mortem
                shutil.copytree(mount, mount + ".kept", dirs_exist_ok=True)
            subprocess.run(["umount", "-l", mount], stderr=subprocess.DEVNULL)

    def mount_small_disk(self, name, megabytes):
        """Puts a service's data directory on a tmpfs of its own, so its disk can be filled."""
        path = self.data_dir(name)
        os.makedirs(path, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dm" % megabytes, "tmpfs", path], check=True)
        self.mounts.append(path)

    # --- HTTP through the gateway ---------------------------------------------------
    def token(self, subject, role, org=None):
        argv = [os.path.join(self.build, "libs/auth/osh-devtoken"), "--secret-file", self.secret, "--sub", subject,
                "--role", role, "--province", PROVINCE, "--ttl", "7200"]
        if org:
            argv += ["--org", org]
        return subprocess.run(argv, check=True, capture_output=True, text=True).stdout.strip()

    def call(self, method, path, token, body=None, timeout=5):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.http_port, path), data=data, method=method)
        req.add_header("authorization", "Bearer " + token)
        if data is not None:
            req.add_header("content-type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as e:
            try:
                return e.code, json.loads(e.read() or b"{}")
            except ValueError:
                return e.code, {}


class Load:
    """Writers registering employers through the gateway at a steady rate."""

    def __init__(self, platform, writers, rate):
        self.platform = platform
        self.writers = writers
        self.interval = writers / float(rate)
        self.lock = threading.Lock()
        self.next_index = 0
        self.acknowledged = {}  # credit code -> employer id
        self.refused = collections.Counter()  # HTTP status (0: no answer) -> count
        self.last_ack = 0.0
        self.ack_times = []
        self.running = False
        self.threads = []
        self.tokens = [platform.token("faults-writer-%d" % i, "province_admin") for i in range(writers)]

    def _take_index(self):
        with self.lock:
            self.next_index += 1
            return self.next_index

    def _writer(self, token):
        while self.running:
            started = time.monotonic()
            index = self._take_index()
            code = credit_code(index)
            body = {"creditCode": code, "name": "故障注入测试%d号有限公司" % index,
                    "divisionCode": code[2:8], "industrySection": "C", "sizeClass": "SIZE_CLASS_SMALL",
                    "totalWorkers": 50}
            try:
                # The request id makes a retry safe; this load does not retry, so an
                # unanswered write may or may not have landed (both are fine).
                status, answer = self.platform.call("POST", "/v1/employers?requestId=faults-%d" % index, token, body,
                                                    timeout=5)
            except Exception:
                status, answer = 0, {}
            with self.lock:
                if status == 200 and answer.get("id"):
                    self.acknowledged[code] = answer["id"]
                    self.last_ack = time.monotonic()
                    self.ack_times.append(self.last_ack)
                else:
                    self.refused[status] += 1
            pause = self.interval - (time.monotonic() - started)
            if pause > 0:
                time.sleep(pause)

    def start(self):
        self.running = True
        self.threads = [threading.Thread(target=self._writer, args=(t,), daemon=True) for t in self.tokens]
        for t in self.threads:
            t.start()

    def stop(self):
        self.running = False
        for t in self.threads:
            t.join()

    def longest_gap(self, since):
        """The longest time without an acknowledged write since `since`: the outage writers saw."""
        with self.lock:
            times = [since] + [t for t in self.ack_times if t > since]
        return max((b - a for a, b in zip(times, times[1:])), default=0.0)

    def acknowledged_count(self):
        with self.lock:
            return len(self.acknowledged)


class Ledger:
    """Reads what the stores and the topic hold, and compares it with what was acknowledged."""

    def __init__(self, platform, course_id):
        self.p = platform
        self.course_id = course_id

    def _query(self, service, sql, params=(), file=None):
        path = self.p.db(service, file)
        # Read-only: the service keeps writing; WAL lets this reader see the last commit.
        con = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=10)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def stored_codes(self):
        return {row[0] for row in self._query("registry", "SELECT credit_code FROM employers")}

    def outbox(self):
        """(all event ids, ids of EnterpriseRegistered, pending count) of the registry's outbox."""
        rows = self._query("registry", "SELECT event_id, type, sent_at IS NULL AND parked_at IS NULL FROM events_outbox")
        return ({r[0] for r in rows}, {r[0] for r in rows if r[1] == REGISTERED}, sum(r[2] for r in rows))

    def parked(self):
        """Events the relay set aside as unpublishable: none are expected from ordinary registrations."""
        return self._query("registry", "SELECT COUNT(*) FROM events_outbox WHERE parked_at IS NOT NULL")[0][0]

    def topic_copies(self, topic=TOPIC):
        """ce_id -> copies on the topic."""
        out = subprocess.run(["kcat", "-C", "-b", self.p.brokers, "-t", topic, "-o", "beginning", "-e", "-q",
                              "-f", "%h\n"], capture_output=True, text=True, timeout=120)
        copies = collections.Counter()
        for line in out.stdout.splitlines():
            for header in line.split(","):
                if header.startswith("ce_id="):
                    copies[header[len("ce_id="):]] += 1
        return copies

    def dead_letters(self):
        listing = subprocess.run(["kcat", "-L", "-b", self.p.brokers], capture_output=True, text=True, timeout=60)
        topics = [line.split('"')[1] for line in listing.stdout.splitlines() if line.strip().startswith("topic \"")]
        return {t: self._count_messages(t) for t in topics if t.endswith(".dlt")}

    def _count_messages(self, topic):
        out = subprocess.run(["kcat", "-C", "-b", self.p.brokers, "-t", topic, "-o", "beginning", "-e", "-q",
                              "-f", "x\n"], capture_output=True, text=True, timeout=60)
        return len(out.stdout.splitlines())

    def reporting_registrations(self):
        """Registrations counted by reporting, province level, all hazard categories."""
        rows = self._query("reporting", "SELECT COALESCE(SUM(registrations), 0) FROM rollup_cells WHERE level = 2 "
                           "AND hazard_category = 0")
        return rows[0][0]

    def notify_deliveries(self):
        rows = self._query("notify", "SELECT event_id FROM deliveries")
        return collections.Counter(r[0] for r in rows)

    def training_assignments(self):
        rows = self._query("training", "SELECT org FROM assignments WHERE course_id = ?", (self.course_id,))
        return collections.Counter(r[0] for r in rows)


def setup_consumers_work(platform, admin):
    """A notify rule for every registration and a published mandatory course for every employer."""
    status, template = platform.call("POST", "/v1/notify/templates", admin, {
        "requestId": "faults-template", "template": {
            "name": "faults", "eventType": REGISTERED, "channel": "CHANNEL_INBOX", "locale": "zh-CN",
            "subject": "新登记：{{name}}", "body": "{{employer.credit_code}}"}})
    if status != 200:
        raise RuntimeError("template: %s %s" % (status, template))
    status, rule = platform.call("POST", "/v1/notify/rules", admin, {
        "requestId": "faults-rule", "rule": {
            "name": "faults", "eventType": REGISTERED, "category": "registration",
            "recipients": [{"provinceRole": "province_admin"}], "inboxTemplateId": template["id"]}})
    if status != 200:
        raise RuntimeError("rule: %s %s" % (status, rule))
    content = {
        "title": "职业卫生基础（故障注入）", "summary": "全体用人单位必修",
        "targetRoles": ["TARGET_ROLE_EMPLOYER_PRINCIPAL", "TARGET_ROLE_OSH_MANAGER"], "mandatory": True,
        "maxAttempts": 3,
        "lessons": [{"id": "l1", "title": "第一课", "body": "用人单位应当对劳动者进行职业卫生培训。"}],
        "quiz": {"passMarkPercent": 60, "questions": [{
            "id": "q1", "text": "第一题", "kind": "QUESTION_KIND_SINGLE_CHOICE",
            "choices": [{"id": "a", "text": "是", "correct": True}, {"id": "b", "text": "否"}]}]}}
    status, course = platform.call("POST", "/v1/courses", admin, {"requestId": "faults-course", "content": content})
    if status != 200:
        raise RuntimeError("course: %s %s" % (status, course))
    status, published = platform.call("POST", "/v1/courses/%s:publish" % course["id"], admin,
                                      {"id": course["id"], "version": course["version"],
                                       "requestId": "faults-publish"})
    if status != 200:
        raise RuntimeError("publish: %s %s" % (status, published))
    return rule["id"], course["id"]


class Faults:
    def __init__(self, platform, load, ledger, phase_seconds):
        self.p, self.load, self.ledger = platform, load, ledger
        self.phase = phase_seconds
        self.rows = []
        self.failures = []
        self.copies_before = 0

    # Each fault: (name, inject, lift, seconds held). inject runs under load; lift ends the fault.
    def catalogue(self):
        faults = []
        for name in Platform.SERVICES:
            faults.append(("kill-" + name, lambda n=name: self.p.kill(n), lambda n=name: self.p.start(n), 0.5))
        faults.append(("kafka-stop", lambda: self.p.kafka("stop"), lambda: self.p.kafka("start"), self.phase))
        faults.append(("redis-stop", lambda: self.p.redis("stop"), lambda: self.p.redis("start"), self.phase))
        # Long enough for a consumer to exhaust the retries it gives a bad event.
        for name in ("registry", "reporting"):
            faults.append(("disk-full-" + name, lambda n=name: self.fill_disk(n), lambda n=name: self.free_disk(n),
                           max(self.phase, 10.0)))
        # Past the gateway's 3 s deadline for the registry, and past the consumer's session timeout for notify.
        faults.append(("pause-registry", lambda: self.p.kill("registry", signal.SIGSTOP),
                       lambda: self.p.kill("registry", signal.SIGCONT), max(self.phase, 5.0)))
        faults.append(("pause-notify", lambda: self.p.kill("notify", signal.SIGSTOP),
                       lambda: self.p.kill("notify", signal.SIGCONT), 12.0))
        return faults

    def fill_disk(self, name):
        path = os.path.join(self.p.data_dir(name), "filler")
        with open(path, "wb") as f:
            try:
                while True:
                    f.write(b"\0" * (1 << 20))
                    f.flush()
            except OSError:
                pass  # ENOSPC: the disk is full
        # The last pages may still fit; keep taking them.
        try:
            with open(path + "2", "wb") as f:
                while True:
                    f.write(b"\0" * 4096)
                    f.flush()
        except OSError:
            pass

    def free_disk(self, name):
        for suffix in ("", "2"):
            try:
                os.remove(os.path.join(self.p.data_dir(name), "filler" + suffix))
            except FileNotFoundError:
                pass

    def run(self, name, inject, lift, hold):
        acked_before = self.load.acknowledged_count()
        self.load.start()
        started = time.monotonic()
        time.sleep(self.phase / 2)  # load before the fault (not synchronisation: the run's length)
        inject()
        time.sleep(hold)  # the fault lasts this long under load
        lift()
        lifted = time.monotonic()  # the process is up again, the broker or Redis answers, the disk has room
        writes_back = wait_until(lambda: self.load.last_ack > lifted, 60, 0.05)
        time.sleep(self.phase / 2)  # load after recovery
        # The writers stop for the count, so that the topic has an end to read to.
        self.load.stop()
        caught_up, stats = self.settle(120)
        recovered = time.monotonic() - lifted
        acked = self.load.acknowledged_count() - acked_before
        row = {"fault": name, "acked": acked, **stats, "write_outage_s": self.load.longest_gap(started),
               "caught_up_s": recovered if caught_up else float("nan")}
        self.rows.append(row)
        problems = []
        if not writes_back:
            problems.append("writes were not accepted again within 60 s")
        if not caught_up:
            problems.append("consumers did not catch up within 120 s: %s" % stats.get("behind"))
        if stats["lost"]:
            problems.append("%d acknowledged writes lost" % stats["lost"])
        if stats["missing_events"]:
            problems.append("%d committed events missing from the topic" % stats["missing_events"])
        if stats["duplicated"]:
            problems.append("%d effects applied twice: %s" % (stats["duplicated"], stats["duplicated_by"]))
        if stats["parked"]:
            problems.append("%d events parked by the relay" % stats["parked"])
        if stats["dead_letters"]:
            problems.append("dead letters: %s" % stats["dead_letter_topics"])
        for p in problems:
            self.failures.append("%s: %s" % (name, p))
        print("%-20s %s" % (name, "ok" if not problems else "FAIL " + "; ".join(problems)), flush=True)

    def settle(self, limit):
        """Waits until the outbox is drained and every consumer reflects every registration; then counts."""
        deadline = time.monotonic() + limit
        stats = {}
        while True:
            stats = self.measure()
            if not stats["behind"] or time.monotonic() > deadline:
                return not stats["behind"], stats
            time.sleep(0.5)

    def measure(self):
        acked = dict(self.load.acknowledged)
        stored = self.ledger.stored_codes()
        all_ids, registered, pending = self.ledger.outbox()
        copies = self.ledger.topic_copies()
        on_topic = set(copies)
        reporting_count = self.ledger.reporting_registrations()
        deliveries = self.ledger.notify_deliveries()
        assignments = self.ledger.training_assignments()
        delivered_events = {e for e in deliveries if e in registered}
        behind = []
        if pending:
            behind.append("outbox pending %d" % pending)
        if not all_ids <= on_topic:
            behind.append("%d events not on the topic" % len(all_ids - on_topic))
        if reporting_count < len(registered):
            behind.append("reporting %d of %d" % (reporting_count, len(registered)))
        if len(delivered_events) < len(registered):
            behind.append("notify %d of %d" % (len(delivered_events), len(registered)))
        if len(assignments) < len(stored):
            behind.append("training %d of %d employers" % (len(assignments), len(stored)))
        dead = self.ledger.dead_letters()
        republished_total = sum(c - 1 for c in copies.values() if c > 1)
        twice = {
            "reporting": max(0, reporting_count - len(registered)),
            "notify": sum(c - 1 for e, c in deliveries.items() if e in registered and c > 1),
            "training": sum(c - ASSIGNED_ROLES for c in assignments.values() if c > ASSIGNED_ROLES),
        }
        duplicated = sum(twice.values())
        stats = {
            "lost": len(set(acked) - stored),
            "missing_events": len(all_ids - on_topic),
            "republished": republished_total - self.copies_before,
            "duplicated": duplicated,
            "duplicated_by": {k: v for k, v in twice.items() if v},
            "dead_letters": sum(dead.values()),
            "parked": self.ledger.parked(),
            "dead_letter_topics": dead,
            "behind": behind,
        }
        if not behind:
            self.copies_before = republished_total
        return stats

    def table(self):
        head = "%-20s %8s %6s %12s %11s %15s %12s" % ("fault", "acked", "lost", "republished", "duplicated",
                                                   "write outage s", "recovered s")
        lines = [head, "-" * len(head)]
        for r in self.rows:
            lines.append("%-20s %8d %6d %12d %11d %15.2f %12.2f" % (
                r["fault"], r["acked"], r["lost"], r["republished"], r["duplicated"], r["write_outage_s"],
                r["caught_up_s"]))
        return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--only", default="", help="comma-separated fault names")
    ap.add_argument("--phase-seconds", type=float, default=4.0)
    ap.add_argument("--writers", type=int, default=4)
    ap.add_argument("--rate", type=float, default=60.0, help="registrations per second, all writers together")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="osh-faults-")
    platform = Platform(os.path.abspath(args.build_dir), os.path.abspath(args.source_dir), work)
    ok = False
    try:
        platform.kafka("start")
        platform.redis("start")
        # Small disks for the services whose disk a fault fills (tmpfs: needs root, as CI runs).
        platform.mount_small_disk("registry", 96)
        platform.mount_small_disk("reporting", 48)
        for name in Platform.SERVICES:
            platform.start(name)
        admin = platform.token("faults-admin", "province_admin")
        _, course_id = setup_consumers_work(platform, admin)
        load = Load(platform, args.writers, args.rate)
        ledger = Ledger(platform, course_id)
        faults = Faults(platform, load, ledger, args.phase_seconds)
        wanted = [f for f in faults.catalogue() if not args.only or f[0] in args.only.split(",")]
        if not wanted:
            print("no fault named %s" % args.only)
            return 2
        try:
            for name, inject, lift, hold in wanted:
                faults.run(name, inject, lift, hold)
        finally:
            load.stop()
        print()
        print(faults.table())
        print("writes refused during faults (HTTP status: count): %s" % dict(load.refused))
        passed = len(faults.rows) - len({f.split(":")[0] for f in faults.failures})
        for f in faults.failures:
            print("FAIL " + f)
        print("faults: %d passed, %d failed" % (passed, len(faults.rows) - passed))
        ok = not faults.failures
    finally:
        platform.keep_data = args.keep or not ok
        platform.stop_all()
        if args.keep or not ok:
            print("work directory kept: %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
