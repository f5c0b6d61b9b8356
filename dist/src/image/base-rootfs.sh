#!/usr/bin/env bash
# Assembles the base filesystem of the container image from this machine, with no container
# registry (README "Container image"): a jlink'ed Java runtime in /opt/java, the shared libraries
# it and RocksDB's JNI library link against (found with ldd), a passwd/group entry for the
# non-root user 10001 (sluice), /tmp and /var/lib/sluice. Jib then builds the image FROM scratch
# with this directory as an extra layer.
#
#   base-rootfs.sh OUT_DIR ROCKSDBJNI_JAR
#
# Needs a JDK 17 (jlink; JAVA_HOME or java on PATH), ldd and unzip or jar.
set -euo pipefail
OUT="$1"
ROCKSDB_JAR="$2"

if [[ -z "${JAVA_HOME:-}" ]]; then
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
fi
[[ -x "$JAVA_HOME/bin/jlink" ]] || { echo "base-rootfs.sh: no jlink in $JAVA_HOME (a JDK is needed, not a JRE)" >&2; exit 1; }
command -v ldd >/dev/null || { echo "base-rootfs.sh: ldd not found" >&2; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT/opt" "$OUT/etc" "$OUT/tmp" "$OUT/var/lib/sluice"
chmod 1777 "$OUT/tmp"

# The Java SE modules plus what Pekko (sun.misc.Unsafe: jdk.unsupported) and Micrometer's process
# metrics (jdk.management) use.
"$JAVA_HOME/bin/jlink" --add-modules java.se,jdk.unsupported,jdk.management,jdk.jfr,jdk.crypto.ec,jdk.zipfs,jdk.net \
  --strip-debug --no-header-files --no-man-pages --output "$OUT/opt/java"

# RocksDB's native library is unpacked from its jar at run time; its dependencies must be there too.
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && "$JAVA_HOME/bin/jar" xf "$ROCKSDB_JAR" librocksdbjni-linux64.so)

# Every shared library the runtime and RocksDB link against, at the same path, and the loader.
{
  find "$OUT/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -print
  echo "$WORK/librocksdbjni-linux64.so"
} | while read -r f; do ldd "$f" 2>/dev/null || true; done \
  | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | sort -u \
  | grep -v -e "^$OUT/" -e "^$WORK/" \
  | while read -r lib; do
      mkdir -p "$OUT$(dirname "$lib")"
      cp -L "$lib" "$OUT$lib"
    done
# Name lookups (localhost, the pod's own name) go through glibc's NSS modules, loaded at run time.
for lib in /lib/x86_64-linux-gnu/libnss_files.so.2 /lib/x86_64-linux-gnu/libnss_dns.so.2 /lib/x86_64-linux-gnu/libresolv.so.2; do
  if [[ -f "$lib" ]]; then mkdir -p "$OUT$(dirname "$lib")"; cp -L "$lib" "$OUT$lib"; fi
done

cat > "$OUT/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
sluice:x:10001:10001:sluice:/var/lib/sluice:/sbin/nologin
PASSWD
cat > "$OUT/etc/group" <<'GROUP'
root:x:0:
sluice:x:10001:
GROUP
echo "hosts: files dns" > "$OUT/etc/nsswitch.conf"
echo "base-rootfs.sh: $(du -sh "$OUT" | cut -f1) in $OUT"
