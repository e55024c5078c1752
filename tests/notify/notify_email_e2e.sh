#!/usr/bin/env bash
# Notifications end to end with real processes: osh-registry publishes
# EnterpriseRegistered to the real Kafka broker (ctest fixture `kafka`),
# osh-notify routes it by a rule into an email that a real SMTP server
# (aiosmtpd from PyPI, pinned, capturing into a Maildir) receives — once, also
# after osh-notify is killed with SIGKILL and started again on the same data.
# With OSH_TEST_POSTGRES_URL set (ctest fixture `postgres`), osh-notify runs on
# a fresh PostgreSQL database of that server (--database-url), for province 64
# instead of 63 so that the two runs sharing the broker never see each other's
# registration.
# Usage: notify_email_e2e.sh <build-dir> <source-dir> <grpcurl>
set -uo pipefail
BIN_DIR="$1" ROOT="$2" GRPCURL="$3"
KAFKA_BROKERS="${OSH_TEST_KAFKA_BOOTSTRAP:?the kafka fixture sets OSH_TEST_KAFKA_BOOTSTRAP}"
source "$ROOT/deploy/common.sh"
VENV="$(osh_pinned_venv aiosmtpd-1.4.6 "$ROOT/tests/notify/aiosmtpd-requirements.txt")" || exit 1
WORK="$(mktemp -d)"
source "$ROOT/tests/gateway/stack.sh"  # free ports, tokens, cleanup of everything started
source "$ROOT/tests/gateway/http_checks.sh"

SMTP_PORT="$(free_port)"
# aiosmtpd creates the Maildir (with its tmp/new/cur) itself.
"$VENV/bin/python" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$WORK/maildir" \
  >>"$WORK/smtp.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do osh_port_open "$SMTP_PORT" && break; sleep 0.1; done
check "aiosmtpd listens" osh_port_open "$SMTP_PORT"

# Province 63 (Qinghai), or 64 (Ningxia) on PostgreSQL: no other test registers
# employers there, and the shared broker's osh.registry.events carries every
# test's registrations.
PROVINCE=63 CITY=630100 CITY_NAME=西宁市
DATABASE=()
if [[ -n "${OSH_TEST_POSTGRES_URL:-}" ]]; then
  PROVINCE=64 CITY=640100 CITY_NAME=银川市
  db="notify_e2e_$$"
  /usr/lib/postgresql/15/bin/psql -q "$OSH_TEST_POSTGRES_URL" -c "CREATE DATABASE $db" || exit 1
  DATABASE=(--database-url "${OSH_TEST_POSTGRES_URL%/*}/$db")
fi
ADMIN="$("$BIN_DIR/libs/auth/osh-devtoken" --secret-file "$SECRET_FILE" --sub notify-e2e-admin --role province_admin \
  --province "$PROVINCE")"
GROUP="notify-e2e-$$"
# The key ring sealing webhook secrets; the same file across the restart below.
printf 'e2e %s\n' "$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')" >"$WORK/field-keys"
start_notify() {  # start_notify <kafka-brokers>
  rm -f "$WORK/notify.ready"
  "$BIN_DIR/services/notify/osh-notify" --grpc-address 127.0.0.1:0 --admin-address 127.0.0.1:0 --province "$PROVINCE" \
    --data-dir "$WORK/notify" --jwt-hs256-secret-file "$SECRET_FILE" --ready-file "$WORK/notify.ready" \
    --field-key-file "$WORK/field-keys" \
    --kafka-brokers "$1" --consumer-group "$GROUP" --event-services registry --access-log false \
    --smtp-url "smtp://127.0.0.1:$SMTP_PORT" --smtp-from noreply@osh.invalid "${DATABASE[@]}" >>"$WORK/notify.log" 2>&1 &
  NOTIFY_PID=$!
  PIDS+=($NOTIFY_PID)
  wait_ready "$WORK/notify.ready" "$WORK/notify.log"
  NOTIFY="127.0.0.1:$(ready_value "$WORK/notify.ready" grpc_port)"
}
call() {  # call <target> <service/method> <json>
  "$GRPCURL" -plaintext -H "authorization: Bearer $ADMIN" -d "$3" "$1" "$2"
}
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2" 2>/dev/null; }

# The rule first (no broker yet), so the event cannot arrive before it.
start_notify ""
template="$(call "$NOTIFY" osh.notify.v1.NotifyService/CreateTemplate '{"template": {"name": "registered",
  "eventType": "osh.events.v1.EnterpriseRegistered", "channel": "CHANNEL_EMAIL", "locale": "zh-CN",
  "subject": "{{name}} 已登记", "body": "统一社会信用代码：{{employer.credit_code}}\n劳动者：{{employer.total_workers}} 人"}}')"
TEMPLATE="$(field "$template" id)"
check "an email template" test -n "$TEMPLATE"
bad="$(call "$NOTIFY" osh.notify.v1.NotifyService/CreateRule '{"rule": {"name": "x",
  "eventType": "osh.events.v1.EnterpriseRegistered", "recipients": [{"email": "not-an-address"}],
  "emailTemplateId": "'"$TEMPLATE"'"}}' 2>&1)"
