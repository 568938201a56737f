"""Span offsets in code points, UTF-16 units or UTF-8 bytes; opening punctuation and template-like
text in sentence numbering."""

from __future__ import annotations

from typing import Any

import pytest
import respx
from flask.testing import FlaskClient

from service.pipeline.segment import Segmenter
from tests.conftest import completion

# Astral characters (an emoji, a mathematical letter), a combining accent and CRLF line ends.
TEXT = (
    "Leaders \U0001f91d meet in Tromsø\r\n\r\n"
    "\U0001d54f posts aside, Prime Minister Rene\u0301e Dubois spoke with Chancellor Anna Weber on "
    "Monday, Paris said.\r\n"
    "\u201cWe want calm waters,\u201d Dubois said after the call. Weber agreed."
)
ANSWER = {
    "summary": "Dubois and Weber spoke.",
    "key_points": [],
    "actors": [
        {"id": "A1", "name": "Rene\u0301e Dubois", "kind": "person", "aliases": ["Dubois"]},
        {"id": "A2", "name": "Anna Weber", "kind": "person", "aliases": ["Weber"]},
    ],
    "calls": [
        {
            "participants": ["A1", "A2"],
            "date": "2026-03-16",
            "date_text": "on Monday",
            "medium": "unknown",
            "sentences": [2],
        }
    ],
    "claims": [
        {
            "claimant": "A1",
            "statement": "Calm waters are wanted.",
            "kind": "assertion",
            "evidence_status": "not_addressed",
            "quote": "We want calm waters,",
            "sentences": [3],
        }
    ],
}


def _spans(body: dict[str, Any]) -> list[dict[str, Any]]:
    spans = [m for a in body["actors"] for m in a["mentions"]]
    spans += [e for item in body["calls"] + body["claims"] for e in item["evidence"]]
    spans += [k["quote_span"] for k in body["claims"] if k["quote_span"]]
    return spans


def _post(client: FlaskClient, llm: respx.MockRouter, **extra: Any) -> dict[str, Any]:
    llm.post("/chat/completions").mock(return_value=completion(ANSWER))
    body = {"text": TEXT, "published_at": "2026-03-18", **extra}
    response = client.post("/v1/summaries", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    found: dict[str, Any] = response.get_json()
    return found


def test_codepoints_are_the_default(client: FlaskClient, llm: respx.MockRouter) -> None:
    body = _post(client, llm)
    assert body["meta"]["offset_unit"] == "codepoint"
    for span in _spans(body):
        assert TEXT[span["start"] : span["end"]] == span["text"]


@pytest.mark.parametrize(
    ("unit", "codec", "width"), [("utf16", "utf-16-le", 2), ("utf8", "utf-8", 1)]
)
def test_offsets_in_the_unit_asked_for(
    client: FlaskClient, llm: respx.MockRouter, unit: str, codec: str, width: int
) -> None:
    body = _post(client, llm, offset_unit=unit)
    assert body["meta"]["offset_unit"] == unit
    encoded = TEXT.encode(codec)
    spans = _spans(body)
    assert len(spans) >= 6
    for span in spans:
        piece = encoded[span["start"] * width : span["end"] * width].decode(codec)
        assert piece == span["text"]
    codepoints = _post(client, llm)
    # Past the astral characters, the units differ from code points.
    assert [s["start"] for s in spans] != [s["start"] for s in _spans(codepoints)]


def test_unknown_offset_unit_is_422(client: FlaskClient, llm: respx.MockRouter) -> None:
    response = client.post("/v1/summaries", json={"text": TEXT, "offset_unit": "bytes"})
    assert response.status_code == 422


def _sentences(text: str) -> list[str]:
    article = Segmenter().segment(text)
    return [text[s:e] for s, e in article.sentences]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The envoys met in Oslo. \u201cWe agreed,\u201d one said.",
            ["The envoys met in Oslo.", "\u201cWe agreed,\u201d one said."],
        ),
        (
            "Talks ended on Friday. (A second round is due.) Both sides left.",
            ["Talks ended on Friday.", "(A second round is due.)", "Both sides left."],
        ),
        (
            'The talks ended. "We will meet again," the envoy said.',
            ["The talks ended.", '"We will meet again," the envoy said.'],
        ),
        (
            "Envoy Ana Ruiz Sr. by video link met them. Dr. Holm left.",
            ["Envoy Ana Ruiz Sr. by video link met them.", "Dr. Holm left."],
        ),
        (
            "Officials met in Geneva. {{ 7*7 }} and the rest followed.",
            ["Officials met in Geneva.", "{{ 7*7 }} and the rest followed."],
        ),
        (
            "Officials met. {% if x %} stayed whole. {{ a. b }} too.",
            ["Officials met.", "{% if x %} stayed whole.", "{{ a. b }} too."],
        ),
    ],
)
def test_opening_punctuation_and_templates(text: str, expected: list[str]) -> None:
    assert _sentences(text) == expected
