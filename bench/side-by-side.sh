#!/usr/bin/env bash
# Side-by-side benchmark: the same scenarios, one server at a time, on this machine:
#
#   sluice        bin/sluice, fsync on (the default), fresh data dir per scenario
#   node-file     @durable-streams/server 0.3.7 (bench/node, pinned), file-backed (dataDir)
#   node-memory   the same, in-memory
#   noop          bin/sluice-bench noop-server: Pekko HTTP that reads the body and answers, nothing
#                 else; same pekko-http, JVM flags and Pekko HTTP/dispatcher settings as Sluice ->
#                 the ceiling of the HTTP stack
#
# and prints one table of medians with the ratio of every server to Sluice, plus the machine's
# fsync latency (dd ... oflag=dsync on the data directory's filesystem).
#
# Usage:
#   bench/side-by-side.sh [--quick|--full] [--out DIR] [--targets a,b,..] [--scenarios x,y,..] [--runs N]
#                         [--prewarm DURATION]
#
#   --quick      (default) every headline scenario once, 3 s warm-up + 5 s measured: a few minutes
#   --full       more variants (1/100/1,000/10,000 streams), 5 s + 20 s, 3 runs each, medians
#   --out DIR    results directory (default bench/results/<UTC time>-<mode>)
#   --targets    subset of: sluice,node-file,node-memory,noop
#   --scenarios  subset of the scenario ids printed at the start (e.g. append-closed-s100,fanout)
#   --runs N     override the number of runs
#   --prewarm D  override the per-server JIT pre-warm (e.g. 60s; steady-state numbers need ~60 s)
#
# Each server is started fresh for every scenario (new data dir, new process) and stopped after it,
# so no scenario inherits another's streams, memory or caches. Every server first gets the same
# closed-loop append pre-warm (15 s quick, 30 s full; not measured), so that a cold JIT (the JVM's
# C2 needs tens of seconds of load on 2 busy cores; V8 warms faster) is not what is measured; every
# scenario then has its own warm-up too. Server logs, per-run
# JSON/Markdown/SVG and the combined report.md, summary.md and latency-*.svg land in the results dir.
#
# Requirements: Java 17, Node 18+ with npm (registry access on the first run, for `npm ci`).
# Environment: SLUICE_JAVA_OPTS (Sluice and no-op JVM flags), SLUICE_BENCH_JAVA_OPTS (load generator).
set -uo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
BENCH="$ROOT/bench"
MODE=quick
OUT=""
TARGETS="sluice,node-file,node-memory,noop"
ONLY=""
RUNS=""
PREWARM_OVERRIDE=""

while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) MODE=quick ;;
    --full) MODE=full ;;
    --out) OUT="$2"; shift ;;
    --targets) TARGETS="$2"; shift ;;
    --scenarios) ONLY="$2"; shift ;;
    --runs) RUNS="$2"; shift ;;
    --prewarm) PREWARM_OVERRIDE="$2"; shift ;;
    -h|--help) sed -n '2,34p' "$0"; exit 0 ;;
    *) echo "side-by-side: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [[ "$MODE" == quick ]]; then
  WARMUP=3s; DURATION=5s; PREWARM=15s; STREAMS_CAP=60s; RUNS="${RUNS:-1}"
else
  WARMUP=5s; DURATION=20s; PREWARM=30s; STREAMS_CAP=120s; RUNS="${RUNS:-3}"
fi
PREWARM="${PREWARM_OVERRIDE:-$PREWARM}"
OUT="${OUT:-$BENCH/results/$(date -u +%Y%m%dT%H%M%SZ)-$MODE}"
mkdir -p "$OUT/logs" || exit 2
OUT="$(cd "$OUT" && pwd)"

