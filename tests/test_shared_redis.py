"""The Redis the workers share: a configured one, or one `readout serve` embeds and stops."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import httpx

from service.store.redis import EmbeddedRedis, connect, limits_uri, start_shared_redis
from tests.liveserver import LiveService
from tests.redisserver import RedisServer

READOUT = str(Path(sys.executable).with_name("readout"))
# An LLM-backed app whose upstream is never called: these tests only touch cheap routes.
OFFLINE_LLM = {"READOUT_ENGINE": "llm", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except OSError:
        return False
    return state != "Z"


def _wait_gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


def _socket_of(redis_pid: int) -> Path:
    # redis-server retitles itself "<binary> unixsocket:<path>".
    title = Path(f"/proc/{redis_pid}/cmdline").read_bytes().decode().strip("\0")
    return Path(title.partition("unixsocket:")[2])


def test_embedded_redis_answers_on_its_socket_and_stops_by_pid() -> None:
    embedded = EmbeddedRedis().start()
    pid, directory = embedded.pid, embedded.directory
    assert pid is not None and directory is not None
    assert embedded.url.startswith("unix://")
    client = connect(embedded.url)
    try:
        assert client.ping()
        assert client.config_get("save")["save"] == ""  # persistence off
        assert client.config_get("port")["port"] == "0"  # no TCP listener
    finally:
        client.close()
    assert oct(directory.stat().st_mode & 0o777) == "0o700"
    embedded.stop()
    assert not _alive(pid)
    assert not directory.exists()


def test_without_a_url_the_embedded_redis_is_exported_into_the_environment() -> None:
    environ: dict[str, str] = {}
    embedded = start_shared_redis(environ)
    assert embedded is not None
    try:
        assert environ["READOUT_REDIS_URL"] == embedded.url
        assert environ["READOUT_REDIS_EMBEDDED"] == "1"
    finally:
        embedded.stop()
    assert start_shared_redis({"READOUT_REDIS_URL": "redis://127.0.0.1:1/0"}) is None


def test_the_limiter_reads_a_socket_url_in_its_own_scheme() -> None:
    assert limits_uri("unix:///run/r.sock?db=0") == "redis+unix:///run/r.sock?db=0"
    assert limits_uri("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"


def test_workers_boot_against_a_configured_redis_and_count_there(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    env = {**OFFLINE_LLM, "READOUT_REDIS_URL": redis_server.url, "READOUT_RATE_LIMIT": "50/minute"}
    with LiveService(env, tmp_path / "gunicorn.log", workers=2) as service:
        response = httpx.get(f"{service.url}/v1/schema", timeout=5)
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Remaining"] == "49"
        assert service.redis_pids() == []  # a configured Redis is used, none embedded
        client = redis_server.client()
        try:
            assert client.keys("*"), "the rate limit was not counted in the configured Redis"
        finally:
            client.close()


def test_serve_embeds_a_redis_its_workers_inherit_and_stops_it(tmp_path: Path) -> None:
    env = {**OFFLINE_LLM, "READOUT_RATE_LIMIT": "50/minute"}
    service = LiveService(env, tmp_path / "serve.log", workers=2, argv=[READOUT, "serve"]).start()
    try:
        [redis_pid] = service.redis_pids()
        assert len(service.worker_pids()) == 2
        socket_dir = _socket_of(redis_pid).parent
        client = connect(f"unix://{_socket_of(redis_pid)}")
        try:
            # Only the job worker serve starts beside it has registered (RQ's keys) so far.
            assert [key for key in client.keys("*") if not key.startswith(b"rq:")] == []
            # Each worker reads READOUT_REDIS_URL from the environment the master exported.
            with httpx.Client(timeout=5) as http:
                remaining = [
                    int(http.get(f"{service.url}/v1/schema").headers["X-RateLimit-Remaining"])
                    for _ in range(8)
                ]
            assert remaining == list(range(49, 41, -1)), "workers counted apart"
            counted = [key for key in client.keys("*") if not key.startswith(b"rq:")]
            assert counted, "the rate limit was not counted in the embedded Redis"
        finally:
            client.close()
    finally:
        code = service.stop()
    assert code == 0
    assert _wait_gone(redis_pid, 1), "the embedded Redis outlived the service"
    assert not socket_dir.exists()


def test_the_embedded_redis_dies_with_a_killed_master(tmp_path: Path) -> None:
    service = LiveService(OFFLINE_LLM, tmp_path / "serve.log", argv=[READOUT, "serve"]).start()
    try:
        [redis_pid] = service.redis_pids()
        assert service.process is not None
        os.kill(service.process.pid, signal.SIGKILL)
        assert _wait_gone(redis_pid), "the embedded Redis was orphaned"
    finally:
        service.stop()


def test_serve_starts_without_redis_server_and_says_so(tmp_path: Path) -> None:
    env = {
        **OFFLINE_LLM,
        "PATH": str(Path(sys.executable).parent),
        "READOUT_RATE_LIMIT": "5/minute",
    }
    log = tmp_path / "serve.log"
    with LiveService(env, log, argv=[READOUT, "serve"]) as service:
        assert service.redis_pids() == []
        assert httpx.get(f"{service.url}/v1/schema", timeout=5).status_code == 200
    assert "redis-server not found" in log.read_text()
