#!/usr/bin/env bash
# Single node vs replicated 3-node cluster (RF=3), the same append scenarios, one table:
#
#   bench/cluster-vs-single.sh [--prewarm 300s] [--warmup 3s] [--duration 10s] [--rate 1000]
#                              [--out DIR] [--http-base 4481] [--artery-base 25581]
#
# 1. starts a fresh single node (bin/sluice, own data dir, port 0), pre-warms it (closed-loop
#    appends, not measured), runs `append` closed loop (100 streams, 256 B, 256 connections) and
#    open loop at --rate/s (same streams and connections), stops it;
# 2. starts a fresh bin/sluice-cluster (own root dir, HTTP --http-base..+2, Artery --artery-base..+2),
#    pre-warms it the same way through all 3 nodes, runs the same two scenarios with their
#    connections spread evenly over the 3 nodes (every stream created once, appended through all),
#    stops it;
# 3. prints a markdown table: single vs RF=3, closed-loop appends/s and the ratio, open-loop
#    p50/p99/max (and errors), then where the full per-node results are.
#
# Takes about 2 x (start + prewarm + 2 x (warmup + duration + setup)) + stops: ~14 minutes with the
# defaults. Stops everything it started on exit, Ctrl-C or failure. The cluster's CPU and RSS are
# summed over its 3 nodes (--pid of all three).
#
# Environment: SLUICE_JAVA_OPTS (every server JVM: the single node and each cluster node),
# SLUICE_BENCH_JAVA_OPTS (the load generator).
set -uo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
PREWARM=300s
WARMUP=3s
DURATION=10s
RATE=1000
OUT=""
HTTP_BASE=4481
ARTERY_BASE=25581

while [[ $# -gt 0 ]]; do
  case "$1" in
    --prewarm) PREWARM="$2"; shift ;;
    --warmup) WARMUP="$2"; shift ;;
    --duration) DURATION="$2"; shift ;;
    --rate) RATE="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    --http-base) HTTP_BASE="$2"; shift ;;
    --artery-base) ARTERY_BASE="$2"; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "cluster-vs-single: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

