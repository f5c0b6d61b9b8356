#!/usr/bin/env bash
# Append throughput and server CPU per append with 1,000 pattern subscriptions present vs none
# (issue 10: within 5 %), measured in pairs of short windows on ONE warmed node under ONE
# continuous load, so that slow drifts of the machine (other processes, a build) cancel out:
#
#   bench/subscriptions-overhead.sh [--pairs 14] [--subs 1000] [--start none|with] [--rate R]
#                                   [--prewarm 60s] [--window 10s] [--settle 3s]
#                                   [--port 4491] [--out DIR] [--keep-data]
#   bench/subscriptions-overhead.sh --summary DIR [DIR...]    # pairs of several runs together
#
# 1. starts a fresh bin/sluice (own data dir) and one `append` load that runs until the end
#    (bin/sluice-bench: 100 streams, 256 B, 64 connections; closed loop, or with --rate R open loop
#    at R appends/s, so both states do the same work and the CPU it costs is compared);
#    pre-warms --prewarm;
# 2. measures windows in the order A | B B | A A | B B | ... (A = --start): between the two
#    windows of a pair the state is switched, --subs pull-wake subscriptions `tenant-<i>/*` created
#    or deleted (none matches the load's streams: what is measured is the cost of their presence,
#    the index lookup on every append, the entities, the index), then --settle passes unmeasured.
#    Each pair is two adjacent windows, one per state, and the state after the switch alternates
#    from pair to pair, so neither state is favoured by coming second;
# 3. per window, from the server itself: appends/s (its sluice_appends_acknowledged_total), its
#    CPU per append (utime + stime from /proc/<pid>/stat), the same without RocksDB's background
#    threads (flushes and compactions: bursts that land in one window and not the next, and do not
#    depend on subscriptions) and the JIT compilers ("serving CPU", from /proc/<pid>/task/*/stat by
#    thread name), and the cores the rest of the machine used (/proc/stat minus server and load
#    generator). CPU per append depends less than appends/s on the CPU other processes leave the
#    server, but on a shared 2-core machine both still vary by 10-20 % between 10 s windows;
# 4. per pair the ratios with / none; then their median, quartiles, an approximate 95 % interval
#    of the median (order statistics) and the geometric mean; and the control: the same ratios
#    between adjacent windows of one state (the noise floor). Lines go to DIR/summary.txt, pairs
#    to DIR/pairs.tsv, windows to DIR/windows.tsv.
#
# Each pair takes about 2 windows + the switch + settle (~30 s); 14 pairs with the pre-warm fit
# in about 8 minutes. Needs a built server and bench (SLUICE_NO_BUILD=1 is passed to both). Stops
# the server and the load on exit and deletes the data directory unless --keep-data.
set -uo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
PAIRS=14; SUBS=1000; START=none; RATE=""; PREWARM=60s; WINDOW=10s; SETTLE=3s; PORT=4491; OUT=""; KEEP_DATA=0; SUMMARY=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --pairs) PAIRS="$2"; shift ;;
    --subs) SUBS="$2"; shift ;;
    --start) START="$2"; shift ;;
    --rate) RATE="$2"; shift ;;
    --prewarm) PREWARM="$2"; shift ;;
    --window) WINDOW="$2"; shift ;;
    --settle) SETTLE="$2"; shift ;;
    --port) PORT="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    --keep-data) KEEP_DATA=1 ;;
    --summary) shift; SUMMARY=("$@"); break ;;
    -h|--help) sed -n '2,35p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done
secs() { local v="${1%s}"; echo "$v"; }