# id | servers (all = the four; stores = without the no-op, which stores nothing) | load generator flags
SCENARIOS=(
  "append-closed-s100|all|--scenario append --streams 100 --connections 256"
  "append-open-1000|all|--scenario append --streams 100 --connections 256 --rate 1000"
  "append-open-10000|all|--scenario append --streams 100 --connections 256 --rate 10000"
  "producer-s100-b10|all|--scenario producer --streams 100 --connections 256 --batch 10"
  "fanout|stores|--scenario fanout --subscribers 1000 --rate 20"
  "longpoll|stores|--scenario longpoll --streams 10"
  "catchup|stores|--scenario catchup --clients 8 --stream-bytes 10MiB"
  "streams|all|--scenario streams --count 100000 --connections 64"
)
if [[ "$MODE" == full ]]; then
  SCENARIOS=(
    "append-closed-s1|all|--scenario append --streams 1 --connections 256"
    "${SCENARIOS[0]}"
    "append-closed-s1000|all|--scenario append --streams 1000 --connections 256"
    "append-closed-s10000|all|--scenario append --streams 10000 --connections 256"
    "${SCENARIOS[@]:1}"
  )
fi

say() { echo "[side-by-side $(date -u +%H:%M:%S)] $*" >&2; }
REPORT="$OUT/report.md"
PROBLEMS="$OUT/logs/server-problems.txt"
: > "$PROBLEMS"

# ---- toolchain and builds -------------------------------------------------------------------
command -v java >/dev/null || { say "java (17+) is required"; exit 2; }
if [[ ",$TARGETS," == *,node-* ]]; then
  command -v node >/dev/null && command -v npm >/dev/null || { say "node and npm are required for the node-* targets"; exit 2; }
  if [[ ! -f "$BENCH/node/node_modules/@durable-streams/server/package.json" \
        || "$BENCH/node/package-lock.json" -nt "$BENCH/node/node_modules/.package-lock.json" ]]; then
    say "installing the pinned Node reference server (npm ci in bench/node)"
    (cd "$BENCH/node" && npm ci --no-audit --no-fund >&2) || { say "npm ci failed"; exit 2; }
  fi
fi
say "building (bin/sluice and bin/sluice-bench build on demand)"
"$ROOT/bin/sluice-bench" --help >/dev/null || { say "building the bench module failed"; exit 2; }
if [[ ",$TARGETS," == *,sluice,* ]]; then
  "$ROOT/bin/sluice" --help >/dev/null || { say "building Sluice failed"; exit 2; }
fi

# ---- machine facts, fsync latency ------------------------------------------------------------
mkdir -p "$OUT/data"
FSYNC_FILE="$OUT/data/fsync-probe"
DD_OUT="$(LC_ALL=C dd if=/dev/zero of="$FSYNC_FILE" bs=4k count=1000 oflag=dsync 2>&1 | tail -1)"
rm -f "$FSYNC_FILE"
DD_SECS="$(sed -n 's/.* copied, \([0-9.e-]*\) s.*/\1/p' <<< "$DD_OUT")"
if [[ -n "$DD_SECS" ]]; then
  FSYNC_MS="$(awk -v s="$DD_SECS" 'BEGIN { printf "%.3f", s * 1000 / 1000 }')"
  FSYNC_LINE="fsync latency: ${FSYNC_MS} ms per 4 KiB synchronous write (dd bs=4k count=1000 oflag=dsync: $DD_OUT) on $(df -P "$OUT/data" | awk 'NR==2 {print $1" mounted at "$6}')"
else
  FSYNC_LINE="fsync latency: unknown (dd said: $DD_OUT)"
fi
SLUICE_DEFAULT_OPTS="$(sed -n 's/^SLUICE_DEFAULT_JAVA_OPTS="\(.*\)"$/\1/p' "$ROOT/bin/sluice-jvm.sh" | head -1)"
MACHINE="$(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM, $(uname -sr), $(java -version 2>&1 | head -1)$(command -v node >/dev/null && echo ", node $(node --version)")"
say "$MACHINE"
say "$FSYNC_LINE"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
say "load average before the run: $LOAD_BEFORE"

# ---- servers ---------------------------------------------------------------------------------
SERVER_PID=""
SERVER_URL=""
SERVER_LOG=""

