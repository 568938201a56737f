"""`GET /viewer` in process: one offline page whose script and styles run under a strict CSP."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import respx
from flask.testing import FlaskClient

from service import create_app
from tests.conftest import make_settings


class _Tags(HTMLParser):
    """Every start tag with its attributes, and any inline script or style text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._open: str | None = None
        self.inline: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._open = tag

    def handle_data(self, data: str) -> None:
        if self._open in {"script", "style"} and data.strip():
            self.inline.append(data)


def test_the_viewer_is_one_page_with_its_own_script_and_styles(client: FlaskClient) -> None:
    response = client.get("/viewer")

    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    parser = _Tags()
    parser.feed(response.text)
    assert parser.inline == []
    assert not [tag for tag, attrs in parser.tags if "style" in attrs]
    assert not [name for _, attrs in parser.tags for name in attrs if name.startswith("on")]
    scripts = [attrs["src"] for tag, attrs in parser.tags if tag == "script"]
    styles = [
        attrs["href"]
        for tag, attrs in parser.tags
        if tag == "link" and attrs["rel"] == "stylesheet"
    ]
    assert (scripts, styles) == (["viewer/viewer.js"], ["viewer/viewer.css"])


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/viewer/viewer.js", "text/javascript"), ("/viewer/viewer.css", "text/css")],
)
def test_the_script_and_styles_fetch_nothing_from_elsewhere(
    client: FlaskClient, path: str, content_type: str
) -> None:
    response = client.get(path)

    assert response.status_code == 200
    assert response.content_type.startswith(content_type)
    # The SVG namespace is a name, never fetched, and url(#arrow) points into the page itself.
    body = response.text.replace("http://www.w3.org/2000/svg", "")
    assert not re.search(r"https?:|//[a-z]|@import|url\((?!#)", body)


def test_every_viewer_file_carries_a_strict_content_security_policy(client: FlaskClient) -> None:
    for path in ("/viewer", "/viewer/viewer.js", "/viewer/viewer.css"):
        policy = client.get(path).headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy
        assert "script-src 'self';" in policy
        assert "unsafe-inline" not in policy


@pytest.mark.parametrize("name", ["viewer.html", "missing.js", "..%2Fapp.py"])
def test_only_the_viewer_files_are_served(client: FlaskClient, name: str) -> None:
    response = client.get(f"/viewer/{name}")

    assert response.status_code == 404
    assert response.content_type == "application/problem+json"


def test_the_page_needs_no_key_but_summaries_still_do(llm: respx.MockRouter) -> None:
    client = create_app(make_settings(api_keys="viewer-key")).test_client()

    assert client.get("/viewer").status_code == 200
    assert client.get("/viewer/viewer.js").status_code == 200
    assert client.post("/v1/summaries", json={"text": "x"}).status_code == 401
