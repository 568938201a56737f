# Readout: the summarisation service, served by gunicorn with gevent workers.
#
#   scripts/docker/build-image.sh readout:latest          # passes the machine's pip index settings
#   docker run --rm -p 8000:8000 -e OPENAI_API_KEY=... readout:latest
#
# Stopping: SIGTERM makes gunicorn stop accepting and finish in-flight requests for up to its
# graceful_timeout (READOUT_GRACEFUL_TIMEOUT_S, default READOUT_TIMEOUT_S + 5 = 65 s), then exit.
# The orchestrator must wait at least that long before SIGKILL, or requests are cut off. Docker
# waits 10 s and Kubernetes 30 s by default, so set, with a 10 s margin for the defaults:
#   docker run --stop-timeout 75 ...            docker stop --time 75 ...
#   compose:     stop_grace_period: 75s
#   Kubernetes:  terminationGracePeriodSeconds: 75
# and raise it with READOUT_TIMEOUT_S / READOUT_GRACEFUL_TIMEOUT_S.

# Any Debian-based image with python3 >= 3.11, venv and pip: the official slim image by default,
# or a local one built by scripts/docker/build-base-image.sh (Debian bookworm's python3).
ARG BASE_IMAGE=python:3.11-slim-bookworm

FROM ${BASE_IMAGE} AS build

# The package index settings of the machine that builds; only this stage sees them.
ARG PIP_INDEX_URL
ARG PIP_EXTRA_INDEX_URL
ARG PIP_TRUSTED_HOST
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_DEFAULT_TIMEOUT=120

WORKDIR /src
# constraints.tx[t]: a pip constraints file at the repo root, used when present.
COPY pyproject.toml README.md constraints.tx[t] ./
COPY service/ service/
COPY schemas/ schemas/
COPY prompts/ prompts/

# A virtual environment works the same on the official image and on Debian's python3, and is
# copied whole into the runtime stage. The versions are the pins in pyproject.toml.
RUN set -eu; \
    python3 -m venv /opt/readout; \
    if [ -f constraints.txt ]; then set -- --constraint constraints.txt; fi; \
    /opt/readout/bin/python -m pip install --no-cache-dir "$@" /src; \
    /opt/readout/bin/python -c "import service, schemas, prompts"


FROM ${BASE_IMAGE}

ENV PATH=/opt/readout/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=8000

RUN groupadd --gid 10001 readout \
    && useradd --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home \
        --shell /usr/sbin/nologin readout

COPY --from=build /opt/readout /opt/readout
WORKDIR /app
COPY gunicorn.conf.py docker/healthcheck.py docker/worker_healthcheck.py ./

USER 10001:10001
EXPOSE 8000

# Liveness only (/healthz makes no upstream call); python, so no curl in the image.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "/app/healthcheck.py"]

STOPSIGNAL SIGTERM
# Exec form: gunicorn is PID 1 and receives SIGTERM itself.
CMD ["gunicorn", "--config", "/app/gunicorn.conf.py", "service:create_app()"]
