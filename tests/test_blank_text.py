"""Blank text means the same to the service and to its OpenAPI document's `pattern`."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from schemas.contract import SummaryRequest

PATTERN = SummaryRequest.model_json_schema()["properties"]["text"]["pattern"]


@pytest.mark.parametrize("text", ["\u0085", " \u001c\u001f ", "\ufeff", "\u3000\n"])
def test_text_that_is_space_to_either_regex_engine_is_blank(client: FlaskClient, text: str) -> None:
    assert not re.search(PATTERN, text)
    response = client.post("/v1/summaries", json={"text": text})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "text"


def test_every_character_python_calls_space_is_outside_the_pattern() -> None:
    spaces = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    assert spaces and not [c for c in spaces if re.search(PATTERN, c)]
    assert re.search(PATTERN, "\u0085x")
