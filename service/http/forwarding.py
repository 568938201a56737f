"""The client's address behind trusted proxies: `X-Forwarded-For`, believed only from them.

gunicorn's `forwarded_allow_ips` decides which peers may set the scheme headers, but leaves
`REMOTE_ADDR` as the peer. This middleware applies the same list (`FORWARDED_ALLOW_IPS`) to the
address: starting from the peer, while the address in hand is a trusted proxy, it steps one hop
left in `X-Forwarded-For`; the first untrusted address is the client. A client that forges the
header only adds hops to the left of the one the proxy appended for it, so it is never believed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
PEER_KEY = "readout.peer_addr"


def parse_networks(value: str) -> tuple[IPNetwork, ...] | None:
    """`FORWARDED_ALLOW_IPS` as networks; None for `*` (every peer trusted)."""
    items = [item.strip() for item in value.split(",") if item.strip()]
    if "*" in items:
        return None
    return tuple(ipaddress.ip_network(item, strict=False) for item in items)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "192.0.2.1:443"
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


class TrustedForwarding:
    """WSGI middleware setting `REMOTE_ADDR` to the client behind trusted proxies."""

    def __init__(self, app: WSGIApp, trusted: tuple[IPNetwork, ...] | None) -> None:
        self.app = app
        self.trusted = trusted

    def _trusts(self, peer: str) -> bool:
        if self.trusted is None:
            return True
        address = _address(peer)
        if address is None:
            # Not an IP peer (a unix socket): as gunicorn does, the proxy in front is trusted.
            return not peer or "/" in peer
        return any(address in network for network in self.trusted)

    def client(self, peer: str, forwarded_for: str) -> str:
        """The client's address given the peer and its `X-Forwarded-For` value."""
        current = peer
        hops = [hop.strip() for hop in forwarded_for.split(",")] if forwarded_for else []
        while hops and self._trusts(current):
            address = _address(hops.pop())
            if address is None:
                break  # a malformed hop: believe nothing further left
            current = str(address)
        return current

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        peer = environ.get("REMOTE_ADDR", "")
        environ[PEER_KEY] = peer
        forwarded = environ.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            environ["REMOTE_ADDR"] = self.client(peer, forwarded)
        return self.app(environ, start_response)
