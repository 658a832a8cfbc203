#!/usr/bin/env bash
# Builds the real container images that harrier-image's acceptance tests scan (issue 4):
# a Debian bookworm root filesystem from debootstrap, layered with buildah from
# scripts/test-image/Containerfile (Go binaries and Java jars from Debian packages, Python
# packages from PyPI at versions with known advisories, a Cargo.lock and a package-lock.json,
# test keys planted in one layer and deleted in the next, packages removed in a later layer).
#
# Usage: scripts/build-test-images.sh OUTDIR
#
# Writes into OUTDIR:
#   image.docker.tar      docker-archive (uncompressed layers), tagged harrier/test:latest
#   image.oci/            OCI image layout (gzip layers), tag "test"
#   image.oci.tar         oci-archive (gzip layers), tag "test"
#   image.oci-zstd/       OCI image layout with zstd layers, tag "test"
#   rootfs/               the final image's root filesystem, unpacked
#   dpkg-query.txt        dpkg-query -W of rootfs/ (package, version, arch, source, source version)
#   pip-list.txt          `pip list --format=freeze` inside the image; pip-list.json: `pip list -v`
#   history.txt           one line per history entry: empty_layer flag and created_by
#   planted/              the planted test secrets (so tests can assert they are never printed)
#   build-info.txt        tool versions, timings, sizes
#   .complete             stamp: written last; holds the hash of the inputs
# Reuses OUTDIR when .complete matches the current inputs; otherwise rebuilds (the debootstrap
# root filesystem is cached in OUTDIR/.work and reused).
#
# Needs root and network access to the Debian mirror and PyPI. Installs its Debian packages
# (see NEEDED below) when they are missing. Environment: MIRROR (default
# http://deb.debian.org/debian), STORAGE_DRIVER (overlay, falling back to vfs).
set -euo pipefail

NEEDED="debootstrap buildah runc skopeo uidmap openssh-client"
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm

if [ $# -ne 1 ]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
ctxsrc="$here/test-image"
mkdir -p "$1"
out="$(cd "$1" && pwd)"
work="$out/.work"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
now() { date +%s; }

# The inputs: this script and everything in the build context directory but its README.
inputs_hash() {
  (cd "$here" && find build-test-images.sh test-image -type f ! -name '*.md' -print0 | LC_ALL=C sort -z \
    | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
}
hash="$(inputs_hash)"
if [ -f "$out/.complete" ] && [ "$(cat "$out/.complete")" = "$hash" ]; then
  log "$out is complete (inputs $hash); reusing it"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, buildah)"

missing=""
for p in $NEEDED; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
python3 -m pip --version > /dev/null 2>&1 || missing="$missing python3-pip"
if [ -n "$missing" ]; then
  log "installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing
fi

curl -fsS --max-time 30 -o /dev/null "$MIRROR/dists/$SUITE/Release" \
  || die "the Debian mirror $MIRROR is not reachable (set MIRROR)"

t_start=$(now)
rm -rf "$out/image.docker.tar" "$out/image.oci" "$out/image.oci.tar" "$out/image.oci-zstd" \
  "$out/rootfs" "$out/planted" "$out"/*.txt "$out/pip-list.json" "$out/.complete"
mkdir -p "$work"

# 1. The base root filesystem, cached in $work/rootfs.tar.
t0=$(now)
if [ ! -f "$work/rootfs.tar" ]; then
  log "debootstrap --variant=minbase $SUITE from $MIRROR"
  rm -rf "$work/base"
  debootstrap --variant=minbase "$SUITE" "$work/base" "$MIRROR" > "$work/debootstrap.log" 2>&1 \
    || { tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap failed (log: $work/debootstrap.log)"; }
  # What an image base leaves out: downloaded .debs, apt lists and caches, device nodes.
  rm -rf "$work/base/var/cache/apt/archives/"*.deb "$work/base/var/cache/apt/"*.bin \
    "$work/base/var/lib/apt/lists/"* "$work/base/dev/"* "$work/base/proc/"* "$work/base/sys/"*
  mkdir -p "$work/base/var/lib/apt/lists/partial"
  tar --numeric-owner --xattrs -C "$work/base" -cf "$work/rootfs.tar.tmp" .
  mv "$work/rootfs.tar.tmp" "$work/rootfs.tar"
  rm -rf "$work/base"
fi
t_debootstrap=$(( $(now) - t0 ))

# 2. The build context: rootfs.tar, app/, and freshly generated test secrets in planted/.
ctx="$work/context"
rm -rf "$ctx"
mkdir -p "$ctx"
ln "$work/rootfs.tar" "$ctx/rootfs.tar" 2>/dev/null || cp "$work/rootfs.tar" "$ctx/rootfs.tar"
cp -r "$ctxsrc/app" "$ctx/app"
cp "$ctxsrc/Containerfile" "$ctx/Containerfile"
# Wheels from PyPI for app/requirements.txt, downloaded here rather than in the build so that the
# host's CA certificates (and proxy settings) apply; bind-mounted into the pip layer.
log "pip download (PyPI)"
mkdir -p "$ctx/wheels"
cp "$ctxsrc/app/requirements.txt" "$ctx/wheels/requirements.txt"
env -u PIP_FIND_LINKS -u PIP_NO_INDEX python3 -m pip download --quiet --disable-pip-version-check \
  --no-deps --only-binary=:all: --python-version 3.11 --implementation cp --abi cp311 \
  --platform manylinux2014_x86_64 -d "$ctx/wheels" -r "$ctx/wheels/requirements.txt" \
  || die "pip download from PyPI failed"
p="$ctx/planted"
mkdir -p "$p/root/.ssh" "$p/root/.aws" "$p/etc/ssl/private" "$p/app/config"
ssh-keygen -q -t ed25519 -N '' -C 'harrier-test-key' -f "$p/root/.ssh/id_ed25519"
ssh-keygen -q -t rsa -b 2048 -m PEM -N '' -C 'harrier-test-key' -f "$p/etc/ssl/private/harrier-test-rsa.pem"
rm -f "$p/etc/ssl/private/harrier-test-rsa.pem.pub"
# A fake AWS access key (AKIA + 16 base32 characters; not AWS's documented example key, which
# scanners allow-list) and a fake 40-character secret.
cat > "$p/root/.aws/credentials" <<'EOF'
[default]
aws_access_key_id = AKIAHARRIERTESTKEY7Q
aws_secret_access_key = hArr1erTestS3cretKey/NotReal+0123456789ab
EOF
cat > "$p/app/config/settings.ini" <<'EOF'
[app]
region = eu-west-1

[aws]
access_key_id = AKIAHARRIERTESTKEY7Q
secret_access_key = hArr1erTestS3cretKey/NotReal+0123456789ab
EOF
chmod 700 "$p/root/.ssh" "$p/root/.aws" "$p/etc/ssl/private"
chmod 600 "$p/root/.ssh/id_ed25519" "$p/etc/ssl/private/harrier-test-rsa.pem" "$p/root/.aws/credentials"

# 3. buildah with its own storage, runc, and the containers.conf the machines need.
export CONTAINERS_CONF="$work/containers.conf"
cat > "$CONTAINERS_CONF" <<'EOF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]

[engine]
runtime = "runc"
EOF
storage_root="$work/storage"
storage_run="$work/run"
bh() { buildah --root "$storage_root" --runroot "$storage_run" --storage-driver "$driver" "$@"; }
# Throwaway storage: remove the containers (unmounting their root filesystems), unmount what
# containers-storage mounted under its root (deepest first), then delete it. Much faster than
# `buildah rmi --all`.
cleanup_storage() {
  if [ -d "$storage_root" ]; then
    bh rm --all > /dev/null 2>&1 || true
    awk -v r="$storage_root" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo \
      | sort -r | while read -r m; do umount "$m" || umount -l "$m"; done
    rm -rf "$storage_root" "$storage_run"
  fi
}
driver=${STORAGE_DRIVER:-}
if [ -z "$driver" ]; then
  driver=overlay
  if ! grep -qw overlay /proc/filesystems && ! modprobe overlay 2>/dev/null; then driver=vfs; fi
fi
cleanup_storage
trap cleanup_storage EXIT

image=localhost/harrier/test:latest
t0=$(now)
log "buildah build (storage driver $driver; log: $work/build.log)"
if ! bh build --layers --format oci --runtime runc --network host --pull=never \
  -t "$image" -f "$ctx/Containerfile" "$ctx" > "$work/build.log" 2>&1; then
  if [ "$driver" = overlay ] && [ -z "${STORAGE_DRIVER:-}" ]; then
    log "overlay failed (log: $work/build.log); retrying with vfs"
    cleanup_storage
    driver=vfs
    bh build --layers --format oci --runtime runc --network host --pull=never \
      -t "$image" -f "$ctx/Containerfile" "$ctx" > "$work/build.log" 2>&1 \
      || { tail -n 40 "$work/build.log" >&2; die "buildah build failed (log: $work/build.log)"; }
  else
    tail -n 40 "$work/build.log" >&2
    die "buildah build failed (log: $work/build.log)"
  fi
fi
t_build=$(( $(now) - t0 ))

# 4. The three image formats (and OCI with zstd layers).
t0=$(now)
log "saving docker-archive, OCI layout, oci-archive"
bh push --quiet "$image" "docker-archive:$out/image.docker.tar:harrier/test:latest"
bh push --quiet "$image" "oci:$out/image.oci:test"
bh push --quiet "$image" "oci-archive:$out/image.oci.tar:test"
bh push --quiet --compression-format zstd "$image" "oci:$out/image.oci-zstd:test"
t_save=$(( $(now) - t0 ))

# 5. The final root filesystem, dpkg-query over it, pip list inside the image.
t0=$(now)
ctr=$(bh from --pull=never "$image")
mnt=$(bh mount "$ctr")
mkdir -p "$out/rootfs"
tar --numeric-owner --xattrs -C "$mnt" -cf - . | tar --numeric-owner --xattrs -C "$out/rootfs" -xf -
bh umount "$ctr" > /dev/null
dpkg-query --admindir="$out/rootfs/var/lib/dpkg" -W \
  -f '${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\n' \
  | LC_ALL=C sort > "$out/dpkg-query.txt"
bh run --runtime runc --network none "$ctr" -- python3 -m pip list --format=freeze \
  --disable-pip-version-check 2> /dev/null | LC_ALL=C sort -f > "$out/pip-list.txt"
bh run --runtime runc --network none "$ctr" -- python3 -m pip list -v --format=json \
  --disable-pip-version-check 2> /dev/null > "$out/pip-list.json"
bh rm "$ctr" > /dev/null
bh inspect --type image --format '{{range .History}}{{.EmptyLayer}}	{{.CreatedBy}}{{println}}{{end}}' "$image" \
  | sed '/^$/d' > "$out/history.txt"
cp -r "$p" "$out/planted"
t_extract=$(( $(now) - t0 ))

layers=$(bh inspect --type image --format '{{len .OCIv1.RootFS.DiffIDs}}' "$image")
{
  echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "inputs: $hash"
  echo "mirror: $MIRROR ($SUITE)"
  echo "storage driver: $driver"
  echo "buildah: $(buildah --version)"
  echo "runc: $(runc --version | head -n 1)"
  echo "skopeo: $(skopeo --version)"
  echo "layers: $layers"
  echo "history entries: $(wc -l < "$out/history.txt")"
  echo "dpkg packages: $(wc -l < "$out/dpkg-query.txt")"
  echo "pip packages: $(wc -l < "$out/pip-list.txt")"
  echo "seconds: debootstrap $t_debootstrap, build $t_build, save $t_save, extract $t_extract, total $(( $(now) - t_start ))"
  echo "sizes (bytes):"
  for f in image.docker.tar image.oci image.oci.tar image.oci-zstd rootfs; do
    printf '  %-18s %s\n' "$f" "$(du -sb "$out/$f" | cut -f1)"
  done
} > "$out/build-info.txt"
cat "$out/build-info.txt" >&2

cleanup_storage
trap - EXIT
rm -rf "$ctx"
echo "$hash" > "$out/.complete"
log "done: $out"
