#!/usr/bin/env bash
# Failover timing of a replicated 3-node cluster, in one command:
#
#   bench/failover.sh [N] [--streams 30] [--rate 5] [--attempt-timeout 1s] [--settle 5s]
#                     [--out DIR] [--http-base 4471] [--artery-base 25571]
#
# starts a fresh bin/sluice-cluster (its own root dir under the results dir, its own ports), keeps
# appending to --streams streams (--rate appends/s each, every append through the next node, 1 s
# client timeout per attempt, retried through the next node until acknowledged), and N times
# (default 20) SIGKILLs nodes 0, 1, 2, 0, ... in turn, measures the recovery, restarts the node
# and waits until every node sees 3 members Up and reachable (GET /admin/cluster), --settle, and
# every stream appending again. Recovery of a kill = time from sending SIGKILL to the first
# acknowledged append, sent after the kill, of the slowest stream. At the end every stream is read
# through every node and compared with what was acknowledged (missing must be 0). Prints a
# markdown report (per kill, then p50/p99/max over the kills, then the read-back check) and writes
# it to the results dir; exits 1 if a kill did not recover, the killed node needed more than one
# start to rejoin, or a check failed.
#
# Stops the cluster it started on exit, Ctrl-C or failure. The cluster's logs stay in
# <results dir>/cluster/node-i/sluice.log (restarts in cluster/failover-restarts.log).
# Time: about (recovery + restart + settle) per kill, roughly 30-60 s on 2 cores; 20 kills ~15 min.
#
# Environment: SLUICE_JAVA_OPTS (every node), SLUICE_CLUSTER_ARGS (more bin/sluice flags for every
# node), SLUICE_BENCH_JAVA_OPTS (the load generator).
set -uo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
KILLS=20
STREAMS=30
RATE=5
ATTEMPT=1s
SETTLE=5s
OUT=""
HTTP_BASE=4471
ARTERY_BASE=25571

while [[ $# -gt 0 ]]; do
  case "$1" in
    [0-9]*) KILLS="$1" ;;
    --streams) STREAMS="$2"; shift ;;
    --rate) RATE="$2"; shift ;;
    --attempt-timeout) ATTEMPT="$2"; shift ;;
    --settle) SETTLE="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    --http-base) HTTP_BASE="$2"; shift ;;
    --artery-base) ARTERY_BASE="$2"; shift ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "failover: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

say() { echo "[failover.sh $(date -u +%H:%M:%S)] $*" >&2; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

OUT="${OUT:-$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-failover}"
mkdir -p "$OUT" || exit 2
OUT="$(cd "$OUT" && pwd)"
for p in $HTTP_BASE $((HTTP_BASE + 1)) $((HTTP_BASE + 2)) $ARTERY_BASE $((ARTERY_BASE + 1)) $((ARTERY_BASE + 2)); do
  if port_busy "$p"; then say "port $p is in use; pick others with --http-base / --artery-base"; exit 2; fi
done

say "building if needed (bin/sluice, bin/sluice-bench)"
"$ROOT/bin/sluice" --help > /dev/null || { say "building the server failed"; exit 2; }
"$ROOT/bin/sluice-bench" --help > /dev/null || { say "building the bench module failed"; exit 2; }
export SLUICE_NO_BUILD=1   # built once above; nothing rebuilds while nodes restart

export SLUICE_CLUSTER_DIR="$OUT/cluster"
export SLUICE_CLUSTER_HTTP_BASE="$HTTP_BASE"
export SLUICE_CLUSTER_ARTERY_BASE="$ARTERY_BASE"
CLUSTER="$ROOT/bin/sluice-cluster"
STARTED=0
cleanup() {
  if [[ "$STARTED" == 1 ]]; then
    say "stopping the cluster"
    "$CLUSTER" stop >&2
    STARTED=0
  fi
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT TERM

say "starting a fresh 3-node cluster in $SLUICE_CLUSTER_DIR (HTTP $HTTP_BASE-$((HTTP_BASE + 2)), Artery $ARTERY_BASE-$((ARTERY_BASE + 2)))"
STARTED=1
"$CLUSTER" start > "$OUT/cluster-start.log" 2>&1 || { say "the cluster did not start:"; tail -20 "$OUT/cluster-start.log" >&2; exit 1; }

TARGETS="http://127.0.0.1:$HTTP_BASE,http://127.0.0.1:$((HTTP_BASE + 1)),http://127.0.0.1:$((HTTP_BASE + 2))"
"$ROOT/bin/sluice-bench" failover --target "$TARGETS" --cluster-dir "$SLUICE_CLUSTER_DIR" --cluster-script "$CLUSTER" \
  --kills "$KILLS" --streams "$STREAMS" --rate "$RATE" --attempt-timeout "$ATTEMPT" --settle "$SETTLE" --out "$OUT"
rc=$?
say "report in $OUT (exit $rc)"
exit $rc
