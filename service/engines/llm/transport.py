"""The HTTP transport under the OpenAI client: one deadline per exchange and a size limit.

httpx applies a timeout to each socket operation, so an upstream that sends one byte a second
never times out. `BoundedTransport` turns the timeout a request is sent with (the engine passes
the time left before the request's deadline) into a deadline for the whole exchange: every
connect, write and read may only wait until then, and the body stops being read when it passes.
The answer is read in chunks and abandoned, never held whole, past `max_bytes`; compressed
answers are not asked for (a small gzip body can inflate to gigabytes), and refused if sent.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import openai
from openai import DefaultHttpxClient

from service.engines.llm.pool import cheap_pool_bookkeeping

# The smallest wait a socket operation gets once the deadline has passed: it then fails at
# once unless its bytes are already there, and the body reader stops at the next chunk.
_AFTER_DEADLINE = 0.001
# The SDK's own pool limits; a transport passed in must carry them itself.
_POOL = httpx.Limits(max_connections=1000, max_keepalive_connections=100)


class AnswerTooLarge(openai.OpenAIError):
    """The upstream's answer ran past the byte limit (the SDK passes OpenAI errors through)."""


class AnswerEncoded(openai.OpenAIError):
    """The upstream compressed its answer although it was asked not to."""


class _DeadlineTimeouts(dict[str, Any]):
    """httpcore's per-operation timeouts, each capped by the time left before the deadline."""

    def __init__(self, timeouts: dict[str, Any], deadline: float) -> None:
        super().__init__(timeouts)
        self.deadline = deadline

    def get(self, key: str, default: Any = None) -> Any:
        """The configured timeout for `key`, or less: never past the deadline."""
        left = max(self.deadline - time.monotonic(), _AFTER_DEADLINE)
        configured = super().get(key, default)
        return left if configured is None else min(float(configured), left)


class _BoundedStream(httpx.SyncByteStream):
    """The answer's bytes, stopped at the byte limit or the deadline."""

    def __init__(self, inner: httpx.SyncByteStream, max_bytes: int, deadline: float | None) -> None:
        self._inner = inner
        self._max_bytes = max_bytes
        self._deadline = deadline

    def __iter__(self) -> Iterator[bytes]:
        received = 0
        for chunk in self._inner:
            received += len(chunk)
            if received > self._max_bytes:
                raise AnswerTooLarge(f"The upstream's answer is over {self._max_bytes} bytes.")
            if self._deadline is not None and time.monotonic() > self._deadline:
                raise httpx.ReadTimeout("The upstream did not finish its answer in time.")
            yield chunk

    def close(self) -> None:
        self._inner.close()


class BoundedTransport(httpx.BaseTransport):
    """Wraps a transport: the request's timeout is a deadline, the answer has a byte limit."""

    def __init__(self, inner: httpx.BaseTransport, max_bytes: int) -> None:
        self._inner = inner
        self.max_bytes = max_bytes

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request`; its answer streams through the limits."""
        timeouts: dict[str, Any] = dict(request.extensions.get("timeout") or {})
        limits = [float(v) for v in timeouts.values() if v is not None]
        deadline = time.monotonic() + max(limits) if limits else None
        if deadline is not None:
            request.extensions["timeout"] = _DeadlineTimeouts(timeouts, deadline)
        request.headers["Accept-Encoding"] = "identity"
        response = self._inner.handle_request(request)
        try:
            self._check_headers(response)
        except BaseException:
            response.close()
            raise
        if not isinstance(response.stream, httpx.SyncByteStream):
            response.close()
            raise TypeError("a synchronous transport answered with an asynchronous stream")
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_BoundedStream(response.stream, self.max_bytes, deadline),
            extensions=response.extensions,
        )

    def _check_headers(self, response: httpx.Response) -> None:
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding not in {"", "identity"}:
            raise AnswerEncoded(f"The upstream sent a {encoding!r}-encoded answer.")
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            raise AnswerTooLarge(f"The upstream's answer is over {self.max_bytes} bytes.")

    def close(self) -> None:
        self._inner.close()


class _ClosingClient(DefaultHttpxClient):
    """Closes its pooled connections when dropped, as the SDK's own client does."""

    def __del__(self) -> None:
        # Not contextlib.suppress: at interpreter exit the module's globals may already be None.
        try:  # noqa: SIM105
            self.close()
        except Exception:
            pass


def bounded_http_client(max_bytes: int, timeout: float) -> httpx.Client:
    """The OpenAI SDK's default HTTP client (its pool limits too), on the bounded transport."""
    inner = httpx.HTTPTransport(limits=_POOL)
    cheap_pool_bookkeeping(inner)
    return _ClosingClient(transport=BoundedTransport(inner, max_bytes), timeout=timeout)
