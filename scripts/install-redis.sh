#!/usr/bin/env bash
# Install Debian's redis-server, the Redis `readout serve` embeds (idempotent; needs root).
# The package's own service is not needed: Readout starts a private server on a unix socket.
set -euo pipefail

if dpkg-query -W -f='${Status}' redis-server 2>/dev/null | grep -q 'install ok installed'; then
    echo "install-redis: already installed: redis-server"
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    echo "install-redis: must run as root to install redis-server" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends redis-server
echo "install-redis: installed: redis-server"
