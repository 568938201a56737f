#!/usr/bin/env bash
# Build the Readout image, handing the machine's pip index settings to the build.
# Usage: scripts/docker/build-image.sh [TAG] [BASE_IMAGE]
#   TAG defaults to readout:latest; BASE_IMAGE to the Dockerfile's default (the official slim
#   image). On a machine without a registry, pass the image from build-base-image.sh.
# Extra `docker build` flags can be given in READOUT_DOCKER_BUILD_FLAGS.
set -euo pipefail
# shellcheck source=scripts/docker/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

tag="${1:-readout:latest}"
base="${2:-}"

# pip's setting KEY from the environment (PIP_KEY) or, failing that, from pip's config files.
pip_setting() {
    local env_name
    env_name="PIP_$(tr 'a-z-' 'A-Z_' <<<"$1")"
    if [[ -n "${!env_name:-}" ]]; then
        printf '%s\n' "${!env_name}"
        return
    fi
    python3 -m pip config list 2>/dev/null \
        | sed -n -E "s/^[a-z:]*\.$1='(.*)'\$/\1/p" | tail -n 1
}

# Only network addresses: a file:// index or find-links folder of this machine is not in the build.
network_urls() {
    tr ' ' '\n' | grep -E '^https?://' | paste -sd ' ' || true
}

args=(--network host --tag "$tag" --file "$REPO_ROOT/Dockerfile")
if [[ -n "$base" ]]; then args+=(--build-arg "BASE_IMAGE=$base"); fi

index_url="$(pip_setting index-url | network_urls)"
extra_index_url="$(pip_setting extra-index-url | network_urls)"
trusted_host="$(pip_setting trusted-host)"
if [[ -n "$index_url" ]]; then args+=(--build-arg "PIP_INDEX_URL=$index_url"); fi
if [[ -n "$extra_index_url" ]]; then args+=(--build-arg "PIP_EXTRA_INDEX_URL=$extra_index_url"); fi
if [[ -n "$trusted_host" ]]; then args+=(--build-arg "PIP_TRUSTED_HOST=$trusted_host"); fi
# Docker's predefined proxy build args, passed through when set (they stay out of the image).
for proxy in HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy; do
    if [[ -n "${!proxy:-}" ]]; then args+=(--build-arg "$proxy"); fi
done

# shellcheck disable=SC2206  # word splitting of the extra flags is intended
extra=(${READOUT_DOCKER_BUILD_FLAGS:-})
docker_cli build "${args[@]}" "${extra[@]}" "$REPO_ROOT"
