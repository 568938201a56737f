# Redis for compose.yaml: Debian's redis-server on the same base as the Readout image (no
# registry needed). Data in /data (a named volume), appendonly so queued jobs survive a restart.
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}

# Unpinned on purpose: Debian's security updates to redis-server should reach a rebuilt image.
# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /data && chown redis:redis /data

USER redis:redis
WORKDIR /data
VOLUME /data
EXPOSE 6379

HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=5 \
    CMD ["redis-cli", "-p", "6379", "ping"]

STOPSIGNAL SIGTERM
# protected-mode off: it listens on the compose network only, reached by api and worker.
CMD ["redis-server", "--dir", "/data", "--appendonly", "yes", "--protected-mode", "no"]
