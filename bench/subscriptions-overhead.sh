#!/usr/bin/env bash
# Append throughput with 1,000 pattern subscriptions present vs none (issue 10: appends must not
# slow down because subscriptions exist), on one fresh node:
#
#   bench/subscriptions-overhead.sh [--order none-first|with-first] [--runs 3] [--subs 1000]
#                                   [--prewarm 60s] [--warmup 5s] [--duration 15s]
#                                   [--port 4491] [--out DIR] [--keep-data]
#
# 1. starts a fresh bin/sluice (own data dir); if --order is with-first, creates the subscriptions;
# 2. pre-warms it with --prewarm of the same `append` load that is measured (not measured), so the
#    JIT has settled before the first measured run (a run early in a JVM's life is much slower);
# 3. --runs runs per state, alternating: none, with, none, with, ... (or with, none, ... for
#    with-first). Each run is `append` closed loop (100 streams, 256 B, 64 connections). Before a
#    "with" run --subs pull-wake subscriptions `tenant-<i>/*` are created (none matches the
#    bench's streams: what is measured is the cost of their presence, the index lookup on every
#    append); before a "none" run they are deleted, so both states follow a burst of writes;
# 4. prints, per run, appends/s, latency, the server's cores and CPU per append, the other
#    processes' cores and the load average before the run; then the medians per state and their
#    ratios (with / none). The same lines are in DIR/summary.txt.
#
# Run it twice, once per order, so drift over time does not favour one state. Needs a built server
# and bench (SLUICE_NO_BUILD=1 is passed to both). Stops the server on exit and deletes its data
# directory (about 1 GB after a run) unless --keep-data.
set -uo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
ORDER=none-first; RUNS=3; SUBS=1000; PREWARM=60s; WARMUP=5s; DURATION=15s; PORT=4491; OUT=""; KEEP_DATA=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --order) ORDER="$2"; shift ;;
    --runs) RUNS="$2"; shift ;;
    --subs) SUBS="$2"; shift ;;
    --prewarm) PREWARM="$2"; shift ;;
    --warmup) WARMUP="$2"; shift ;;
    --duration) DURATION="$2"; shift ;;
    --port) PORT="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    --keep-data) KEEP_DATA=1 ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done
case "$ORDER" in none-first|with-first) ;; *) echo "--order: none-first or with-first" >&2; exit 2 ;; esac
OUT="${OUT:-$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-subscriptions-overhead-$ORDER}"
mkdir -p "$OUT"
DATA="$OUT/data"
URL="http://127.0.0.1:$PORT"
SERVER_PID=""
cleanup() {
  [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  [[ "$KEEP_DATA" == 1 ]] || rm -rf "$DATA"
}
trap cleanup EXIT
say() { echo "$*" | tee -a "$OUT/summary.txt"; }

SLUICE_NO_BUILD=1 "$ROOT/bin/sluice" --port "$PORT" --management-port off --data-dir "$DATA" > "$OUT/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 120); do curl -sf "$URL/health" >/dev/null && break; sleep 0.5; done
curl -sf "$URL/health" >/dev/null || { echo "server did not start; see $OUT/server.log" >&2; exit 1; }

bench() { # label name duration warmup
  SLUICE_NO_BUILD=1 "$ROOT/bin/sluice-bench" --scenario append --url "$URL" --streams 100 --connections 64 \
    --duration "$3" --warmup "$4" --pid "$SERVER_PID" --label "$1" --name "$2" --out "$OUT" --quiet > "$OUT/$2.log" 2>&1
}
# One line per run, and "state appends/s cpu_us_per_append" into runs.tsv for the medians.
report() { # label name state
  node -e 'const [f, state, tsv] = process.argv.slice(1); const r = require(f);
    const v = k => (r.metrics.find(m => m.key === k) || {}).value; const p = r.params; const tput = v("throughput");
    const us = Math.round(p.cpu_server_cores / tput * 1e6);
    console.log(`appends/s=${Math.round(tput)} p50=${v("p50").toFixed(2)}ms p99=${v("p99").toFixed(1)}ms`
      + ` server_cores=${p.cpu_server_cores} server_cpu_us_per_append=${us}`
      + ` other_cores=${p.cpu_other_cores} bench_cores=${p.cpu_bench_cores} errors=${v("errors")}`);
    require("fs").appendFileSync(tsv, `${state}\t${tput}\t${us}\n`);' \
    "$OUT/$1--$2.json" "$3" "$OUT/runs.tsv" 2>/dev/null || tail -3 "$OUT/$2.log"
}
subs() { # PUT|DELETE: 4 at a time, so the switch between states stays short
  seq 1 "$SUBS" | xargs -P 4 -I{} sh -c '
    if [ "$1" = PUT ]; then
      curl -s -o /dev/null -w "%{http_code}\n" -X PUT "$2/v1/stream/__ds/subscriptions/bench-$3" -H "Content-Type: application/json" \
        -d "{\"type\":\"pull-wake\",\"pattern\":\"tenant-$3/*\",\"wake_stream\":\"wake/tenant-$3\"}"
    else
      curl -s -o /dev/null -w "%{http_code}\n" -X DELETE "$2/v1/stream/__ds/subscriptions/bench-$3"
    fi' _ "$1" "$URL" {} | sort | uniq -c | tr '\n' ' '
}
load() { cut -d' ' -f1-3 /proc/loadavg; }

present=none
switch_to() { # none|with
  [[ "$1" == "$present" ]] && return
  local t0=$SECONDS codes
  if [[ "$1" == with ]]; then codes="$(subs PUT)"; else codes="$(subs DELETE)"; fi
  say "  $([[ "$1" == with ]] && echo created || echo deleted) $SUBS subscriptions in $((SECONDS - t0)) s: $codes"
  present="$1"
}

say "subscriptions-overhead: order $ORDER, $RUNS runs per state, prewarm $PREWARM, warmup $WARMUP, duration $DURATION"
say "commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null), load average at start $(load)"
first=none; second=with
[[ "$ORDER" == with-first ]] && { first=with; second=none; }
switch_to "$first"
say "prewarm ($first) $PREWARM, load $(load)"
bench prewarm prewarm "$PREWARM" 1s
say "  $(report prewarm prewarm prewarm)"
for r in $(seq 1 "$RUNS"); do
  for state in "$first" "$second"; do
    switch_to "$state"
    label=$([[ "$state" == with ]] && echo "subs$SUBS" || echo none)
    l="$(load)"
    bench "$label" "$state-$r" "$DURATION" "$WARMUP"
    say "run $r $state (load $l): $(report "$label" "$state-$r" "$state")"
  done
done
node -e 'const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(l => l.split("\t"));
  const med = a => { a = [...a].sort((x, y) => x - y); const n = a.length; return n % 2 ? a[(n - 1) / 2] : (a[n / 2 - 1] + a[n / 2]) / 2; };
  const col = (s, i) => rows.filter(r => r[0] === s).map(r => Number(r[i]));
  const t = { none: med(col("none", 1)), with: med(col("with", 1)) }, c = { none: med(col("none", 2)), with: med(col("with", 2)) };
  console.log(`medians: none ${Math.round(t.none)} appends/s, ${c.none} us CPU/append; with ${Math.round(t.with)} appends/s, ${c.with} us CPU/append`);
  console.log(`with / none: throughput ${(t.with / t.none).toFixed(3)}, CPU per append ${(c.with / c.none).toFixed(3)}`);' \
  "$OUT/runs.tsv" | tee -a "$OUT/summary.txt"
say "load average at end $(load); results in $OUT"
