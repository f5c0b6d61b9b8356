#!/usr/bin/env bash
# Checks the image tarball without a container runtime: unpacks its layers (in order) into a
# directory and runs the entrypoint's java there under chroot: `--version`, then a node that must
# print its READY line (the runtime, the shared libraries and RocksDB's native library all load).
#
#   check-image.sh IMAGE_TAR VERSION
#
# chroot and bind mounts need root; as another user the check is skipped with a message.
set -euo pipefail
TAR="$1"
VERSION="$2"
if [[ "$(id -u)" != 0 ]]; then
  echo "check-image.sh: not root, cannot chroot: image not checked" >&2
  exit 0
fi
WORK="$(mktemp -d)"
NODE=""
PROC=""
cleanup() {
  set +e
  if [[ -n "$NODE" ]]; then kill "$NODE" 2>/dev/null; wait "$NODE" 2>/dev/null; fi
  if [[ -n "$PROC" ]]; then umount "$PROC" 2>/dev/null || umount -l "$PROC"; fi
  # Never delete through a mount that is still there.
  if grep -q " $WORK/" /proc/mounts; then
    echo "check-image.sh: $WORK still has a mount; left in place" >&2
  else
    rm -rf --one-file-system "$WORK"
  fi
}
trap cleanup EXIT
mkdir -p "$WORK/image" "$WORK/root"
tar -xf "$TAR" -C "$WORK/image"
# manifest.json (docker save format): [{"Config":...,"RepoTags":[...],"Layers":["a.tar.gz",...]}]
LAYERS="$(tr -d '\n' < "$WORK/image/manifest.json" | sed 's/.*"Layers":\[\([^]]*\)\].*/\1/' | tr -d '"' | tr ',' ' ')"
for layer in $LAYERS; do
  tar -xzf "$WORK/image/$layer" -C "$WORK/root"
done
# What a container runtime provides: a /proc (the loader resolves the runtime's $ORIGIN rpath
# through it) and the basic devices (no bind mount of the host's /dev).
mkdir -p "$WORK/root/proc" "$WORK/root/dev"
mount -t proc proc "$WORK/root/proc"
PROC="$WORK/root/proc"
mknod -m 666 "$WORK/root/dev/null" c 1 3
mknod -m 666 "$WORK/root/dev/zero" c 1 5
mknod -m 666 "$WORK/root/dev/random" c 1 8
mknod -m 666 "$WORK/root/dev/urandom" c 1 9
CP="/app/resources:/app/classes:/app/libs/*"
got="$(chroot --userspec=10001:10001 "$WORK/root" /opt/java/bin/java -cp "$CP" dev.sluice.server.Main --version)"
[[ "$got" == "sluice $VERSION" ]] || { echo "check-image.sh: --version printed '$got'" >&2; exit 1; }
mkdir -p "$WORK/root/var/lib/sluice/check" && chown -R 10001:10001 "$WORK/root/var/lib/sluice"
chroot --userspec=10001:10001 "$WORK/root" /opt/java/bin/java -Xmx256m -cp "$CP" dev.sluice.server.Main \
  --host 127.0.0.1 --port 0 --management-port off --data-dir /var/lib/sluice/check > "$WORK/node.out" 2> "$WORK/node.err" &
NODE=$!
for _ in $(seq 1 240); do
  grep -q "SLUICE READY" "$WORK/node.out" && break
  kill -0 "$NODE" 2>/dev/null || break
  sleep 0.5
done
if ! grep -q "SLUICE READY" "$WORK/node.out"; then
  echo "check-image.sh: the node in the image did not start:" >&2
  tail -20 "$WORK/node.err" >&2
  exit 1
fi
echo "check-image.sh: image OK: $got; a node started from it ($(grep -o 'SLUICE READY.*' "$WORK/node.out"))"