check "an invalid address is refused when the rule is written" grep -q "recipients\[0\].email" <<<"$bad"
rule="$(call "$NOTIFY" osh.notify.v1.NotifyService/CreateRule '{"rule": {"name": "registrations to the office",
  "eventType": "osh.events.v1.EnterpriseRegistered", "recipients": [{"email": "office@gd.example.cn"}],
  "emailTemplateId": "'"$TEMPLATE"'"}}')"
check "a rule mailing registrations to the office" test -n "$(field "$rule" id)"
kill -TERM "$NOTIFY_PID"; wait "$NOTIFY_PID" 2>/dev/null

printf 'k1 %s\n' "$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')" > "$WORK/field-keys"
"$BIN_DIR/services/registry/osh-registry" --grpc-address 127.0.0.1:0 --admin-address 127.0.0.1:0 --province "$PROVINCE" \
  --data-dir "$WORK/registry" --jwt-hs256-secret-file "$SECRET_FILE" --ready-file "$WORK/registry.ready" \
  --kafka-brokers "$KAFKA_BROKERS" --consumer-group "registry-notify-e2e-$$" --access-log false \
  --field-key-file "$WORK/field-keys" \
  >>"$WORK/registry.log" 2>&1 &
PIDS+=($!)
wait_ready "$WORK/registry.ready" "$WORK/registry.log"
REGISTRY="127.0.0.1:$(ready_value "$WORK/registry.ready" grpc_port)"
start_notify "$KAFKA_BROKERS"

# A valid unified social credit code (GB 32100-2015 check character).
CODE="$(python3 - "$CITY" <<'PY'
import sys
alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
first = "91" + sys.argv[1] + "528471936"
total = sum(alphabet.index(c) * w for c, w in zip(first, weights))
print(first + alphabet[(31 - total % 31) % 31])
PY
)"
created="$(call "$REGISTRY" osh.registry.v1.RegistryService/CreateEmployer '{"employer": {"creditCode": "'"$CODE"'",
  "name": "'"$CITY_NAME"'邮件通知测试有限公司", "divisionCode": "'"$CITY"'", "industrySection": "C",
  "sizeClass": "SIZE_CLASS_SMALL", "totalWorkers": 57}}' 2>&1)"
check "an employer registered on the registry" test -n "$(field "$created" id)"

mail_count() { find "$WORK/maildir/new" -type f 2>/dev/null | wc -l; }
for _ in $(seq 1 300); do [[ "$(mail_count)" -ge 1 ]] && break; sleep 0.1; done
check "one email arrived at the SMTP server" test "$(mail_count)" = 1
MAIL="$(find "$WORK/maildir/new" -type f | head -1)"
read_mail() {
  python3 - "$MAIL" "$1" <<'PY'
import email, email.header, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
what = sys.argv[2]
if what == "subject":
    print(str(email.header.make_header(email.header.decode_header(m["Subject"]))))
elif what == "to":
    print(m["To"])
else:
    print(m.get_payload(decode=True).decode("utf-8"))
PY
}
check "addressed to the office" grep -q "office@gd.example.cn" <<<"$(read_mail to)"
check "with the rendered Chinese subject" test "$(read_mail subject)" = "${CITY_NAME}邮件通知测试有限公司 已登记"
check "and body" grep -q "劳动者：57 人" <<<"$(read_mail body)"

# SIGKILL and a restart on the same data and group: nothing is sent twice.
kill -KILL "$NOTIFY_PID"; wait "$NOTIFY_PID" 2>/dev/null
start_notify "$KAFKA_BROKERS"
# Whatever the restarted consumer re-reads is applied once its group has consumed the
# topic to its end; a wrong second email would then be a pending or sent delivery.
check "the restarted notify consumes the topic to its end" \
  "$BIN_DIR/libs/events/osh-kafka-lag" --brokers "$KAFKA_BROKERS" --group "$GROUP" --topic osh.registry.events --wait-zero 60
pending_deliveries() {
  call "$NOTIFY" osh.notify.v1.NotifyService/ListDeliveries '{"status": "DELIVERY_STATUS_PENDING"}' | grep -c '"id"'
}
for _ in $(seq 1 100); do [[ "$(pending_deliveries)" = 0 ]] && break; sleep 0.1; done
check "no second email after SIGKILL and restart" test "$(mail_count)" = 1
deliveries="$(call "$NOTIFY" osh.notify.v1.NotifyService/ListDeliveries '{"status": "DELIVERY_STATUS_DELIVERED"}')"
check "the delivery is recorded with its SMTP reply" grep -q '"smtp_code": 2[0-9][0-9]' <<<"$deliveries"
grep -q '"smtp_code"' <<<"$deliveries" || echo "$deliveries"

if [[ "$failed" != 0 ]]; then
  for log in notify smtp registry; do echo "--- $log.log"; tail -n 20 "$WORK/$log.log"; done
fi
echo "notify email e2e: $passed passed, $failed failed"
[[ "$failed" = 0 ]]