# The statistics over the pairs of one or more runs (their DIRs): with / none per pair; and, as a
# control, the same ratios between the two adjacent windows of one state that no switch separates
# (pair p's second and pair p+1's first): the spread this machine gives with nothing changed.
summarize() {
  node -e '
    const fs = require("fs");
    const tsv = f => fs.readFileSync(f, "utf8").trim().split("\n").slice(1).filter(Boolean).map(l => l.split("\t"));
    const dirs = process.argv.slice(1);
    const rows = dirs.flatMap(d => tsv(d + "/pairs.tsv"));
    const stats = (xs) => {
      const a = [...xs].sort((x, y) => x - y), q = p => { const i = (a.length - 1) * p, lo = Math.floor(i);
        return a[lo] + (a[Math.min(lo + 1, a.length - 1)] - a[lo]) * (i - lo); };
      // Distribution-free interval of the median: ranks k and n-k+1 with k = n/2 - 0.98 sqrt(n).
      const k = Math.max(1, Math.floor(a.length / 2 - 0.98 * Math.sqrt(a.length)));
      const gm = Math.exp(a.reduce((s, x) => s + Math.log(x), 0) / a.length);
      const f = x => x.toFixed(3);
      return `median ${f(q(0.5))}, quartiles ${f(q(0.25))}-${f(q(0.75))}, ~95 % interval of the median ${f(a[k - 1])}-${f(a[a.length - k])},`
        + ` range ${f(a[0])}-${f(a[a.length - 1])}, geometric mean ${f(gm)}`;
    };
    // pairs.tsv: pair second_state none_tput with_tput none_us with_us none_other with_other [none_serving_us with_serving_us]
    const t = rows.map(r => r[3] / r[2]), c = rows.map(r => r[5] / r[4]);
    const sv = rows.filter(r => r.length > 9).map(r => r[9] / r[8]);
    console.log(`${rows.length} pairs; with / none per pair:`);
    console.log(`  appends/s:        ${stats(t)}`);
    console.log(`  CPU per append:   ${stats(c)}`);
    if (sv.length) console.log(`  serving CPU/append (no RocksDB background, no JIT; ${sv.length} pairs): ${stats(sv)}`);
    for (const second of ["with", "none"]) {
      const sel = rows.filter(r => r[1] === second);
      if (sel.length) console.log(`  pairs where "${second}" came second (${sel.length}): appends/s ${stats(sel.map(r => r[3] / r[2])).split(",")[0]},`
        + ` CPU per append ${stats(sel.map(r => r[5] / r[4])).split(",")[0]}`);
    }
    const med = a => { a = [...a].sort((x, y) => x - y); return a[Math.floor((a.length - 1) / 2)] / 2 + a[Math.ceil((a.length - 1) / 2)] / 2; };
    console.log(`  medians per state: none ${Math.round(med(rows.map(r => +r[2])))} appends/s, ${med(rows.map(r => +r[4])).toFixed(1)} us CPU/append;`
      + ` with ${Math.round(med(rows.map(r => +r[3])))} appends/s, ${med(rows.map(r => +r[5])).toFixed(1)} us CPU/append;`
      + ` other processes ${med(rows.map(r => +r[6])).toFixed(2)} / ${med(rows.map(r => +r[7])).toFixed(2)} cores`);
    // windows.tsv: pair state appends_per_s server_us_per_append server_cores other_cores load1 [serving_us ...]
    const ct = [], cc = [], cs = [];
    for (const d of dirs) {
      const w = tsv(d + "/windows.tsv");
      for (let i = 0; i + 1 < w.length; i++) {
        if (w[i][1] !== w[i + 1][1] || w[i][0] === w[i + 1][0]) continue;
        ct.push(w[i + 1][2] / w[i][2]); cc.push(w[i + 1][3] / w[i][3]);
        if (w[i].length > 7) cs.push(w[i + 1][7] / w[i][7]);
      }
    }
    if (ct.length) {
      console.log(`control, ${ct.length} adjacent windows of the same state (later / earlier):`);
      console.log(`  appends/s:        ${stats(ct)}`);
      console.log(`  CPU per append:   ${stats(cc)}`);
      if (cs.length) console.log(`  serving CPU/append: ${stats(cs)}`);
    }' "$@"
}
if [[ ${#SUMMARY[@]} -gt 0 ]]; then
  summarize "${SUMMARY[@]}"; exit
fi
case "$START" in none|with) ;; *) echo "--start: none or with" >&2; exit 2 ;; esac

OUT="${OUT:-$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-subscriptions-overhead-$START}"
mkdir -p "$OUT"
DATA="$OUT/data"
URL="http://127.0.0.1:$PORT"
SERVER_PID=""; LOAD_PID=""
cleanup() {
  [[ -n "$LOAD_PID" ]] && kill "$LOAD_PID" 2>/dev/null && wait "$LOAD_PID" 2>/dev/null
  [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  [[ "$KEEP_DATA" == 1 ]] || rm -rf "$DATA"
}
trap cleanup EXIT
say() { echo "$*" | tee -a "$OUT/summary.txt"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

SLUICE_NO_BUILD=1 "$ROOT/bin/sluice" --port "$PORT" --management-port off --data-dir "$DATA" > "$OUT/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 240); do curl -sf "$URL/health" >/dev/null && break; sleep 0.5; done
curl -sf "$URL/health" >/dev/null || { echo "server did not start; see $OUT/server.log" >&2; exit 1; }

# PUT or DELETE the subscriptions from one process over keep-alive connections (8 at a time): a
# curl per request would cost the machine several CPU-seconds per switch.
toggle() { # PUT|DELETE: prints the status codes and their counts
  node -e '
    const http = require("http"); const [method, url, n] = [process.argv[1], process.argv[2], +process.argv[3]];
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 }); const codes = {}; let next = 1;
    const one = i => new Promise(done => {
      const body = method === "PUT" ? JSON.stringify({ type: "pull-wake", pattern: `tenant-${i}/*`, wake_stream: `wake/tenant-${i}` }) : "";
      const req = http.request(`${url}/v1/stream/__ds/subscriptions/bench-${i}`, { method, agent,
        headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) } }, res => {
        res.resume(); res.on("end", () => { codes[res.statusCode] = (codes[res.statusCode] || 0) + 1; done(); }); });
      req.on("error", e => { codes[e.code] = (codes[e.code] || 0) + 1; done(); }); req.end(body); });
    const worker = async () => { while (next <= n) await one(next++); };
    Promise.all(Array.from({ length: 8 }, worker)).then(() => { console.log(JSON.stringify(codes)); agent.destroy(); });' \
    "$1" "$URL" "$SUBS"
}
present=none
switch_to() { # none|with
  [[ "$1" == "$present" ]] && return
  local t0 codes; t0=$(date +%s.%N)
  if [[ "$1" == with ]]; then codes="$(toggle PUT)"; else codes="$(toggle DELETE)"; fi
  say "  $([[ "$1" == with ]] && echo created || echo deleted) $SUBS subscriptions in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s: $codes"
  present="$1"
}

