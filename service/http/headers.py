"""Security headers on every response, set in one place (an `after_request` hook).

Every response gets `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` and a
`Content-Security-Policy`, unless its view set a stricter one itself (the viewer does):

- JSON and problem bodies: `default-src 'none'`, nothing may load or run;
- the docs pages (`/docs/...`, offline bundles inlined in the page): only their own inline
  scripts, allowed by hash (computed once per page), same-origin fetches of the OpenAPI
  document, inline styles (the bundles style their components at run time), `data:` images and
  fonts, and `blob:` workers (ReDoc's search);
- anything else HTML: `default-src 'self'`, same-origin only, no inline script.

A new page should ship its script and styles as same-origin files, like the viewer, and set its
own policy or live with the `'self'` default.

`Retry-After` stays only on 429 (the rate limiter's, when the window resets) and on a 503 whose
problem set it (the upstream's or the worker's wait); flask-limiter adds one to every response
when its headers are on, and raises a 503's to its window's reset.
"""

from __future__ import annotations

import base64
import hashlib
import re

from flask import Flask, Response, g, request

API_POLICY = "default-src 'none'; frame-ancestors 'none'"
PAGE_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
_DOCS_POLICY = (
    "default-src 'none'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src blob:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)
_RETRY_AFTER_STATUSES = frozenset({429, 503})


def docs_policy(page: bytes) -> str:
    """The policy for a docs page: each of its inline scripts allowed by its SHA-256."""
    hashes = sorted(
        {
            "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
            for body in _INLINE_SCRIPT.findall(page)
        }
    )
    return _DOCS_POLICY.format(scripts=" ".join(hashes) or "'none'")


class SecurityHeaders:
    """The after-request hook; docs-page policies are computed once per page and kept."""

    def __init__(self) -> None:
        self._docs: dict[tuple[str, int], str] = {}

    def __call__(self, response: Response) -> Response:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "no-referrer")
        if response.status_code in _RETRY_AFTER_STATUSES and g.get("retry_after") is not None:
            headers["Retry-After"] = str(g.retry_after)  # the problem's, as its body says
        elif response.status_code != 429:
            headers.pop("Retry-After", None)
        if "Content-Security-Policy" not in headers:
            headers["Content-Security-Policy"] = self._policy(response)
        return response

    def _policy(self, response: Response) -> str:
        if response.mimetype != "text/html":
            return API_POLICY
        if not request.path.startswith("/docs/") or response.is_streamed:
            return PAGE_POLICY
        page = response.get_data()
        key = (request.path, len(page))
        if key not in self._docs:
            self._docs[key] = docs_policy(page)
        return self._docs[key]


def install(app: Flask) -> None:
    """Register the hook (last registered runs first: put it before hooks that add headers)."""
    app.after_request(SecurityHeaders())
