#!/usr/bin/env bash
# Install Debian's chromium and chromium-driver, the headless browser the viewer's tests drive
# (idempotent; needs root). Nothing is downloaded outside Debian's packages.
set -euo pipefail

packages=(chromium chromium-driver)

missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-browser: already installed: ${packages[*]}"
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    echo "install-browser: must run as root to install: ${missing[*]}" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-browser: installed: ${missing[*]}"
