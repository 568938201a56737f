#!/usr/bin/env bash
# Start a private dockerd on its own socket, data root and exec root; print its PID.
# Usage: scripts/docker/start-dockerd.sh   (then: export DOCKER_HOST=unix://<socket it prints>)
set -euo pipefail
# shellcheck source=scripts/docker/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [[ -s "$DOCKER_PIDFILE" ]] && kill -0 "$(cat "$DOCKER_PIDFILE")" 2>/dev/null \
    && docker_cli info >/dev/null 2>&1; then
    echo "start-dockerd: already running on unix://$DOCKER_SOCK" >&2
    cat "$DOCKER_PIDFILE"
    exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
    echo "start-dockerd: dockerd not found; run scripts/docker/install-engine.sh first" >&2
    exit 1
fi

mkdir -p "$DOCKER_WORK" "$DOCKER_DATA_ROOT" "$DOCKER_EXEC_ROOT"
rm -f "$DOCKER_PIDFILE"

# No iptables and no bridge: containers run with --network host, and the machine's firewall
# is left alone. setsid detaches dockerd from this shell so it outlives the script.
setsid dockerd \
    --data-root "$DOCKER_DATA_ROOT" \
    --exec-root "$DOCKER_EXEC_ROOT" \
    --pidfile "$DOCKER_PIDFILE" \
    -H "unix://$DOCKER_SOCK" \
    --storage-driver=overlay2 \
    --iptables=false \
    --ip-masq=false \
    --bridge=none \
    </dev/null >>"$DOCKER_LOG" 2>&1 &
pid=$!

for _ in $(seq 1 120); do
    if docker_cli info >/dev/null 2>&1; then
        echo "start-dockerd: ready on unix://$DOCKER_SOCK (log: $DOCKER_LOG)" >&2
        echo "$pid"
        exit 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "start-dockerd: dockerd exited; last lines of $DOCKER_LOG:" >&2
        tail -n 20 "$DOCKER_LOG" >&2
        exit 1
    fi
    sleep 0.5
done

echo "start-dockerd: no answer on unix://$DOCKER_SOCK after 60 s; stopping PID $pid" >&2
kill "$pid" 2>/dev/null || true
tail -n 20 "$DOCKER_LOG" >&2
exit 1
