#!/usr/bin/env bash
# Append throughput with 1,000 pattern subscriptions present vs none (issue 10: appends must not
# slow down because subscriptions exist), on one fresh node:
#
#   bench/subscriptions-overhead.sh [--subs 1000] [--rounds 2] [--prewarm 20s] [--warmup 5s]
#                                   [--duration 15s] [--port 4491] [--out DIR]
#
# 1. starts a fresh bin/sluice (own data dir), pre-warms it with closed-loop appends (not measured);
# 2. per round: `append` closed loop (100 streams, 256 B, 64 connections) with no subscription, then
#    creates --subs pull-wake subscriptions with patterns `tenant-<i>/*` (none matches the bench's
#    streams: what is measured is the cost of their presence, the index lookup on every append),
#    runs the same scenario again, deletes them; rounds alternate so drift on a shared machine
#    hits both sides;
# 3. prints appends/s of every run and the ratio of the medians (with / none).
#
# Needs a built server and bench (SLUICE_NO_BUILD=1 is passed to both). Stops the server on exit.
set -uo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
SUBS=1000; ROUNDS=2; PREWARM=20s; WARMUP=5s; DURATION=15s; PORT=4491; OUT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --subs) SUBS="$2"; shift ;;
    --rounds) ROUNDS="$2"; shift ;;
    --prewarm) PREWARM="$2"; shift ;;
    --warmup) WARMUP="$2"; shift ;;
    --duration) DURATION="$2"; shift ;;
    --port) PORT="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done
OUT="${OUT:-$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-subscriptions-overhead}"
mkdir -p "$OUT"
DATA="$OUT/data"
URL="http://127.0.0.1:$PORT"
SERVER_PID=""
cleanup() { [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; }
trap cleanup EXIT

SLUICE_NO_BUILD=1 "$ROOT/bin/sluice" --port "$PORT" --management-port off --data-dir "$DATA" > "$OUT/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 120); do curl -sf "$URL/health" >/dev/null && break; sleep 0.5; done
curl -sf "$URL/health" >/dev/null || { echo "server did not start; see $OUT/server.log" >&2; exit 1; }

bench() { # label name duration warmup
  SLUICE_NO_BUILD=1 "$ROOT/bin/sluice-bench" --scenario append --url "$URL" --streams 100 --connections 64 \
    --duration "$3" --warmup "$4" --pid "$SERVER_PID" --label "$1" --name "$2" --out "$OUT" --quiet > "$OUT/$2.log" 2>&1
  # Server CPU per append is printed too: on a shared machine it drifts less than appends/s.
  node -e 'const r=require(process.argv[1]); const v=k=>(r.metrics.find(m=>m.key===k)||{}).value; const p=r.params;
    console.log(`appends/s=${Math.round(v("throughput"))} p50=${v("p50").toFixed(2)}ms p99=${v("p99").toFixed(1)}ms`
      + ` server_cores=${p.cpu_server_cores} other_cores=${p.cpu_other_cores}`
      + ` server_cpu_us_per_append=${Math.round(p.cpu_server_cores / v("throughput") * 1e6)} errors=${v("errors")}`)' \
    "$OUT/$1--$2.json" 2>/dev/null || tail -3 "$OUT/$2.log"
}
subs() { # PUT|DELETE
  for i in $(seq 1 "$SUBS"); do
    if [[ "$1" == PUT ]]; then
      curl -s -o /dev/null -w '%{http_code}\n' -X PUT "$URL/v1/stream/__ds/subscriptions/bench-$i" -H 'Content-Type: application/json' \
        -d "{\"type\":\"pull-wake\",\"pattern\":\"tenant-$i/*\",\"wake_stream\":\"wake/tenant-$i\"}"
    else
      curl -s -o /dev/null -w '%{http_code}\n' -X DELETE "$URL/v1/stream/__ds/subscriptions/bench-$i"
    fi
  done | sort | uniq -c | tr '\n' ' '
  echo
}

echo "prewarm $PREWARM"
bench prewarm prewarm "$PREWARM" 1s > /dev/null
for r in $(seq 1 "$ROUNDS"); do
  echo "round $r none: $(bench none "none-$r" "$DURATION" "$WARMUP")"
  echo "round $r create $SUBS subscriptions: $(subs PUT)"
  echo "round $r with $SUBS: $(bench "subs$SUBS" "subs-$r" "$DURATION" "$WARMUP")"
  echo "round $r delete: $(subs DELETE)"
done
echo "results in $OUT"
