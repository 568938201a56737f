"""`GET /viewer`: one offline page, with its script and styles, that shows an answer's spans."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response
from werkzeug.exceptions import NotFound

_STATIC = Path(__file__).parent / "static"
_FILES = {
    "viewer.html": "text/html; charset=utf-8",
    "viewer.js": "text/javascript; charset=utf-8",
    "viewer.css": "text/css; charset=utf-8",
}
PATHS = frozenset({"/viewer", "/viewer/viewer.js", "/viewer/viewer.css"})
# The page runs only its own same-origin script and styles and talks only to this service.
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


class Viewer:
    """The page's three files, read once when the app is built."""

    def __init__(self) -> None:
        self._files = {name: (_STATIC / name).read_bytes() for name in _FILES}

    def page(self) -> Response:
        """The viewer page."""
        return self._send("viewer.html")

    def asset(self, name: str) -> Response:
        """The page's script or styles."""
        if name == "viewer.html" or name not in self._files:
            raise NotFound()
        return self._send(name)

    def _send(self, name: str) -> Response:
        response = Response(self._files[name], content_type=_FILES[name])
        response.headers["Content-Security-Policy"] = POLICY
        response.headers["Cache-Control"] = "no-cache"
        return response


def install(app: Flask) -> None:
    """Serve the viewer at `/viewer`."""
    viewer = Viewer()
    app.add_url_rule("/viewer", endpoint="viewer", view_func=viewer.page, methods=["GET"])
    app.add_url_rule(
        "/viewer/<name>", endpoint="viewer_asset", view_func=viewer.asset, methods=["GET"]
    )