# One sample: appends acknowledged, server and load-generator CPU ticks, machine busy and total
# ticks, time, and the server's RocksDB-background and JIT-compiler threads' ticks.
proc_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
thread_ticks() { # "rocksdb jit" ticks of the process's threads, by thread name (the part in parentheses)
  cat /proc/"$1"/task/*/stat 2>/dev/null | awk '{ o = index($0, "("); c = 0
      for (k = length($0); k > o; k--) if (substr($0, k, 1) == ")") { c = k; break }
      name = substr($0, o + 1, c - o - 1); split(substr($0, c + 2), f, " "); t = f[12] + f[13]
      if (name ~ /^rocksdb:/) rocks += t; else if (name ~ /^C[12] CompilerThre/) jit += t }
    END { print rocks + 0, jit + 0 }'
}
sample() {
  local appends
  appends="$(curl -s "$URL/metrics" | awk '$1 == "sluice_appends_acknowledged_total" { printf "%d", $2 }')"
  echo "${appends:-0} $(proc_ticks "$SERVER_PID") $(proc_ticks "$LOAD_PID")" \
    "$(awk '$1 == "cpu" { busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, busy + $5 + $6 }' /proc/stat) $(date +%s.%N)" \
    "$(thread_ticks "$SERVER_PID")"
}
HZ="$(getconf CLK_TCK)"
# Prints "appends/s server_us_per_append server_cores other_cores serving_us_per_append
# rocksdb_bg_us_per_append jit_us_per_append" for the window between two samples.
window() { # state pair
  local s0 s1; s0="$(sample)"; sleep "$(secs "$WINDOW")"; s1="$(sample)"
  awk -v hz="$HZ" -v a="$s0" -v b="$s1" 'BEGIN { split(a, x, " "); split(b, y, " "); dt = y[6] - x[6];
    n = y[1] - x[1]; srv = (y[2] - x[2]) / hz; gen = (y[3] - x[3]) / hz; busy = (y[4] - x[4]) / hz;
    rocks = (y[7] - x[7]) / hz; jit = (y[8] - x[8]) / hz
    printf "%.1f %.1f %.3f %.3f %.1f %.1f %.1f\n", n / dt, srv / n * 1e6, srv / dt, (busy - srv - gen) / dt,
      (srv - rocks - jit) / n * 1e6, rocks / n * 1e6, jit / n * 1e6 }'
}

say "subscriptions-overhead: $PAIRS pairs from '$START', $SUBS subscriptions, $([[ -n "$RATE" ]] && echo "open loop at $RATE appends/s" || echo "closed loop"), prewarm $PREWARM, window $WINDOW, settle $SETTLE"
say "commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null), $(nproc) cores, load average at start $(load)"
SLUICE_NO_BUILD=1 "$ROOT/bin/sluice-bench" --scenario append --url "$URL" --streams 100 --connections 64 \
  --duration 3600s --warmup 1s ${RATE:+--rate "$RATE"} --label load --name load --out "$OUT" --quiet > "$OUT/load.log" 2>&1 &
LOAD_PID=$!
other_state() { [[ "$1" == with ]] && echo none || echo with; }
switch_to "$START"
sleep "$(secs "$PREWARM")"
say "prewarmed $PREWARM ($START), load average $(load)"
printf 'pair\tstate\tappends_per_s\tserver_us_per_append\tserver_cores\tother_cores\tload1\tserving_us_per_append\trocksdb_bg_us_per_append\tjit_us_per_append\n' > "$OUT/windows.tsv"
printf 'pair\tsecond_state\tnone_tput\twith_tput\tnone_us\twith_us\tnone_other\twith_other\tnone_serving_us\twith_serving_us\n' > "$OUT/pairs.tsv"
state="$START"
for p in $(seq 1 "$PAIRS"); do
  declare -A w=()
  for half in 1 2; do
    [[ "$half" == 2 ]] && { switch_to "$(other_state "$state")"; state="$present"; sleep "$(secs "$SETTLE")"; }
    l="$(cut -d' ' -f1 /proc/loadavg)"
    kill -0 "$LOAD_PID" 2>/dev/null || { say "the load generator stopped; see $OUT/load.log"; exit 1; }
    read -r tput us cores other serving rocks jit <<< "$(window)"
    w[$state]="$tput $us $other $serving"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$p" "$state" "$tput" "$us" "$cores" "$other" "$l" "$serving" "$rocks" "$jit" >> "$OUT/windows.tsv"
    say "pair $p $state: appends/s=$tput server_cpu_us_per_append=$us (serving $serving, rocksdb background $rocks, jit $jit) server_cores=$cores other_cores=$other load1=$l"
  done
  read -r nt nu no ns <<< "${w[none]}"; read -r wt wu wo ws <<< "${w[with]}"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$p" "$state" "$nt" "$wt" "$nu" "$wu" "$no" "$wo" "$ns" "$ws" >> "$OUT/pairs.tsv"
done
summarize "$OUT" | tee -a "$OUT/summary.txt"
say "load average at end $(load); results in $OUT"
