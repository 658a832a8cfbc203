#!/usr/bin/env bash
# Side-by-side manifest scanning: Harrier and checkov on the same inputs, same machine, the
# same minutes (interleaved), timed with GNU time. Prints one line per run:
#   name wall_seconds cpu_seconds max_rss_kb
#
# Needs: a release build (`cargo build --release`), GNU time (Debian `time`), and checkov
# (`python3 -m venv /tmp/ckvenv && /tmp/ckvenv/bin/pip install checkov`; set CHECKOV).
#
# checkov's CKV_K8S_31 crashes on a corpus fixture with `securityContext: null` and aborts the
# whole run, so it is skipped; `--skip-download` keeps checkov offline.
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${HARRIER_CORPUS:-../shared/corpus}/manifests
HARRIER=${HARRIER:-target/release/harrier}
CHECKOV=${CHECKOV:-checkov}
RUNS=${RUNS:-5}
TARGETS=${TARGETS:-realworld .}
out=$(mktemp -d)

run() {
  local name=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$out/time" "$@" > /dev/null 2>&1 || true
  read -r wall user sys rss < <(tail -n 1 "$out/time")
  awk -v n="$name" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" 'BEGIN { printf "%s %s %.2f %s\n", n, w, u + s, r }'
}

for target in $TARGETS; do
  label=${target/./all}
  run "checkov/$label" "$CHECKOV" -d "$CORPUS/$target" --framework kubernetes -o json --quiet --compact \
    --skip-download --skip-check CKV_K8S_31
  for _ in $(seq "$RUNS"); do
    run "harrier/$label" "$HARRIER" scan manifests "$CORPUS/$target" -q -f json
  done
done
rm -rf "$out"
