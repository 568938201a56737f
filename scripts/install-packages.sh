#!/usr/bin/env bash
# Install the Debian packages named as arguments that are not installed yet (idempotent; root is
# needed only when one is missing). The packages' own services are not started by Readout.
set -euo pipefail

missing=()
for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-packages: already installed: $*"
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    echo "install-packages: must run as root to install: ${missing[*]}" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-packages: installed: ${missing[*]}"
