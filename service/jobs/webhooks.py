"""Completion webhooks: the callback URL checked against SSRF, the body signed, retried.

A callback's host is resolved and every address it resolves to is checked: loopback,
private, link-local and other non-public addresses are refused unless READOUT_WEBHOOK_ALLOW
lists the host (by name) or a network holding the address; when the list is not empty, only
the hosts it names are called at all. The request then goes to the address that was checked
(the name is kept for `Host` and TLS), so a second DNS answer cannot redirect it, and
redirects are never followed.

Body: the job summary plus `timestamp`; headers `X-Readout-Timestamp` (the same Unix
seconds) and `X-Readout-Signature: sha256=<hex HMAC-SHA256 of the body with
READOUT_WEBHOOK_SECRET>`. Receivers recompute the HMAC over the raw body and refuse old
timestamps.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
from dataclasses import dataclass
from typing import Any

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from service.config import Settings

log = logging.getLogger("readout.webhooks")
SIGNATURE_HEADER = "X-Readout-Signature"
TIMESTAMP_HEADER = "X-Readout-Timestamp"
_TIMEOUT_S = 10.0
_RETRY_STATUSES = frozenset({408, 425, 429})

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class CallbackRefused(ValueError):
    """The callback URL may not be called (its detail says why)."""


class _Retryable(Exception):
    """A delivery attempt that may succeed later."""


def sign(secret: bytes, body: bytes) -> str:
    """The `X-Readout-Signature` value of `body`."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Allowlist:
    """Hosts and networks callbacks may reach although they are not public."""

    names: frozenset[str]
    networks: tuple[Network, ...]

    @classmethod
    def parse(cls, entries: list[str]) -> Allowlist:
        """From READOUT_WEBHOOK_ALLOW entries: host names, addresses or networks (CIDR)."""
        names: set[str] = set()
        networks: list[Network] = []
        for entry in entries:
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                names.add(entry.lower().rstrip("."))
        return cls(frozenset(names), tuple(networks))

    def __bool__(self) -> bool:
        return bool(self.names or self.networks)

    def holds(self, address: Address) -> bool:
        """Whether a listed network contains `address`."""
        return any(address in network for network in self.networks)


def _resolve(host: str, port: int) -> list[Address]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise CallbackRefused(f"the host {host!r} does not resolve") from error
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    return list(dict.fromkeys(addresses))


def check_callback(url: str, allow: Allowlist) -> Address:
    """The address to call for `url`; `CallbackRefused` if it may not be called."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as error:
        raise CallbackRefused("not a valid URL") from error
    if parsed.scheme not in {"http", "https"} or not parsed.host:
        raise CallbackRefused("the URL must be http:// or https:// with a host")
    if parsed.userinfo:
        raise CallbackRefused("the URL must not carry credentials")
    host = parsed.host.lower().rstrip(".")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    addresses = _resolve(host, port)
    if not addresses:
        raise CallbackRefused(f"the host {host!r} does not resolve")
    named = host in allow.names
    for address in addresses:
        listed = named or allow.holds(address)
        if allow and not listed:
            raise CallbackRefused(f"the host {host!r} is not in READOUT_WEBHOOK_ALLOW")
        if not listed and not (address.is_global and not address.is_multicast):
            raise CallbackRefused(
                f"{host!r} resolves to a non-public address ({address}); "
                "list it in READOUT_WEBHOOK_ALLOW to allow it"
            )
    return addresses[0]


class WebhookSender:
    """Delivers signed job summaries; `transport` lets tests swap the network."""

    def __init__(self, settings: Settings, transport: httpx.BaseTransport | None = None) -> None:
        secret = settings.webhook_secret
        self.secret = secret.get_secret_value().encode() if secret else b""
        self.allow = Allowlist.parse(settings.webhook_allow)
        self.attempts = settings.webhook_attempts
        self.backoff_s = settings.webhook_backoff_s
        self._transport = transport

    def check(self, url: str) -> None:
        """Refuse a callback URL that may not be called (at submission, before any work)."""
        if not self.secret:
            raise CallbackRefused("webhooks need READOUT_WEBHOOK_SECRET set on the server")
        check_callback(url, self.allow)

    def body(self, summary: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
        """The signed body and headers for `summary`."""
        timestamp = str(int(time.time()))
        body = json.dumps(summary | {"timestamp": int(timestamp)}, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "readout-webhooks",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(self.secret, body),
        }
        return body, headers

    def deliver(self, url: str, summary: dict[str, Any]) -> str:
        """POST `summary` to `url` with retries: `delivered`, `refused` or `failed`."""
        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=self.backoff_s, max=300),
            retry=retry_if_exception_type(_Retryable),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._post_once(url, summary)
        except CallbackRefused as error:
            log.warning("webhook refused", extra={"reason": str(error)})
            return "refused"
        except _Retryable as error:
            log.warning("webhook failed", extra={"reason": str(error), "attempts": self.attempts})
        return "failed"

    def _post_once(self, url: str, summary: dict[str, Any]) -> str:
        if not self.secret:
            raise CallbackRefused("READOUT_WEBHOOK_SECRET is not set")
        address = check_callback(url, self.allow)
        target = httpx.URL(url)
        pinned = target.copy_with(host=str(address))
        body, headers = self.body(summary)
        headers["Host"] = target.netloc.decode("ascii")
        extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
        try:
            with httpx.Client(
                transport=self._transport, timeout=_TIMEOUT_S, follow_redirects=False
            ) as client:
                request = client.build_request(
                    "POST", pinned, content=body, headers=headers, extensions=extensions
                )
                response = client.send(request)
        except httpx.TransportError as error:
            raise _Retryable(f"{type(error).__name__}") from error
        if response.is_success:
            return "delivered"
        if response.status_code >= 500 or response.status_code in _RETRY_STATUSES:
            raise _Retryable(f"status {response.status_code}")
        # A redirect is not followed and a 4xx will not change on retry.
        log.warning("webhook not accepted", extra={"status": response.status_code})
        return "failed"
