"""`"html"` instead of `"text"`: the page's main text is extracted (trafilatura) and answered as
`text`; title and date come from the page's metadata; no URL is ever fetched."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import respx
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from service.config import Settings
from tests.conftest import completion

PAGES = Path(__file__).parent / "fixtures" / "pages"
NEWS_PAGE = (PAGES / "news-page.html").read_text("utf-8")
HEADLINE = "Estonia and Uruguay hold first video call on grain shipments"
# Words only the page's furniture holds: cookie banner, navigation, advert, related links,
# comments, footer.
FURNITURE = [
    "cookies",
    "Accept all",
    "Subscribe",
    "Markets",
    "Advertisement",
    "Read more",
    "Grain prices rise",
    "harbourwatcher",
    "insured",
    "All rights reserved",
    "Privacy policy",
]
NO_ARTICLE = """<!doctype html><html><head><title>Sign in | The Harbour Ledger</title></head>
<body><div class="cookie-consent"><p>We use cookies.</p><button>Accept all</button></div>
<nav><a href="/world">World</a> <a href="/business">Business</a></nav>
<form action="/login"><input name="user"><input name="password" type="password">
<button>Sign in</button></form><footer>© 2026 The Harbour Ledger</footer></body></html>"""


@pytest.fixture(scope="module")
def rules() -> FlaskClient:
    """An app answering with the rules engine (no upstream at all)."""
    return create_app(Settings(engine="rules")).test_client()


def summarise(client: FlaskClient, **body: Any) -> tuple[int, dict[str, Any]]:
    response = client.post("/v1/summaries", json=body)
    payload: dict[str, Any] = response.get_json()
    return response.status_code, payload


def spans(body: dict[str, Any]) -> list[dict[str, Any]]:
    found = [m for a in body["actors"] for m in a["mentions"]]
    found += [e for c in body["calls"] for e in c["evidence"]]
    return found + [e for k in body["claims"] for e in k["evidence"]]


def test_a_news_page_is_answered_from_its_main_text_alone(rules: FlaskClient) -> None:
    status, body = summarise(rules, html=NEWS_PAGE)

    assert status == 200
    text = body["text"]
    assert text.startswith(HEADLINE + "\n\nEstonian Agriculture Minister Piret Laan held a video")
    assert text.endswith("The two ministers agreed to speak again next week.")
    assert "The port authority rejected the accusation" in text
    assert [word for word in FURNITURE if word in text] == []
    assert spans(body)
    assert all(text[s["start"] : s["end"]] == s["text"] for s in spans(body))
    assert {"Piret Laan", "Andrés Sosa"} <= {a["name"] for a in body["actors"]}


def test_the_date_comes_from_the_page_unless_the_request_gives_one(rules: FlaskClient) -> None:
    # The page says 9 April 2026 (a Thursday), so "on Wednesday" is 8 April.
    _, from_page = summarise(rules, html=NEWS_PAGE)
    _, from_request = summarise(rules, html=NEWS_PAGE, published_at="2026-04-20")

    assert [c["date"] for c in from_page["calls"]] == ["2026-04-08"]
    assert [c["date"] for c in from_request["calls"]] == ["2026-04-15"]


def test_the_title_comes_from_the_page_unless_the_request_gives_one(
    app: Flask, llm: respx.MockRouter
) -> None:
    empty = {"summary": "s", "key_points": [], "actors": [], "calls": [], "claims": []}
    route = llm.post("/chat/completions").mock(return_value=completion(empty))
    client = app.test_client()

    client.post("/v1/summaries", json={"html": NEWS_PAGE})
    client.post("/v1/summaries", json={"html": NEWS_PAGE, "title": "A title of our own"})

    prompts = [json.loads(call.request.content)["messages"][-1]["content"] for call in route.calls]
    assert len(prompts) == 2
    assert f"title: {HEADLINE}\n" in prompts[0]
    assert "The Harbour Ledger" not in prompts[0]
    assert "title: A title of our own\n" in prompts[1]


def test_a_text_request_gets_no_text_back(rules: FlaskClient) -> None:
    status, body = summarise(rules, text="Kari Lunde spoke with Anna Berg by phone on Monday.")

    assert status == 200
    assert "text" not in body


def test_a_page_without_an_article_is_a_clear_422(rules: FlaskClient) -> None:
    status, body = summarise(rules, html=NO_ARTICLE)

    assert status == 422
    assert body["type"] == "urn:readout:problem:html-without-text"
    assert "html" in body["detail"]


@pytest.mark.parametrize(
    ("payload", "field", "kind"),
    [
        ({"text": "Talks were held.", "html": NEWS_PAGE}, "html", "one_of"),
        ({"html": None}, "html", "string_type"),
        ({"html": " \n "}, "html", "value_error"),
        ({"html": 42}, "html", "string_type"),
        ({}, "text", "missing"),
    ],
)
def test_exactly_one_of_text_and_html(
    rules: FlaskClient, payload: dict[str, Any], field: str, kind: str
) -> None:
    status, body = summarise(rules, **payload)

    assert status == 422
    assert [(e["field"], e["type"]) for e in body["errors"]] == [(field, kind)]


def test_the_extracted_text_is_held_to_the_size_limit() -> None:
    client = create_app(Settings(engine="rules", max_chars=200)).test_client()

    status, body = summarise(client, html=NEWS_PAGE)

    assert status == 422
    assert body["errors"][0]["field"] == "html"
    assert body["errors"][0]["type"] == "too_long"
    assert "the limit is 200" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    "html",
    [
        "<",
        "<?xml version='1.0' encoding='latin-1'?><html><body><p>Ministers met.</p></body></html>",
        "<p>" + "<div>" * 5000 + "Talks" + "</div>" * 5000,
        "\x00\x01<html>\x7f</html>",
        "<html><body><script>document.write('Ministers met in Oslo')</script></body></html>",
    ],
)
def test_hostile_markup_is_a_422_never_a_500(rules: FlaskClient, html: str) -> None:
    status, body = summarise(rules, html=html)

    assert status in (200, 422)
    if status == 422:
        assert body["type"] == "urn:readout:problem:html-without-text"


class _Counter(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Counter.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def watched_server() -> Iterator[str]:
    """A server on 127.0.0.1 that records any request made to it."""
    _Counter.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_no_url_in_the_page_is_ever_fetched(rules: FlaskClient, watched_server: str) -> None:
    page = NEWS_PAGE.replace(
        "</head>",
        f'<link rel="canonical" href="{watched_server}/story">'
        f'<meta property="og:url" content="{watched_server}/story">'
        f'<meta http-equiv="refresh" content="0; url={watched_server}/refresh">'
        f'<link rel="stylesheet" href="{watched_server}/site.css"></head>',
    ).replace(
        "<main>",
        f'<main><img src="{watched_server}/photo.jpg"><iframe src="{watched_server}/frame">'
        "</iframe>",
    )

    status, _ = summarise(rules, html=page, url=f"{watched_server}/story")

    assert status == 200
    assert _Counter.hits == []
