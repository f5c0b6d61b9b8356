# Sourced, not run, by bin/sluice (source tree) and by the distribution's bin/sluice (the tarball
# ships this file next to it): the node's default JVM flags and its class-data sharing archive,
# decided here once for both launchers. The container image (dist/pom.xml, profile "image"), the
# Kubernetes manifest and the systemd unit (deploy/) cannot source a shell file: they repeat
# SLUICE_DEFAULT_JAVA_OPTS and MALLOC_ARENA_MAX, and dist's DeployDefaultsTest fails when a copy
# differs from this file.
#
# Before sourcing: JAVA (the java command). After: SLUICE_DEFAULT_JAVA_OPTS; JAVA_OPTS (array:
# SLUICE_JAVA_OPTS if set, else the defaults); MALLOC_ARENA_MAX exported; and
#   cds_use DIR CLASS_PATH ARGS...   the archive for CLASS_PATH in DIR (trained once if missing);
#                                    when usable, appends it to JAVA_OPTS and returns 0: the caller
#                                    must then run with exactly CLASS_PATH (jars only).

# Default heap: sized by README "Sizing the heap by active streams" so that a node with its
# 30,000 hottest streams active stays under 512 MB resident (485 MB measured after creating
# 100,000 streams; 914 MB with the former -Xms512m -Xmx1g and 50,000). The entity limit goes with
# the heap, which is why it is here and not in cluster.conf: a larger -Xmx in SLUICE_JAVA_OPTS
# gets cluster.conf's 50,000 back unless it sets the limit too. CompileThresholdScaling=0.5: C2
# compiles the hot paths after half the usual invocations, so the first minute after start is
# faster (README "The first minute after start"; steady-state appends measured unchanged).
SLUICE_DEFAULT_JAVA_OPTS="-Xms64m -Xmx512m -XX:MaxNewSize=48m -XX:+UseParallelGC -XX:CompileThresholdScaling=0.5 -Dpekko.cluster.sharding.passivation.sluice-passivation.active-entity-limit=30000"
read -r -a JAVA_OPTS <<< "${SLUICE_JAVA_OPTS-"$SLUICE_DEFAULT_JAVA_OPTS"}"
# glibc keeps up to 8 malloc arenas per core; RocksDB's native allocations spread over them and
# freed memory stays resident. Two are plenty for a node's few allocating threads.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"

# ---- Class-data sharing --------------------------------------------------------------------
# A fresh JVM spends its first seconds loading and verifying thousands of classes (Pekko, Scala,
# RocksDB, Sluice) on the same cores that serve the first requests. An AppCDS archive (JDK 17
# dynamic archive) holds them pre-parsed and pre-verified, so they are mapped instead. The
# launcher builds it once per build (bin/sluice) or installation (the distribution) and JDK, in a
# training run: a throw-away node on free ports and a temporary data dir, a few requests of each
# kind, then -XX:ArchiveClassesAtExit writes the classes it loaded. The archive's name is a
# checksum of the JDK and of every jar (path, size, mtime) on the class path, so a rebuild or
# another JDK makes a new one. Nothing here may stop the server from starting: a failed training
# run is remembered and skipped, and a missing or unusable archive only means the JVM starts
# without it (-Xshare:auto).
cds_log() { echo "sluice: class-data sharing: $*" >&2; }

cds_wanted() {
  [[ "${SLUICE_CDS:-on}" != off ]] || return 1
  local a
  for a in "$@"; do
    case "$a" in --help|-h|--version) return 1 ;; esac
  done
  for a in "${JAVA_OPTS[@]}"; do   # the caller manages CDS itself
    case "$a" in -Xshare:*|-XX:SharedArchiveFile=*|-XX:ArchiveClassesAtExit=*) return 1 ;; esac
  done
  return 0
}

