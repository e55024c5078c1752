#!/usr/bin/env bash
# End to end, a transfer between provinces in the deployed topology, with real parts only:
# three single-node Kafka clusters (Guangdong 44, Jiangsu 32, national), Apache Kafka's own
# MirrorMaker 2 as k8s/overlays/national deploys it (up: each province's osh.*.events and
# osh.exchange.transfers into national, IdentityReplicationPolicy; down: national's
# osh.exchange.transfers into each province as national.osh.exchange.transfers,
# DefaultReplicationPolicy), and one osh-registry per province on its own cluster, reading
# national.osh.exchange.transfers.
#  1. an employer with its declaration arrives in Jiangsu, and Jiangsu's acknowledgement
#     turns it from TRANSFER_PENDING to TRANSFERRED_OUT in Guangdong;
#  2. with both mirrors down during the transfer (a history in parts), it stays pending and
#     listed until they are restarted, then arrives and is confirmed;
#  3. with Jiangsu's registry SIGKILLed during the transfer, it arrives when Jiangsu restarts;
#  4. exactly once: a fresh consumer group replaying everything imports nothing twice; no
#     registry dead-letters anything (each ignores its own events coming back); no event
#     on the national cluster carries the legal representative's name or phone.
# Every wait is a bounded poll of an observable condition (a row, a status, a pid).
# Usage: transfer_mirror_e2e.sh <osh-registry> <osh-devtoken> <grpcurl> <kafka.sh> <mirrormaker.sh> <base-port>
set -uo pipefail
REGISTRY="$1" DEVTOKEN="$2" GRPCURL="$3" KAFKA="$4" MM2="$5" BASE="${6:-29192}"
source "$(dirname "${BASH_SOURCE[0]}")/topology.sh"

passed=0 failed=0
check() {
  local what="$1"; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $what"
  else failed=$((failed + 1)); echo "FAIL $what"; fi
}

topology_up
# 1. Everything up: one employer with one declaration.
E1="$(new_employer 1 3 DECLARATION_TYPE_INITIAL)"; is_id "$E1" "employer 1 not registered"
check "the transfer answers TRANSFER_PENDING" test "$(transfer "$E1")" = EMPLOYER_STATUS_TRANSFER_PENDING
check "the employer arrives in Jiangsu" wait_until 120 arrived "$E1"
check "with its declaration" test "$(declarations32 "$E1")" = 1
check "Jiangsu's acknowledgement confirms it in Guangdong" wait_until 60 confirmed "$E1"
check "the transfer is listed as confirmed" test "$(transfer_state "$E1")" = TRANSFER_STATE_CONFIRMED
check "and no longer as pending" not pending_listed "$NATIONAL" "$E1"

# 2. Both mirrors down during the transfer of a history in parts (2 x 350 rows, ~1.7 MB).
mirrors_stop
check "the mirrors are down" not "$MM2" running --dir "$WORK/mm2-up"
E2="$(new_employer 2 350 DECLARATION_TYPE_INITIAL DECLARATION_TYPE_ANNUAL)"; is_id "$E2" "employer 2 not registered"
check "the large transfer answers TRANSFER_PENDING" test "$(transfer "$E2")" = EMPLOYER_STATUS_TRANSFER_PENDING
outbox_drained() { [[ "$(db 44 "SELECT COUNT(*) FROM events_outbox WHERE sent_at IS NULL")" == 0 ]]; }
check "Guangdong publishes it to its own cluster" wait_until 60 outbox_drained
check "its history went in parts" test "$(db 44 "SELECT COUNT(*) FROM events_outbox WHERE type = 'osh.events.v1.EnterpriseTransferPart'")" -ge 2
check "while the mirrors are down it is pending for the province's staff" pending_listed "$ADMIN44" "$E2"
check "and for national roles" pending_listed "$NATIONAL" "$E2"
check "and not in Jiangsu" test "$(db 32 "SELECT COUNT(*) FROM employers WHERE id = '$E2'")" = 0
mirrors_start
check "after the mirrors restart it arrives" wait_until 120 arrived "$E2"
check "with both declarations" test "$(declarations32 "$E2")" = 2
check "and is confirmed" wait_until 60 confirmed "$E2"

# 3. Jiangsu's registry killed during the transfer.
kill_registry 32
E3="$(new_employer 3 3 DECLARATION_TYPE_INITIAL)"; is_id "$E3" "employer 3 not registered"
check "the transfer while Jiangsu is down answers TRANSFER_PENDING" test "$(transfer "$E3")" = EMPLOYER_STATUS_TRANSFER_PENDING
handover_id="$(db 44 "SELECT event_id FROM events_outbox WHERE topic = '$EXCHANGE' AND type = 'osh.events.v1.EnterpriseTransferred' ORDER BY seq DESC LIMIT 1")"
in_jiangsu_cluster() {
  kcat -C -b "127.0.0.1:$P32" -t "$MIRRORED" -o beginning -e -q -f '%h\n' 2>/dev/null | grep -q "ce_id=$handover_id"
}
check "the handover reaches Jiangsu's cluster meanwhile" wait_until 120 in_jiangsu_cluster
check "and is still pending in Guangdong" test "$(status44 "$E3")" = EMPLOYER_STATUS_TRANSFER_PENDING
start_registry 32 "$P32"
check "Jiangsu imports it when it is back" wait_until 120 arrived "$E3"
check "and Guangdong gets the confirmation" wait_until 60 confirmed "$E3"

# 4. Exactly once, and nothing refused or leaked.
for e in "$E1" "$E2" "$E3"; do
  check "employer $e imported once" test "$(imports32 "$e")" = 1
done
check "one acknowledgement per transfer" test "$(db 32 "SELECT COUNT(*) FROM events_outbox WHERE type = 'osh.events.v1.EnterpriseTransferAccepted'")" = 3
check "no transfer left pending" test "$(db 44 "SELECT COUNT(*) FROM transfers_sent WHERE state = 1")" = 0
processed="$(db 32 "SELECT COUNT(*) FROM events_processed")"
kill_registry 32
start_registry 32 "$P32" "registry-32-replay"
replayed() { (( $(metric 32 osh_events_duplicates_total) >= processed )); }
check "a fresh consumer group replays the exchange topic" wait_until 120 replayed
for e in "$E1" "$E2" "$E3"; do
  check "employer $e still imported once after the replay" test "$(imports32 "$e")" = 1
done
check "declarations not doubled" test "$(declarations32 "$E2")" = 2
check "Jiangsu dead-lettered nothing" test "$(metric 32 osh_events_dead_lettered_total)" = 0
check "Guangdong dead-lettered nothing (its own events came back and were ignored)" \
  test "$(metric 44 osh_events_dead_lettered_total)" = 0
check "Guangdong imported nothing of its own" test "$(db 44 "SELECT COUNT(*) FROM transfers_imported")" = 0
national_payloads="$(kcat -C -b "127.0.0.1:$PNAT" -t "$EXCHANGE" -o beginning -e -q -f '%s\n' 2>/dev/null | wc -c)"
check "the national cluster holds the exchange traffic" test "$national_payloads" -gt 1000
leaks() { kcat -C -b "127.0.0.1:$PNAT" -t "$1" -o beginning -e -q -f '%s\n' 2>/dev/null | grep -c -e 13912345678 -e 欧阳明 -e '139\*\*\*\*5678'; }
check "no event on the national cluster carries the legal representative" test "$(leaks "$EXCHANGE")$(leaks osh.registry.events)" = 00

echo "transfer_mirror_e2e: $passed passed, $failed failed"
(( failed == 0 ))