say() { echo "[cluster-vs-single $(date -u +%H:%M:%S)] $*" >&2; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

OUT="${OUT:-$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-cluster-vs-single}"
mkdir -p "$OUT/logs" "$OUT/results" || exit 2
OUT="$(cd "$OUT" && pwd)"
for p in $HTTP_BASE $((HTTP_BASE + 1)) $((HTTP_BASE + 2)) $ARTERY_BASE $((ARTERY_BASE + 1)) $((ARTERY_BASE + 2)); do
  if port_busy "$p"; then say "port $p is in use; pick others with --http-base / --artery-base"; exit 2; fi
done

say "building if needed (bin/sluice, bin/sluice-bench)"
"$ROOT/bin/sluice" --help > /dev/null || { say "building the server failed"; exit 2; }
"$ROOT/bin/sluice-bench" --help > /dev/null || { say "building the bench module failed"; exit 2; }
export SLUICE_NO_BUILD=1

BENCH="$ROOT/bin/sluice-bench"
CLUSTER="$ROOT/bin/sluice-cluster"
export SLUICE_CLUSTER_DIR="$OUT/cluster"
export SLUICE_CLUSTER_HTTP_BASE="$HTTP_BASE"
export SLUICE_CLUSTER_ARTERY_BASE="$ARTERY_BASE"
SINGLE_PID=""
CLUSTER_STARTED=0
FAILED=0

stop_single() {
  [[ -n "$SINGLE_PID" ]] || return 0
  if kill -0 "$SINGLE_PID" 2>/dev/null; then
    kill -TERM "$SINGLE_PID" 2>/dev/null
    local i
    for i in $(seq 1 150); do kill -0 "$SINGLE_PID" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$SINGLE_PID" 2>/dev/null && { say "single node did not stop within 30 s; SIGKILL"; kill -KILL "$SINGLE_PID" 2>/dev/null; }
  fi
  wait "$SINGLE_PID" 2>/dev/null
  SINGLE_PID=""
}
stop_cluster() {
  [[ "$CLUSTER_STARTED" == 1 ]] || return 0
  "$CLUSTER" stop >&2
  CLUSTER_STARTED=0
}
cleanup() { stop_single; stop_cluster; }
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT TERM

# run_bench LABEL TAG TARGETS PIDS ARGS... : one load-generator run, bounded in time.
run_bench() {
  local label="$1" tag="$2" targets="$3" pids="$4"; shift 4
  timeout --foreground 600 "$BENCH" "$@" --target "$targets" --pid "$pids" --label "$label" --run-id "$label-$tag" \
    > "$OUT/logs/$label-$tag.bench.log" 2>&1
  local rc=$?
  grep -E '^\[|^sluice-bench:' "$OUT/logs/$label-$tag.bench.log" | grep -vE '^\[.*(warmup|run) ' >&2
  if [[ $rc -ne 0 ]]; then
    say "$label $tag: the load generator failed (exit $rc); see logs/$label-$tag.bench.log"
    tail -5 "$OUT/logs/$label-$tag.bench.log" >&2
    FAILED=$((FAILED + 1))
  fi
  return $rc
}

# measure LABEL TARGETS PIDS: pre-warm, closed loop, open loop.
measure() {
  local label="$1" targets="$2" pids="$3"
  say "$label: JIT pre-warm $PREWARM (closed-loop appends, not measured)"
  # Same shape as the measured runs: a JIT that warmed on another mix (10 streams, 64 connections)
  # recompiled for minutes once the measured mix began (C2 at a fifth of the cluster's CPU).
  run_bench "$label" prewarm "$targets" "$pids" --scenario append --streams 100 --connections 256 --warmup 0s \
    --duration "$PREWARM" --quiet --out "$OUT/prewarm" || return 1
  say "$label: append closed loop, 100 streams, 256 connections, warm-up $WARMUP, measured $DURATION"
  run_bench "$label" closed "$targets" "$pids" --scenario append --streams 100 --connections 256 \
    --warmup "$WARMUP" --duration "$DURATION" --out "$OUT/results"
  say "$label: append open loop $RATE/s, 100 streams, 256 connections, warm-up $WARMUP, measured $DURATION"
  run_bench "$label" open "$targets" "$pids" --scenario append --streams 100 --connections 256 --rate "$RATE" \
    --warmup "$WARMUP" --duration "$DURATION" --out "$OUT/results"
}

START=$(date +%s)
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---- single node -----------------------------------------------------------------------------
say "single: starting bin/sluice (data in $OUT/single-data)"
"$ROOT/bin/sluice" --port 0 --data-dir "$OUT/single-data" > "$OUT/logs/single.server.log" 2>&1 &
SINGLE_PID=$!
SINGLE_URL=""
for _ in $(seq 1 600); do
  SINGLE_URL="$(grep -m1 '^SLUICE READY ' "$OUT/logs/single.server.log" 2>/dev/null | grep -oE 'http://[^ ]+')"
  [[ -n "$SINGLE_URL" ]] && break
  kill -0 "$SINGLE_PID" 2>/dev/null || break
  sleep 0.2
done
if [[ -z "$SINGLE_URL" ]]; then
  say "the single node did not start; see logs/single.server.log"; tail -20 "$OUT/logs/single.server.log" >&2; exit 1
fi
measure single "$SINGLE_URL" "$SINGLE_PID"
stop_single
rm -rf "$OUT/single-data"   # logs and results stay

# ---- 3-node cluster --------------------------------------------------------------------------
say "rf3: starting bin/sluice-cluster in $SLUICE_CLUSTER_DIR (HTTP $HTTP_BASE-$((HTTP_BASE + 2)), Artery $ARTERY_BASE-$((ARTERY_BASE + 2)))"
CLUSTER_STARTED=1
if ! "$CLUSTER" start > "$OUT/logs/cluster-start.log" 2>&1; then
  say "the cluster did not start; see logs/cluster-start.log"; tail -20 "$OUT/logs/cluster-start.log" >&2; exit 1
fi
TARGETS="http://127.0.0.1:$HTTP_BASE,http://127.0.0.1:$((HTTP_BASE + 1)),http://127.0.0.1:$((HTTP_BASE + 2))"
PIDS="$(cat "$SLUICE_CLUSTER_DIR"/node-{0,1,2}/pid | paste -sd,)"
measure rf3 "$TARGETS" "$PIDS"
stop_cluster
rm -rf "$SLUICE_CLUSTER_DIR"/node-*/data   # the nodes' logs stay in cluster/node-i/sluice.log

# ---- the table -------------------------------------------------------------------------------
ELAPSED=$(( $(date +%s) - START ))
"$BENCH" compare --baseline single --out "$OUT/full" "$OUT/results" > /dev/null 2>&1
{
  echo "## Single node vs replicated 3-node cluster (RF=3)"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ); $(nproc) cores; Sluice $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'); took ${ELAPSED} s; load average before $LOAD_BEFORE, after $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Every server pre-warmed $PREWARM, then per scenario warm-up $WARMUP, measured $DURATION. append: 100 streams, 256 B,"
  echo "256 connections (RF=3: spread evenly over the 3 nodes, each stream appended through all of them); open loop at $RATE/s."
  echo "The load generator and all servers share this machine's cores. Per-node figures: full/summary.md and results/*.md."
  echo
  "$BENCH" compare --baseline single --metrics throughput,rate,p50,p99,max,errors --out "$OUT" "$OUT/results" 2>/dev/null
} > "$OUT/report.md"
cat "$OUT/report.md"
say "report: $OUT/report.md"
exit $(( FAILED > 0 ? 1 : 0 ))
