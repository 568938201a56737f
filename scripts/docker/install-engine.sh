#!/usr/bin/env bash
# Install the Docker engine, docker-compose and debootstrap from Debian's packages (idempotent;
# needs root). The package's own service would start a second dockerd on the default socket; we
# start ours by hand (start-dockerd.sh).
set -euo pipefail
exec bash "$(dirname "$0")/../install-packages.sh" docker.io debootstrap docker-compose