start_server() { # label tag -> SERVER_PID, SERVER_URL
  local label="$1" tag="$2" ready_re
  SERVER_LOG="$OUT/logs/$label-$tag.server.log"
  local data="$OUT/data/$label-$tag"
  rm -rf "$data"
  case "$label" in
    sluice)
      "$ROOT/bin/sluice" --port 0 --data-dir "$data" > "$SERVER_LOG" 2>&1 &
      ready_re='^SLUICE READY ' ;;
    node-file)
      mkdir -p "$data"
      node "$BENCH/node/start-reference.mjs" 0 "$data" > "$SERVER_LOG" 2>&1 &
      ready_re='^READY ' ;;
    node-memory)
      node "$BENCH/node/start-reference.mjs" 0 - > "$SERVER_LOG" 2>&1 &
      ready_re='^READY ' ;;
    noop)
      "$ROOT/bin/sluice-bench" noop-server --port 0 --mirror-config "$ROOT/server/src/main/resources/application.conf" \
        > "$SERVER_LOG" 2>&1 &
      ready_re='^NOOP READY ' ;;
    *) say "unknown target $label"; return 1 ;;
  esac
  SERVER_PID=$!
  local i
  for i in $(seq 1 900); do   # up to 180 s: bin/sluice may rebuild first
    if grep -qE "$ready_re" "$SERVER_LOG" 2>/dev/null; then
      SERVER_URL="$(grep -E "$ready_re" "$SERVER_LOG" | head -1 | grep -oE 'http://[^ ]+')"
      return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.2
  done
  say "$label did not become ready; log tail:"; tail -20 "$SERVER_LOG" >&2
  echo "$label ($tag): did not start; see logs/$(basename "$SERVER_LOG")" >> "$PROBLEMS"
  stop_server
  return 1
}

stop_server() {
  [[ -n "$SERVER_PID" ]] || return 0
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null
    local i
    for i in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "$SERVER_LOG: did not stop within 20 s of SIGTERM; killed" >> "$PROBLEMS"
      kill -9 "$SERVER_PID" 2>/dev/null
    fi
  fi
  wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=""
}
trap 'stop_server' EXIT
trap 'stop_server; exit 130' INT TERM

server_log_problems() { # label tag scenario
  local n
  case "$1" in
    sluice|noop) n="$(grep -cE ' (ERROR|WARN) |Exception' "$SERVER_LOG" 2>/dev/null)" ;;
    *) n="$(grep -cE '^\[(error|warn)\]|Error:|Exception' "$SERVER_LOG" 2>/dev/null)" ;;
  esac
  if [[ "${n:-0}" -gt 0 ]]; then
    echo "$1 ($3, $2): $n ERROR/WARN/exception lines in logs/$(basename "$SERVER_LOG"), first:" >> "$PROBLEMS"
    grep -m 3 -E ' (ERROR|WARN) |^\[(error|warn)\]|Error:|Exception' "$SERVER_LOG" | cut -c1-300 | sed 's/^/    /' >> "$PROBLEMS"
  fi
}

