#!/usr/bin/env bash
# Stop the dockerd started by start-dockerd.sh, by PID (argument, or the pidfile).
# Usage: scripts/docker/stop-dockerd.sh [PID]
set -euo pipefail
# shellcheck source=scripts/docker/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

pid="${1:-}"
if [[ -z "$pid" && -s "$DOCKER_PIDFILE" ]]; then
    pid="$(cat "$DOCKER_PIDFILE")"
fi
if [[ -z "$pid" ]]; then
    echo "stop-dockerd: no PID given and no pidfile at $DOCKER_PIDFILE" >&2
    exit 0
fi
if ! kill -0 "$pid" 2>/dev/null; then
    echo "stop-dockerd: PID $pid is not running" >&2
    exit 0
fi

# dockerd leaves its network namespace mounted under the exec root; unmount what is left there
# so that the work folder can be deleted.
unmount_leftovers() {
    local mounts
    mounts="$(awk -v root="$DOCKER_EXEC_ROOT/" 'index($2, root) == 1 { print $2 }' /proc/mounts)"
    if [[ -n "$mounts" ]]; then
        sort -r <<<"$mounts" | xargs -r -n 1 umount -l
    fi
}

# SIGTERM lets dockerd stop its containers and its own containerd before it exits.
kill -TERM "$pid"
for _ in $(seq 1 60); do
    if ! kill -0 "$pid" 2>/dev/null; then
        unmount_leftovers
        echo "stop-dockerd: stopped PID $pid" >&2
        exit 0
    fi
    sleep 0.5
done
echo "stop-dockerd: PID $pid still running after 30 s; sending SIGKILL" >&2
kill -KILL "$pid" 2>/dev/null || true
sleep 1
unmount_leftovers
