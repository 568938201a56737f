"""Completion webhooks: signed, retried with backoff, refused for non-public hosts, no redirects."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import redis
import respx
from flask.testing import FlaskClient

from service import create_app
from service.config import Settings
from service.jobs.webhooks import Allowlist, CallbackRefused, WebhookSender, check_callback
from tests.conftest import answer, article, completion, make_settings
from tests.jobsupport import run_queued
from tests.redisserver import RedisServer

SECRET = "webhook-secret-for-tests"


class Receiver:
    """A loopback HTTP server answering scripted statuses and recording what it got."""

    def __init__(self, statuses: list[int], location: str = "") -> None:
        self.statuses = statuses
        self.location = location
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received.append((dict(self.headers.items()), body))
                status = receiver.statuses[min(len(receiver.received), len(statuses)) - 1]
                self.send_response(status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver([200])
    yield found
    found.stop()


def sender(**overrides: Any) -> WebhookSender:
    values = {
        "webhook_secret": SECRET,
        "webhook_allow": ["127.0.0.1"],
        "webhook_backoff_s": 0.01,
        **overrides,
    }
    return WebhookSender(Settings.model_validate(values))


def verify(headers: dict[str, str], body: bytes) -> dict[str, Any]:
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Readout-Signature"], expected)
    payload: dict[str, Any] = json.loads(body)
    assert str(payload["timestamp"]) == headers["X-Readout-Timestamp"]
    return payload


def test_the_body_is_signed_with_the_secret_and_carries_the_timestamp() -> None:
    body, headers = sender().body({"id": "j1", "status": "done"})
    payload = verify(headers, body)
    assert payload["id"] == "j1"
    tampered = body.replace(b'"done"', b'"cancelled"')
    expected = "sha256=" + hmac.new(SECRET.encode(), tampered, hashlib.sha256).hexdigest()
    assert headers["X-Readout-Signature"] != expected


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8080/hook",  # a name that resolves to loopback
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://172.16.5.4/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[fe80::1]/hook",
        "http://0.0.0.0/hook",
        "http://100.64.0.1/hook",
        "ftp://8.8.8.8/hook",
        "http://user:secret@8.8.8.8/hook",
        "not a url",
    ],
)
def test_non_public_or_odd_callbacks_are_refused(url: str) -> None:
    with pytest.raises(CallbackRefused):
        check_callback(url, Allowlist.parse([]))


def test_a_public_address_is_allowed() -> None:
    assert str(check_callback("https://8.8.8.8/hook", Allowlist.parse([]))) == "8.8.8.8"


@pytest.mark.parametrize(
    ("allow", "url"),
    [
        (["127.0.0.1"], "http://127.0.0.1:9000/hook"),
        (["localhost"], "http://localhost/hook"),
        (["10.0.0.0/8"], "http://10.2.3.4/hook"),
    ],
)
def test_listed_hosts_and_networks_are_allowed(allow: list[str], url: str) -> None:
    check_callback(url, Allowlist.parse(allow))


def test_with_an_allowlist_only_listed_hosts_are_called() -> None:
    with pytest.raises(CallbackRefused, match="not in READOUT_WEBHOOK_ALLOW"):
        check_callback("https://8.8.8.8/hook", Allowlist.parse(["hooks.example.org"]))


def test_a_failing_receiver_is_retried_with_backoff_until_it_accepts() -> None:
    flaky = Receiver([500, 503, 200])
    try:
        assert sender().deliver(flaky.url, {"id": "j1"}) == "delivered"
    finally:
        flaky.stop()
    assert len(flaky.received) == 3
    for headers, body in flaky.received:
        verify(headers, body)


def test_delivery_gives_up_after_the_configured_attempts() -> None:
    down = Receiver([500])
    try:
        assert sender(webhook_attempts=3).deliver(down.url, {"id": "j1"}) == "failed"
    finally:
        down.stop()
    assert len(down.received) == 3


def test_redirects_are_not_followed(receiver: Receiver) -> None:
    redirecting = Receiver([302], location=receiver.url)
    try:
        assert sender().deliver(redirecting.url, {"id": "j1"}) == "failed"
    finally:
        redirecting.stop()
    assert len(redirecting.received) == 1
    assert receiver.received == []


def test_the_request_goes_to_the_checked_address_with_the_name_as_host(
    receiver: Receiver,
) -> None:
    port = receiver.server.server_address[1]
    url = f"http://localhost:{port}/hook"
    assert sender(webhook_allow=["localhost"]).deliver(url, {"id": "j1"}) == "delivered"
    [(headers, _body)] = receiver.received
    assert headers["Host"] == f"localhost:{port}"


@pytest.fixture
def jobs_redis(redis_server: RedisServer) -> Iterator[redis.Redis]:
    client = redis_server.client()
    yield client
    client.close()


def jobs_client(url: str, **overrides: Any) -> FlaskClient:
    return create_app(make_settings(redis_url=url, **overrides)).test_client()


def test_a_callback_the_server_may_not_call_refuses_the_job(
    llm: respx.MockRouter, redis_server: RedisServer, jobs_redis: redis.Redis
) -> None:
    client = jobs_client(redis_server.url, webhook_secret=SECRET)
    body = {"articles": [{"text": article("fjord-patrols")}], "callback_url": "http://10.0.0.7/"}
    response = client.post("/v1/jobs", json=body)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "callback_url"
    assert jobs_redis.keys("readout:job:*") == []


def test_a_callback_needs_a_secret_on_the_server(
    llm: respx.MockRouter, redis_server: RedisServer, receiver: Receiver
) -> None:
    client = jobs_client(redis_server.url, webhook_allow=["127.0.0.1"])
    body = {"articles": [{"text": article("fjord-patrols")}], "callback_url": receiver.url}
    response = client.post("/v1/jobs", json=body)
    assert response.status_code == 422
    assert "READOUT_WEBHOOK_SECRET" in response.get_json()["errors"][0]["message"]


def test_a_completed_job_posts_its_signed_summary_once(
    llm: respx.MockRouter, redis_server: RedisServer, receiver: Receiver
) -> None:
    llm.post("/chat/completions").mock(return_value=completion(answer("fjord-patrols")))
    llm.post(receiver.url).pass_through()  # the receiver is real; only the LLM is mocked
    client = jobs_client(
        redis_server.url,
        webhook_secret=SECRET,
        webhook_allow=["127.0.0.1"],
        webhook_backoff_s=0.01,
    )
    articles = [{"text": article("fjord-patrols")}, {"text": "   x"}]
    body = {"articles": articles, "callback_url": receiver.url}
    location = client.post("/v1/jobs", json=body).headers["Location"]
    run_queued(client.application)
    [(headers, raw)] = receiver.received
    payload = verify(headers, raw)
    assert payload["location"] == location
    assert payload["id"] == location.rsplit("/", 1)[1]
    assert (payload["status"], payload["total"], payload["done"]) == ("done", 2, 2)
    assert payload["usage"]["total_tokens"] > 0
