"""Rate limits that hold across workers and machines; failed authentication limited per
address; the client's address taken from forwarding headers of trusted proxies only."""

from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import respx

from service import create_app
from service.http.forwarding import TrustedForwarding, parse_networks
from tests.conftest import make_settings
from tests.liveserver import LiveService
from tests.proxyhop import ProxyHop
from tests.redisserver import RedisServer

OFFLINE_LLM = {"READOUT_ENGINE": "llm", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded_for", "client"),
    [
        ("127.0.0.1", "127.0.0.1", "198.51.100.7", "198.51.100.7"),
        ("127.0.0.1", "192.0.2.9", "198.51.100.7", "192.0.2.9"),  # untrusted peer: ignored
        # A forged hop left of the one the proxy appended is never reached.
        ("127.0.0.1", "127.0.0.1", "203.0.113.1, 198.51.100.7", "198.51.100.7"),
        ("127.0.0.1,10.0.0.0/8", "127.0.0.1", "198.51.100.7, 10.1.2.3", "198.51.100.7"),
        ("*", "192.0.2.9", "198.51.100.7", "198.51.100.7"),
        ("127.0.0.1", "127.0.0.1", "not-an-address", "127.0.0.1"),
        ("127.0.0.1", "127.0.0.1", "[2001:db8::5]:443", "2001:db8::5"),
        ("127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.1"),  # all trusted: the leftmost
    ],
)
def test_the_client_is_the_first_untrusted_hop_from_the_right(
    trusted: str, peer: str, forwarded_for: str, client: str
) -> None:
    middleware = TrustedForwarding(lambda environ, start: [], parse_networks(trusted))
    assert middleware.client(peer, forwarded_for) == client


def _schema(client: object, address: str, key: str | None) -> int:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = client.get(  # type: ignore[attr-defined]
        "/v1/schema", headers=headers, environ_base={"REMOTE_ADDR": address}
    )
    status: int = response.status_code
    if status == 429:
        assert response.mimetype == "application/problem+json"
        assert int(response.headers["Retry-After"]) >= 1
    return status


def test_failed_authentication_is_limited_per_address(llm: respx.MockRouter) -> None:
    app = create_app(make_settings(api_keys="right-key", auth_failure_limit="3/minute"))
    client = app.test_client()
    guesser, other = "198.51.100.1", "198.51.100.2"
    assert [_schema(client, guesser, f"guess-{n}") for n in range(4)] == [401, 401, 401, 429]
    assert _schema(client, guesser, None) == 429
    # Over the limit, even the right key is refused: a guesser learns nothing more.
    assert _schema(client, guesser, "right-key") == 429
    assert _schema(client, other, "right-key") == 200
    assert _schema(client, other, "wrong") == 401


def test_failed_authentication_limit_can_be_turned_off(llm: respx.MockRouter) -> None:
    client = create_app(make_settings(api_keys="right-key", auth_failure_limit="")).test_client()
    assert {_schema(client, "198.51.100.1", "wrong") for _ in range(15)} == {401}


def _statuses(url: str, count: int, path: str = "/v1/schema") -> Counter[int]:
    def one(_: int) -> int:
        # A fresh connection each time, so the kernel spreads them over the workers.
        return httpx.get(f"{url}{path}", timeout=10).status_code

    with ThreadPoolExecutor(12) as pool:
        return Counter(pool.map(one, range(count)))


def _answering_workers(log: Path) -> set[int]:
    pids = set()
    for line in log.read_text().splitlines():
        if line.startswith("{") and '"/v1/schema"' in line:
            record = json.loads(line)
            # Allowed or refused: either way that worker read the shared count.
            if record.get("status") in (200, 429):
                pids.add(record["process"])
    return pids


def test_the_rate_limit_holds_across_four_workers(tmp_path: Path) -> None:
    env = {**OFFLINE_LLM, "READOUT_RATE_LIMIT": "20/minute"}
    log = tmp_path / "gunicorn.log"
    with LiveService(env, log, workers=4) as service:
        assert len(service.redis_pids()) == 1  # the embedded Redis holds the count
        assert _statuses(service.url, 60) == {200: 20, 429: 40}
    assert len(_answering_workers(log)) >= 2, "the requests did not spread over the workers"


def test_the_rate_limit_holds_across_machines_sharing_a_redis(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    env = {**OFFLINE_LLM, "READOUT_RATE_LIMIT": "20/minute", "READOUT_REDIS_URL": redis_server.url}
    with (
        LiveService(env, tmp_path / "a.log", workers=2) as first,
        LiveService(env, tmp_path / "b.log", workers=2) as second,
    ):
        answered = _statuses(first.url, 15) + _statuses(second.url, 15)
        assert answered[200] == 20 and answered[429] == 10


def _via(url: str, source: str, forwarded_for: str | None = None) -> int:
    transport = httpx.HTTPTransport(local_address=source)
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    with httpx.Client(transport=transport, timeout=10) as client:
        return client.get(f"{url}/v1/schema", headers=headers).status_code


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(tmp_path: Path) -> None:
    env = {**OFFLINE_LLM, "READOUT_RATE_LIMIT": "2/minute", "FORWARDED_ALLOW_IPS": "127.0.0.1"}
    with LiveService(env, tmp_path / "gunicorn.log", workers=2) as service:
        with ProxyHop(service.url) as proxy:
            # Clients on 127.0.0.2 and 127.0.0.3 reach the service through the proxy (127.0.0.1).
            assert [_via(proxy.url, "127.0.0.2") for _ in range(3)] == [200, 200, 429]
            assert _via(proxy.url, "127.0.0.3") == 200
            # A forged header only adds a hop left of the one the proxy appends.
            assert _via(proxy.url, "127.0.0.2", forwarded_for="203.0.113.50") == 429
        # Straight to the service from an untrusted address, the header is not believed.
        forged = [_via(service.url, "127.0.0.4", f"198.51.100.{n}") for n in range(3)]
        assert forged == [200, 200, 429]
