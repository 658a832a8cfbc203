#!/usr/bin/env bash
# Rebuilds the sensor's BPF object from its C source, as the cilium/ebpf bpf2go convention does:
# the object is committed next to the source so that `cargo build` needs no clang.
#
#   scripts/build-bpf.sh            rebuild crates/harrier-sensor/bpf/sensor.bpf.o
#
# Needs clang (Debian `clang`, 14 or later), bpftool (for vmlinux.h, dumped from this kernel's
# BTF; CO-RE relocates the object to any other BTF kernel at load) and libbpf's headers
# (Debian `libbpf-dev`). It also records the SHA-256 of the sources the object was built from
# in sensor.bpf.o.sources, which a unit test checks, so an edit of the C without a rebuild fails.
set -euo pipefail
cd "$(dirname "$0")/../crates/harrier-sensor/bpf"

for tool in clang bpftool; do
  command -v "$tool" >/dev/null || { echo "error: $tool is needed (apt-get install clang bpftool libbpf-dev)" >&2; exit 1; }
done
[ -f /usr/include/bpf/bpf_helpers.h ] || { echo "error: libbpf headers are needed (apt-get install libbpf-dev)" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
bpftool btf dump file "${HARRIER_VMLINUX_BTF:-/sys/kernel/btf/vmlinux}" format c > "$tmp/vmlinux.h"

clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -mcpu=v3 \
  -I "$tmp" -I . -I /usr/include/x86_64-linux-gnu \
  -Wall -Werror \
  -c sensor.bpf.c -o "$tmp/sensor.bpf.o"
# Drop DWARF (the BTF and its CO-RE records stay): smaller and reproducible across build paths.
llvm-strip -g "$tmp/sensor.bpf.o" 2>/dev/null || true
mv "$tmp/sensor.bpf.o" sensor.bpf.o
sha256sum sensor.bpf.c sensor.h > sensor.bpf.o.sources
echo "built $(pwd)/sensor.bpf.o ($(stat -c %s sensor.bpf.o) bytes)"
