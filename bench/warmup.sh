#!/usr/bin/env bash
# JIT warm-up scenario: the first minute of a freshly started bin/sluice, as its own measurement.
#
# For each run: a new data dir and a new `bin/sluice` process; wait until its management
# endpoint `/ready` answers 200 (the time from the process start is reported as "ready after");
# then at once, with no pre-warm and no warm-up phase, the closed-loop append scenario
# (100 streams, 256 B, 256 connections) for --duration, reported per --window: appends/s and
# p50/p99 of each window, so the cold JVM (class loading, C1/C2 compilation) shows up instead
# of being hidden by a warm-up. The server is stopped after each run. At the end, one table of
# medians over the runs (`bin/sluice-bench compare`).
#
# Usage:
#   bench/warmup.sh [--runs N] [--port P] [--duration D] [--window W] [--label L] [--out DIR]
#
#   --runs N       fresh servers, one after another (default 3)
#   --port P       HTTP port of the server; its management port is P + 1000 (default 4437)
#   --duration D   measured time after ready (default 60s)
#   --window W     window length (default 10s)
#   --label L      label of the results (default sluice); use it to compare settings:
#                  SLUICE_JAVA_OPTS="..." bench/warmup.sh --label other --out DIR
#   --out DIR      results directory (default bench/results/<UTC time>-warmup); one subdirectory
#                  per run; reusing one DIR for several labels (or for --runs 1 invocations) gives
#                  one table of medians with every label side by side
#
# Environment: SLUICE_JAVA_OPTS (server JVM flags, as for bin/sluice; unset = bin/sluice's
# defaults), SLUICE_BENCH_JAVA_OPTS (load generator). Requires curl.
set -uo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
RUNS=3
PORT=4437
DURATION=60s
WINDOW=10s
LABEL=sluice
OUT=""

while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) RUNS="$2"; shift ;;
    --port) PORT="$2"; shift ;;
    --duration) DURATION="$2"; shift ;;
    --window) WINDOW="$2"; shift ;;
    --label) LABEL="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "warmup: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

say() { echo "warmup: $*" >&2; }
[[ -n "$OUT" ]] || OUT="$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-warmup"
mkdir -p "$OUT/logs"
MGMT="http://127.0.0.1:$((PORT + 1000))"

# Build both once, before anything is timed (bin/sluice builds when its sources changed).
"$ROOT/bin/sluice" --version > /dev/null || { say "bin/sluice does not start"; exit 1; }
"$ROOT/bin/sluice-bench" --help > /dev/null || { say "bin/sluice-bench does not start"; exit 1; }

SERVER_PID=""
DATA=""
stop_server() {
  [[ -n "$SERVER_PID" ]] || return 0
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null
    local i
    for i in $(seq 1 150); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$SERVER_PID" 2>/dev/null && { say "server did not stop within 30 s of SIGTERM; killed"; kill -9 "$SERVER_PID"; }
  fi
  wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=""
  [[ -n "$DATA" ]] && rm -rf "$DATA"
}
trap 'stop_server' EXIT
trap 'stop_server; exit 130' INT TERM

# One unmeasured start first: bin/sluice builds its class-data sharing archive on the first start
# after a build (a training run; README "Start-up"), which must not count as run 1's start-up.
DATA="$(mktemp -d "${TMPDIR:-/tmp}/sluice-warmup.XXXXXX")"
say "priming: one unmeasured start (builds the class-data sharing archive if it is missing)"
"$ROOT/bin/sluice" --port "$PORT" --data-dir "$DATA" > "$OUT/logs/$LABEL-prime.server.log" 2>&1 &
SERVER_PID=$!
until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$MGMT/ready")" == 200 ]]; do
  kill -0 "$SERVER_PID" 2>/dev/null || { say "server exited before it was ready; log tail:"; tail -20 "$OUT/logs/$LABEL-prime.server.log" >&2; exit 1; }
  (( SECONDS < 300 )) || { say "priming start not ready after 300 s"; stop_server; exit 1; }
  sleep 0.2
done
stop_server

for run in $(seq 1 "$RUNS"); do
  DATA="$(mktemp -d "${TMPDIR:-/tmp}/sluice-warmup.XXXXXX")"
  LOG="$OUT/logs/$LABEL-run$run.server.log"
  say "run $run/$RUNS ($LABEL): load average $(cut -d' ' -f1-3 /proc/loadavg)"
  start_ns=$(date +%s%N)
  "$ROOT/bin/sluice" --port "$PORT" --data-dir "$DATA" > "$LOG" 2>&1 &
  SERVER_PID=$!
  until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$MGMT/ready")" == 200 ]]; do
    kill -0 "$SERVER_PID" 2>/dev/null || { say "server exited before it was ready; log tail:"; tail -20 "$LOG" >&2; exit 1; }
    (( ($(date +%s%N) - start_ns) / 1000000000 < 180 )) || { say "not ready after 180 s"; stop_server; exit 1; }
    sleep 0.05
  done
  ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
  say "ready after $ready_ms ms"
  echo "$LABEL run$run ready_ms=$ready_ms load=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/ready.txt"
  "$ROOT/bin/sluice-bench" --scenario append --url "http://127.0.0.1:$PORT" --streams 100 --connections 256 \
    --warmup 0s --duration "$DURATION" --window "$WINDOW" --pid "$SERVER_PID" \
    --label "$LABEL" --name warmup --run-id "w$run" --out "$OUT/$LABEL-$(date -u +%H%M%S)-run$run" || say "run $run: the load generator failed"
  stop_server
done

say "time to /ready (ms), per run: $OUT/ready.txt"
cat "$OUT/ready.txt" >&2
"$ROOT/bin/sluice-bench" compare --baseline "$LABEL" --out "$OUT" "$OUT"
