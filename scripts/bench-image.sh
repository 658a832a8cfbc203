#!/usr/bin/env bash
# Image scanning against the physical floor: the time to merely decompress the image's layers.
#
#   scripts/bench-image.sh docker-archive.tar [runs]
#
# For each run it times
#   - zcat:    every layer blob decompressed to /dev/null, one after the other (one core);
#   - zcat-2:  the same, two layers at a time (both cores, as Harrier walks them);
#   - harrier: `harrier scan image` of the archive with packages, vulnerabilities and secrets,
#              JSON to /dev/null (GNU time: wall, user+system CPU, peak RSS).
# and prints the medians. Needs `cargo build --release` and a vulnerability database
# (HARRIER_DB, or --db via HARRIER_BENCH_DB); without one it scans with `--scanners secret`
# plus packages, which walks the same bytes.
set -euo pipefail

archive=${1:?usage: bench-image.sh docker-archive.tar [runs]}
runs=${2:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
harrier=${HARRIER:-$here/target/release/harrier}
db=${HARRIER_BENCH_DB:-${HARRIER_DB:-}}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xf "$archive" -C "$work"
mapfile -t layers < <(python3 -c '
import json, sys
m = json.load(open(sys.argv[1] + "/manifest.json"))
print("\n".join(m[0]["Layers"]))' "$work")

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
timed() { /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; return 1; }; cat "$work/time"; }

scanners=(--scanners vuln,secret)
dbargs=()
if [[ -n "$db" ]]; then dbargs=(--db "$db"); else scanners=(--scanners secret); fi

: >"$work/zcat"; : >"$work/zcat2"; : >"$work/harrier"
for _ in $(seq "$runs"); do
    (cd "$work" && timed sh -c 'for l in "$@"; do zcat -f "$l"; done' sh "${layers[@]}") >>"$work/zcat"
    (cd "$work" && timed sh -c 'printf "%s\n" "$@" | xargs -P2 -n1 zcat -f' sh "${layers[@]}") >>"$work/zcat2"
    timed "$harrier" --no-progress -q "${dbargs[@]}" scan image "docker-archive:$archive" "${scanners[@]}" --format json -o /dev/null >>"$work/harrier"
done

report() {
    local name=$1 file=$2
    local wall cpu rss
    wall=$(awk '{print $1}' "$file" | median)
    cpu=$(awk '{print $2+$3}' "$file" | median)
    rss=$(awk '{print $4/1024}' "$file" | median)
    printf '%-8s wall %6.2f s   cpu %6.2f s   peak RSS %7.1f MB\n' "$name" "$wall" "$cpu" "$rss"
}
echo "$(basename "$archive"): ${#layers[@]} layers, $(du -m "$archive" | cut -f1) MB as stored, $runs runs (medians)"
report zcat "$work/zcat"
report zcat-2 "$work/zcat2"
report harrier "$work/harrier"
