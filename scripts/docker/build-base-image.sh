#!/usr/bin/env bash
# Build a local Debian bookworm base image with debootstrap and `docker import` it (cached by tag).
# Usage: scripts/docker/build-base-image.sh   (prints the image tag; needs root and a running engine)
# The Debian mirror is read from this machine's apt sources at run time, and the machine's locally
# added CA certificates are trusted inside the image, so pip in `docker build` reaches the index
# exactly as it does on the machine.
set -euo pipefail
# shellcheck source=scripts/docker/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SUITE=bookworm

if docker_cli image inspect "$BASE_IMAGE_TAG" >/dev/null 2>&1; then
    echo "build-base-image: $BASE_IMAGE_TAG already exists" >&2
    echo "$BASE_IMAGE_TAG"
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    echo "build-base-image: debootstrap needs root" >&2
    exit 1
fi

# First enabled "deb" source whose suites include $SUITE, from one-line (.list) or deb822 (.sources)
# files. Prints the URI, or nothing.
apt_mirror() {
    local files=() f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        if [[ -f "$f" ]]; then files+=("$f"); fi
    done
    if [[ ${#files[@]} -eq 0 ]]; then return 0; fi
    awk -v suite="$SUITE" '
        function has_suite(list,    n, i, parts) {
            n = split(list, parts, /[ \t]+/)
            for (i = 1; i <= n; i++) if (parts[i] == suite) return 1
            return 0
        }
        function flush() {
            if (types ~ /(^|[ \t])deb([ \t]|$)/ && enabled != "no" && has_suite(suites) && uris != "") {
                split(uris, u, /[ \t]+/); print u[1]; found = 1; exit
            }
            types = ""; uris = ""; suites = ""; enabled = ""
        }
        FNR == 1 { if (prev ~ /\.sources$/) flush(); prev = FILENAME }
        FILENAME ~ /\.sources$/ {
            if ($0 ~ /^[ \t]*$/) { flush(); next }
            if ($0 ~ /^[ \t#]/) next
            key = tolower($1); sub(/:$/, "", key); val = $0; sub(/^[^:]*:[ \t]*/, "", val)
            if (key == "types") types = val
            else if (key == "uris") uris = val
            else if (key == "suites") suites = val
            else if (key == "enabled") enabled = tolower(val)
            next
        }
        /^[ \t]*deb[ \t]/ {
            line = $0; sub(/^[ \t]*deb[ \t]+/, "", line)
            if (line ~ /^\[/) sub(/^\[[^]]*\][ \t]*/, "", line)
            n = split(line, f, /[ \t]+/)
            if (n >= 2 && f[2] == suite) { print f[1]; found = 1; exit }
        }
        END { if (!found) flush() }
    ' "${files[@]}"
}

mirror="${READOUT_DEBIAN_MIRROR:-$(apt_mirror)}"
if [[ -z "$mirror" ]]; then
    echo "build-base-image: no '$SUITE' source in /etc/apt/sources.list{,.d/}; set READOUT_DEBIAN_MIRROR" >&2
    exit 1
fi

rootfs="$DOCKER_WORK/rootfs-$SUITE"
rm -rf "$rootfs"
mkdir -p "$rootfs"
trap 'rm -rf "$rootfs"' EXIT

echo "build-base-image: debootstrap $SUITE from $mirror" >&2
debootstrap --variant=minbase --include=python3,python3-pip,python3-venv,ca-certificates \
    "$SUITE" "$rootfs" "$mirror" >"$DOCKER_WORK/debootstrap.log" 2>&1 || {
    tail -n 30 "$DOCKER_WORK/debootstrap.log" >&2
    exit 1
}

# The certificates update-ca-certificates adds on top of Mozilla's bundle on this machine.
if compgen -G '/usr/local/share/ca-certificates/*' >/dev/null; then
    cp -a /usr/local/share/ca-certificates/. "$rootfs/usr/local/share/ca-certificates/"
fi
chroot "$rootfs" update-ca-certificates >>"$DOCKER_WORK/debootstrap.log" 2>&1

rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/tmp/*

tar --numeric-owner -C "$rootfs" -c . | docker_cli import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PIP_BREAK_SYSTEM_PACKAGES=1' \
    --change 'CMD ["/bin/bash"]' \
    - "$BASE_IMAGE_TAG" >/dev/null
echo "build-base-image: imported $BASE_IMAGE_TAG" >&2
echo "$BASE_IMAGE_TAG"
