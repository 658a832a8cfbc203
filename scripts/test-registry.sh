#!/usr/bin/env bash
# A real local OCI registry for harrier-image's registry tests (issue 4): Debian's
# `docker-registry` (distribution 2.8) on 127.0.0.1 with filesystem storage under DIR, plain HTTP,
# no auth.
#
# Usage:
#   scripts/test-registry.sh start DIR [IMAGES]   start (or reuse) the registry; with IMAGES (the
#                                                 OUTDIR of build-test-images.sh) push its images
#   scripts/test-registry.sh stop DIR
#
# Port 5000 when free, otherwise a free port chosen by the kernel; written to DIR/port. Pushed:
#   127.0.0.1:PORT/harrier/test:latest   from IMAGES/image.oci (OCI manifest, gzip layers)
#   127.0.0.1:PORT/harrier/test:docker   from IMAGES/image.docker.tar (Docker schema 2 manifest)
# The reference of the first is written to DIR/ref. Log: DIR/registry.log.
set -euo pipefail

usage() { echo "usage: $0 start DIR [IMAGES] | stop DIR" >&2; exit 2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
[ $# -ge 2 ] || usage
cmd=$1
mkdir -p "$2"
dir="$(cd "$2" && pwd)"

running() { [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2> /dev/null; }

case "$cmd" in
  start)
    [ $# -le 3 ] || usage
    for c in docker-registry skopeo curl python3; do
      command -v "$c" > /dev/null || die "$c not found (Debian packages: docker-registry skopeo curl)"
    done
    if running; then
      port=$(cat "$dir/port")
    else
      port=5000
      if ! python3 -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", 5000))' 2> /dev/null; then
        port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
      fi
      mkdir -p "$dir/data"
      cat > "$dir/config.yml" <<EOF
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
EOF
      setsid docker-registry serve "$dir/config.yml" > "$dir/registry.log" 2>&1 < /dev/null &
      echo $! > "$dir/pid"
      echo "$port" > "$dir/port"
      ok=""
      for _ in $(seq 1 100); do
        if curl -fs --max-time 2 -o /dev/null "http://127.0.0.1:$port/v2/"; then ok=1; break; fi
        running || break
        sleep 0.1
      done
      if [ -z "$ok" ]; then
        tail -n 20 "$dir/registry.log" >&2
        die "docker-registry did not come up on 127.0.0.1:$port"
      fi
    fi
    ref="127.0.0.1:$port/harrier/test:latest"
    if [ $# -eq 3 ]; then
      images="$(cd "$3" && pwd)"
      [ -f "$images/.complete" ] || die "$images is not a complete build-test-images.sh output"
      skopeo copy --quiet --dest-tls-verify=false "oci:$images/image.oci:test" "docker://$ref"
      skopeo copy --quiet --dest-tls-verify=false "docker-archive:$images/image.docker.tar" \
        "docker://127.0.0.1:$port/harrier/test:docker"
    fi
    echo "$ref" > "$dir/ref"
    echo "$ref"
    ;;
  stop)
    [ $# -eq 2 ] || usage
    if running; then
      pid=$(cat "$dir/pid")
      kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2> /dev/null && kill -9 "$pid"
    fi
    rm -f "$dir/pid"
    ;;
  *) usage ;;
esac
