# shellcheck shell=bash disable=SC2034  # the variables are read by the scripts that source this
# Shared settings for scripts/docker/*.sh; source it, do not run it.
# Every path can be overridden from the environment; the defaults keep all state in the
# git-ignored .docker-work/ folder of the repository.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DOCKER_WORK="${READOUT_DOCKER_WORK:-$REPO_ROOT/.docker-work}"
DOCKER_SOCK="${READOUT_DOCKER_SOCK:-$DOCKER_WORK/docker.sock}"
DOCKER_PIDFILE="${READOUT_DOCKER_PIDFILE:-$DOCKER_WORK/dockerd.pid}"
DOCKER_LOG="${READOUT_DOCKER_LOG:-$DOCKER_WORK/dockerd.log}"
DOCKER_DATA_ROOT="${READOUT_DOCKER_DATA_ROOT:-$DOCKER_WORK/data}"
# containerd's socket lives under the exec root and a unix socket path must stay under 108 bytes.
DOCKER_EXEC_ROOT="${READOUT_DOCKER_EXEC_ROOT:-$DOCKER_WORK/exec}"
if [[ ${#DOCKER_EXEC_ROOT} -gt 60 ]]; then
    DOCKER_EXEC_ROOT="/run/readout-docker-$(printf '%s' "$DOCKER_WORK" | cksum | cut -d' ' -f1)"
fi
BASE_IMAGE_TAG="${READOUT_BASE_IMAGE:-readout-base:bookworm-minbase}"

# Prefer the client shipped with the engine (docker.io) so client and daemon speak the same API.
if [[ -z "${DOCKER_BIN:-}" ]]; then
    if [[ -x /usr/bin/docker ]]; then DOCKER_BIN=/usr/bin/docker; else DOCKER_BIN=docker; fi
fi

docker_cli() {
    "$DOCKER_BIN" -H "unix://$DOCKER_SOCK" "$@"
}