# ---- the runs --------------------------------------------------------------------------------
IFS=',' read -r -a TARGET_LIST <<< "$TARGETS"
say "mode $MODE: ${#SCENARIOS[@]} scenarios x ${#TARGET_LIST[@]} servers x $RUNS run(s); warm-up $WARMUP, measured $DURATION; results in $OUT"
for spec in "${SCENARIOS[@]}"; do say "  scenario ${spec%%|*}"; done
FAILED=0
START=$(date +%s)
for run in $(seq 1 "$RUNS"); do
  for spec in "${SCENARIOS[@]}"; do
    IFS='|' read -r id who args <<< "$spec"
    if [[ -n "$ONLY" && ",$ONLY," != *",$id,"* ]]; then continue; fi
    for label in "${TARGET_LIST[@]}"; do
      [[ "$who" == stores && "$label" == noop ]] && continue
      tag="$id-run$run"
      say "== run $run/$RUNS  $id  against $label"
      start_server "$label" "$tag" || { FAILED=$((FAILED + 1)); continue; }
      # JIT pre-warm, the same for every server (a cold JIT is not what we measure; the JVM's C2
      # needs tens of seconds of load on 2 busy cores). A closed-loop append, results discarded.
      "$ROOT/bin/sluice-bench" --scenario append --streams 10 --connections 64 --warmup 0s --duration "$PREWARM" \
        --quiet --url "$SERVER_URL" --label "$label" --out "$OUT/prewarm" --run-id "pw$run" \
        > "$OUT/logs/$label-$tag.prewarm.log" 2>&1 || echo "$label ($id, run $run): the JIT pre-warm failed; see logs/$label-$tag.prewarm.log" >> "$PROBLEMS"
      pidarg=(--pid "$SERVER_PID")   # server CPU and RSS (and the "other processes" check)
      read -r -a argv <<< "$args"
      if [[ "$id" == streams ]]; then
        extra=(--duration "$STREAMS_CAP")   # an upper bound: creation of all streams is measured
      else
        extra=(--warmup "$WARMUP" --duration "$DURATION")
      fi
      "$ROOT/bin/sluice-bench" "${argv[@]}" "${extra[@]}" "${pidarg[@]}" --url "$SERVER_URL" --label "$label" \
        --out "$OUT/run$run" --run-id "r$run" 2>&1 | tee "$OUT/logs/$label-$tag.bench.log" | grep -E '^\[|^sluice-bench:' >&2
      rc=${PIPESTATUS[0]}
      if [[ $rc -ne 0 ]]; then
        FAILED=$((FAILED + 1))
        echo "$label ($id, run $run): the load generator failed (exit $rc); see logs/$label-$tag.bench.log" >> "$PROBLEMS"
      fi
      if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "$label ($id, run $run): the server process exited during the scenario; see logs/$(basename "$SERVER_LOG")" >> "$PROBLEMS"
      fi
      stop_server
      server_log_problems "$label" "$tag" "$id"
    done
  done
done
ELAPSED=$(( $(date +%s) - START ))

# ---- the table -------------------------------------------------------------------------------
{
  echo "# Side-by-side benchmark ($MODE, $RUNS run(s) per scenario)"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ); $MACHINE; took ${ELAPSED} s; load average before $LOAD_BEFORE, after $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "- $FSYNC_LINE"
  echo "- Sluice: bin/sluice at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$([[ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]] && echo ' + uncommitted changes'), fsync on, fresh RocksDB dir per scenario; JVM flags: ${SLUICE_JAVA_OPTS:-"$SLUICE_DEFAULT_OPTS (bin/sluice default)"}"
  echo "- node-file / node-memory: @durable-streams/server $(node -p 'require(process.argv[1]).version' "$BENCH/node/node_modules/@durable-streams/server/package.json" 2>/dev/null || echo '?') (file-backed: fdatasync per append + LMDB)"
  echo "- noop: Pekko HTTP 1.3.0 answering without doing anything; same JVM flags as Sluice, and Sluice's pekko.http.server and pekko.actor.default-dispatcher settings (--mirror-config server/src/main/resources/application.conf)"
  echo "- Each result records where the CPU went while it was measured (server, load generator, other processes; params cpu_*_cores in its JSON); a run in which other processes took more than 0.25 cores is flagged under Problems."
  echo "- load generator: bin/sluice-bench on the same 2 cores; every server pre-warmed $PREWARM (closed-loop appends), then per scenario warm-up $WARMUP, measured $DURATION (streams: creation measured, capped at $STREAMS_CAP)"
  echo
  "$ROOT/bin/sluice-bench" compare --baseline sluice --out "$OUT" "$OUT"/run* 2>/dev/null
  echo
  if [[ -s "$PROBLEMS" ]]; then
    echo "Server-side problems (logs, crashes, start/stop):"
    echo
    echo '```'
    cat "$PROBLEMS"
    echo '```'
  else
    echo "No server errors in the logs, no crashes."
  fi
} > "$REPORT"
cat "$REPORT"
say "report: $REPORT"
exit $(( FAILED > 0 ? 1 : 0 ))
