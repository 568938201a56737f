#!/usr/bin/env bash
# Install the Docker engine, docker-compose and debootstrap from Debian's packages (idempotent;
# needs root).
set -euo pipefail

packages=(docker.io debootstrap docker-compose)

missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-engine: already installed: ${packages[*]}"
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    echo "install-engine: must run as root to install: ${missing[*]}" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# The package's own service would start a second dockerd on the default socket; we start ours by hand.
apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-engine: installed: ${missing[*]}"
