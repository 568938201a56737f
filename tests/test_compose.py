"""compose.yaml, really brought up: api, worker and redis built on the local base image.

The private dockerd of tests/test_docker.py has no bridge network, so the test runs a copy of
compose.yaml with every service moved to the host network (its published ports dropped, each
server bound to a free loopback port); everything else is compose.yaml as shipped. Debian's
docker-compose (v1) runs it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
import yaml
from rq import Worker

from tests.fakeupstream import FakeUpstream
from tests.test_docker import (
    REPO,
    SOCKET,
    STOP_GRACE_S,
    _free_port,
    _script,
    _tail,
    _unavailable,
    docker,
    docker_engine,
    image,
)

__all__ = ["docker_engine", "image"]  # the fixtures, shared with tests/test_docker.py
REDIS_IMAGE = "readout-redis:test"

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def compose_bin(docker_engine: None) -> str:
    """Debian's docker-compose (installed by scripts/docker/install-engine.sh)."""
    found = shutil.which("docker-compose")
    if found is None:
        installed = _script("install-engine.sh", timeout=600)
        found = shutil.which("docker-compose")
        if found is None:
            _unavailable(f"docker-compose could not be installed:\n{_tail(installed.stderr)}")
    assert found is not None
    return found


@pytest.fixture(scope="module")
def redis_image(docker_engine: None) -> str:
    """docker/redis.Dockerfile on the local base image."""
    base = _script("build-base-image.sh", timeout=900)
    if base.returncode != 0:
        pytest.fail(f"base image build failed:\n{_tail(base.stderr)}", pytrace=False)
    docker(
        "build",
        "--network",
        "host",
        "--build-arg",
        f"BASE_IMAGE={base.stdout.split()[-1]}",
        "--tag",
        REDIS_IMAGE,
        "--file",
        str(REPO / "docker" / "redis.Dockerfile"),
        str(REPO / "docker"),
        timeout=900,
    )
    return REDIS_IMAGE


class Stack:
    """`docker-compose -f <compose file>` for one project, run from the repository."""

    def __init__(self, binary: str, env: dict[str, str], file: Path) -> None:
        self.binary = binary
        self.env = env
        self.files = ["--project-directory", str(REPO), "-f", str(file)]

    def __call__(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(
            [self.binary, *self.files, *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(f"docker-compose {' '.join(args)}:\n{_tail(done.stdout + done.stderr)}")
        return done.stdout.strip()

    def containers(self, service: str) -> list[str]:
        """Ids of the service's running containers."""
        return self("ps", "-q", service).split()


def _on_host_network(redis_port: int) -> str:
    """compose.yaml with each service on the host network (ports dropped, Redis on a port)."""
    compose = yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))
    for service in compose["services"].values():
        service.pop("ports", None)
        service["network_mode"] = "host"
        service["build"]["context"] = str(REPO / service["build"]["context"])
    redis_command = ["redis-server", "--dir", "/data", "--appendonly", "yes"]
    compose["services"]["redis"]["command"] = [*redis_command, "--port", str(redis_port)]
    compose["services"]["redis"]["command"] += ["--bind", "127.0.0.1"]
    return json.dumps(compose)  # JSON is YAML


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeUpstream]:
    with FakeUpstream("valid", latency=0.5) as upstream:
        yield upstream


@pytest.fixture(scope="module")
def stack(
    compose_bin: str, image: str, redis_image: str, fake: FakeUpstream, tmp_path_factory: Any
) -> Iterator[tuple[Stack, str, str]]:
    """The stack up and healthy; torn down (volume included) afterwards."""
    redis_port, api_port = _free_port(), _free_port()
    derived = Path(tmp_path_factory.mktemp("compose")) / "compose.host.yaml"
    derived.write_text(_on_host_network(redis_port), encoding="utf-8")
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "READOUT_"))}
    env |= {
        "DOCKER_HOST": f"unix://{SOCKET}",
        "COMPOSE_PROJECT_NAME": f"readouttest{uuid.uuid4().hex[:8]}",
        "READOUT_IMAGE": image,
        "READOUT_REDIS_IMAGE": redis_image,
        "READOUT_COMPOSE_REDIS_URL": redis_url,
        "READOUT_REDIS_PORT": str(redis_port),
        "OPENAI_BASE_URL": fake.url,
        "OPENAI_API_KEY": "sk-fake-compose-test",
        "READOUT_ENGINE": "llm",
        "READOUT_MODEL": "fake-model",
        "READOUT_WORKER_CONCURRENCY": "4",
        "READOUT_BIND": f"127.0.0.1:{api_port}",
    }
    compose = Stack(compose_bin, env, derived)
    try:
        compose("up", "--detach", "--no-build")
        yield compose, f"http://127.0.0.1:{api_port}", redis_url
    finally:
        with contextlib.suppress(BaseException):
            compose("logs", "--no-color", "--tail", "30")
        compose("down", "--volumes", "--timeout", "20")


def _health(container: str) -> str:
    state = json.loads(docker("inspect", container))[0]["State"]
    return str(state.get("Health", {}).get("Status", ""))


def _wait(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            if found := check():
                return found
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}", pytrace=False)


def _run_job(api: str, count: int, first: int = 0) -> dict[str, Any]:
    # Articles new to the stack (numbered from `first`): one answered before comes from the cache.
    articles = [
        {"text": f"Minister Ilse Varn of Ostmark met envoys on day {i}. Ostmark said so."}
        for i in range(first, first + count)
    ]
    with httpx.Client(base_url=api, trust_env=False, timeout=30) as http:
        created = http.post("/v1/jobs", json={"articles": articles})
        assert created.status_code == 202, created.text
        location = created.headers["Location"]

        def finished() -> dict[str, Any] | None:
            job: dict[str, Any] = http.get(location).json()
            return job if job["status"] == "done" else None

        found: dict[str, Any] = _wait(finished, 120, "the job")
        return found


def test_the_stack_runs_a_job_end_to_end_and_scales_its_workers(
    stack: tuple[Stack, str, str], fake: FakeUpstream
) -> None:
    compose, api, redis_url = stack
    services = ("redis", "api", "worker")
    containers = {service: compose.containers(service) for service in services}
    assert all(len(ids) == 1 for ids in containers.values()), containers
    for service in services:
        [container] = containers[service]
        assert _wait(lambda c=container: _health(c) == "healthy", 120, f"{service} healthy")
    for service in ("api", "worker"):
        config = json.loads(docker("inspect", containers[service][0]))[0]["Config"]
        assert config["StopTimeout"] == STOP_GRACE_S
    [mount] = json.loads(docker("inspect", containers["redis"][0]))[0]["Mounts"]
    assert (mount["Type"], mount["Destination"]) == ("volume", "/data")

    job = _run_job(api, 6)
    assert {result["status"] for result in job["results"]} == {200}
    assert job["results"][0]["body"]["meta"]["engine"] == "llm"

    compose("up", "--detach", "--no-build", "--scale", "worker=2")
    workers = compose.containers("worker")
    assert len(workers) == 2
    client = redis.Redis.from_url(redis_url)
    try:
        # Each worker process registers its 4 greenlets as `<host>.<pid>.<random>.<slot>`.
        processes = lambda: {w.name.rsplit(".", 1)[0] for w in Worker.all(connection=client)}  # noqa: E731
        _wait(lambda: len(processes()) == 2, 60, "both workers registered")
    finally:
        client.close()
    calls_before = fake.calls
    job = _run_job(api, 8, first=6)
    assert job["done"] == 8 and job["failed"] == 0
    assert fake.calls - calls_before == 8
