#!/usr/bin/env bash
# Demo supervision facts for the demo provinces' registries: hazard testing,
# in-service health-exam summaries, inspections with items closed on time or
# late, assistance visits and occupational-disease case reports for the
# employers each registry holds, with a profile per province (Guangdong,
# Jiangsu and Beijing differ), so every indicator of reporting has a non-zero
# denominator. Fixed request ids: running it again changes nothing.
#   deploy/demo/supervision_facts.sh <build-dir> <province>:<registry grpc port>:<province_admin token file> ...
set -euo pipefail
BUILD_DIR="$1"; shift
for spec in "$@"; do
  IFS=: read -r province port token_file <<<"$spec"
  "$BUILD_DIR/bench/osh-loadgen" seed-supervision --target "127.0.0.1:$port" --token-file "$token_file" \
    --province "$province"
done