# Training: start a node with only the -X/-XX options (system properties could point it at a
# real cluster or port), exercise it, stop it; the archive is written on exit, then moved into place.
cds_train() {
  local archive="$1" cp="$2" tmp work log pid url jvm_opts=() a i
  for a in "${JAVA_OPTS[@]}"; do [[ "$a" == -X* ]] && jvm_opts+=("$a"); done
  work="$(mktemp -d "${TMPDIR:-/tmp}/sluice-cds.XXXXXX")" || return 1
  tmp="$archive.$$.tmp"
  log="$work/training.log"
  cds_log "building $archive once (a training run of 20 s to 2 min; SLUICE_CDS=off skips it)"
  "$JAVA" "${jvm_opts[@]}" -XX:ArchiveClassesAtExit="$tmp" -Dsluice.shutdown.timeout=120s -cp "$cp" \
    dev.sluice.server.Main --port 0 --management-port 0 --data-dir "$work/data" > "$log" 2>&1 &
  pid=$!
  # A launcher stopped during training (Ctrl-C, a service stop) takes the training node with it.
  trap 'kill -KILL "$pid" 2>/dev/null; rm -rf "$work" "$tmp"; exit 143' TERM INT
  for i in $(seq 1 1200); do   # up to 120 s
    url="$(sed -n 's/^SLUICE READY \(http[^ ]*\).*/\1/p' "$log" | head -1)"
    [[ -n "$url" ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -n "$url" ]] && command -v curl > /dev/null; then
    local s="$url/v1/stream" c=(curl -s -o /dev/null --max-time 5)
    for i in 1 2 3; do
      "${c[@]}" -X PUT -H 'Content-Type: text/plain' "$s/t$i"
      for a in 1 2 3 4 5 6 7 8 9 10; do "${c[@]}" -X POST -H 'Content-Type: text/plain' --data "record $a" "$s/t$i"; done
      "${c[@]}" "$s/t$i?offset=-1"; "${c[@]}" -I "$s/t$i"
    done
    "${c[@]}" -X PUT -H 'Content-Type: application/json' "$s/j"
    "${c[@]}" -X POST -H 'Content-Type: application/json' --data '[{"a":1},{"b":2}]' "$s/j"
    "${c[@]}" "$s/j?offset=-1"
    "${c[@]}" --max-time 1 "$s/t1?offset=now&live=sse"
    "${c[@]}" --max-time 1 "$s/t1?offset=now&live=long-poll"
    "${c[@]}" -X DELETE "$s/t3"
  fi
  kill -TERM "$pid" 2>/dev/null
  for i in $(seq 1 1800); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done   # dumping takes a while
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  trap - TERM INT
  # A truncated archive (a full disk during the dump) would crash every later start with SIGBUS
  # when mapped: accept it only after a JVM has mapped it with -Xshare:on (which fails otherwise).
  if [[ -n "$url" && -s "$tmp" ]] \
      && "$JAVA" "${jvm_opts[@]}" -XX:SharedArchiveFile="$tmp" -Xshare:on -XX:ErrorFile="$work/hs_err_check.log" -cp "$cp" dev.sluice.server.Main --version > /dev/null 2>&1 \
      && mv -f "$tmp" "$archive"; then
    rm -rf "$work"
    cds_log "built in $SECONDS s"
    return 0
  fi
  rm -f "$tmp"
  cds_log "training failed (log kept in $log); starting without an archive, and not trying again for this class path"
  return 1
}

cds_use() {
  local cds_dir="$1" cds_cp="$2" cds_key cds_archive
  shift 2
  cds_wanted "$@" || return 1
  cds_key="$({ "$JAVA" -version 2>&1; echo "$cds_cp"; tr ':' '\n' <<< "$cds_cp" | xargs -r stat -c '%n %s %Y' 2>&1; } | cksum | cut -d' ' -f1)"
  cds_archive="$cds_dir/sluice-$cds_key.jsa"
  mkdir -p "$cds_dir" 2>/dev/null && [[ -w "$cds_dir" ]] || return 1
  if [[ ! -f "$cds_archive" && ! -f "$cds_archive.failed" ]]; then
    # Several nodes started at once (bin/sluice-cluster) train once: the others wait here.
    exec 9> "$cds_dir/.lock"
    command -v flock > /dev/null && flock 9
    if [[ ! -f "$cds_archive" && ! -f "$cds_archive.failed" ]]; then
      SECONDS=0
      cds_train "$cds_archive" "$cds_cp" || touch "$cds_archive.failed"
      find "$cds_dir" -name 'sluice-*.jsa*' ! -name "sluice-$cds_key.jsa*" -delete 2>/dev/null   # older builds'
    fi
    exec 9>&-
  fi
  [[ -f "$cds_archive" ]] || return 1
  JAVA_OPTS+=(-XX:SharedArchiveFile="$cds_archive" -Xshare:auto)
}
