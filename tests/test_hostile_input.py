"""Hostile and malformed requests: each gets a documented status and a problem+json body.

Every 4xx must be decided before the LLM is called, so each of those tests also asserts that
the mocked upstream saw no request.

Decisions recorded here:
- unknown fields are rejected (422 naming the field): a misspelt `publishd_at` must not be
  silently ignored;
- a key given twice in one object is rejected (400): which of the two values would count is
  parser-dependent, and a proxy in front of us may have checked the other one;
- `published_at` far in the future ("9999-12-31") is accepted: any real calendar date is, as
  the contract says; the service does not judge it against its own clock, and relative dates
  resolve against it as against any other day.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from service import create_app
from tests.conftest import completion, make_settings
from tests.liveserver import LiveService

MINIMAL = {"summary": "s", "key_points": [], "actors": [], "calls": [], "claims": []}
JSON = {"Content-Type": "application/json"}
SENTENCE = "Anna Berg met Carl Dahl in Oslo on Sunday."


@pytest.fixture
def upstream(llm: respx.MockRouter) -> respx.Route:
    """The completions route, answering a minimal valid extraction."""
    return llm.post("/chat/completions").mock(return_value=completion(MINIMAL))


def problem(response: TestResponse, status: int, slug: str | None = None) -> dict[str, Any]:
    """The problem body of `response`, after checking its status and shape."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = json.loads(response.get_data())
    assert body["status"] == status
    assert body["type"].startswith("urn:readout:problem:")
    assert isinstance(body["title"], str) and body["title"]
    if slug is not None:
        assert body["type"] == f"urn:readout:problem:{slug}"
    return body


def field_errors(body: dict[str, Any]) -> dict[str, str]:
    """Field name → error type of a 422 problem."""
    assert body["type"] == "urn:readout:problem:invalid-request"
    return {error["field"]: error["type"] for error in body["errors"]}


def chunked(client: FlaskClient, body: bytes) -> TestResponse:
    """POST `body` with Transfer-Encoding: chunked and no Content-Length, as gunicorn passes it."""
    return client.post(
        "/v1/summaries",
        input_stream=io.BytesIO(body),
        headers={**JSON, "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


# --- bodies that are not a JSON object -----------------------------------------------------


def test_invalid_utf8_is_400(client: FlaskClient, upstream: respx.Route) -> None:
    response = client.post("/v1/summaries", data=b'{"text": "Caf\xe9 \xff\xfe"}', headers=JSON)
    body = problem(response, 400, "malformed-json")
    assert "UTF-8" in body["detail"]
    assert not upstream.called


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("[]", "list"),
        ('[{"text": "x"}]', "list"),
        ("42", "int"),
        ("3.5", "float"),
        ('"an article"', "str"),
        ("null", "NoneType"),
        ("true", "bool"),
    ],
)
def test_json_that_is_not_an_object_is_400(
    client: FlaskClient, upstream: respx.Route, raw: str, kind: str
) -> None:
    body = problem(client.post("/v1/summaries", data=raw, headers=JSON), 400, "not-an-object")
    assert kind in body["detail"]
    assert not upstream.called


@pytest.mark.parametrize("raw", [b"", b"{", b'{"text": "x",}', b"{'text': 'x'}", b"NaN"])
def test_broken_json_is_400(client: FlaskClient, upstream: respx.Route, raw: bytes) -> None:
    problem(client.post("/v1/summaries", data=raw, headers=JSON), 400)
    assert not upstream.called


def test_integer_of_thousands_of_digits_is_400_not_a_crash(
    client: FlaskClient, upstream: respx.Route
) -> None:
    raw = b'{"text": "Anna Berg spoke.", "id": ' + b"7" * 5000 + b"}"
    body = problem(client.post("/v1/summaries", data=raw, headers=JSON), 400, "malformed-json")
    assert "too large" in body["detail"]
    assert not upstream.called


def test_number_out_of_float_range_is_a_field_error(
    client: FlaskClient, upstream: respx.Route
) -> None:
    raw = b'{"text": "Anna Berg spoke.", "id": 1e999, "title": -1e999}'
    body = problem(client.post("/v1/summaries", data=raw, headers=JSON), 422)
    assert field_errors(body) == {"id": "string_type", "title": "string_type"}
    assert not upstream.called


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_json_number_literals_are_400(
    client: FlaskClient, upstream: respx.Route, literal: str
) -> None:
    raw = '{"text": "Anna Berg spoke.", "title": ' + literal + "}"
    body = problem(client.post("/v1/summaries", data=raw, headers=JSON), 400, "malformed-json")
    assert literal in body["detail"]
    assert not upstream.called


def test_body_that_is_not_json_is_415(client: FlaskClient, upstream: respx.Route) -> None:
    response = client.post("/v1/summaries", data={"text": SENTENCE})
    problem(response, 415, "unsupported-media-type")
    assert not upstream.called


def test_duplicate_keys_are_400_naming_the_key(client: FlaskClient, upstream: respx.Route) -> None:
    raw = b'{"text": "   ", "text": "Anna Berg met Carl Dahl."}'
    body = problem(client.post("/v1/summaries", data=raw, headers=JSON), 400, "malformed-json")
    assert "'text'" in body["detail"]
    assert not upstream.called


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"text": "x", "title": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_000 + b"}",
    ],
    ids=["arrays", "objects-in-a-field"],
)
def test_deeply_nested_json_is_400_not_a_crash(
    client: FlaskClient, upstream: respx.Route, raw: bytes
) -> None:
    body = problem(client.post("/v1/summaries", data=raw, headers=JSON), 400, "malformed-json")
    assert "nested" in body["detail"]
    assert not upstream.called


def test_moderately_nested_field_is_a_field_error(
    client: FlaskClient, upstream: respx.Route
) -> None:
    raw = b'{"text": "Anna Berg spoke.", "title": ' + b"[" * 500 + b"]" * 500 + b"}"
    body = problem(client.post("/v1/summaries", data=raw, headers=JSON), 422)
    assert field_errors(body) == {"title": "string_type"}
    assert not upstream.called


# --- fields --------------------------------------------------------------------------------


def test_unknown_field_is_422_naming_it(client: FlaskClient, upstream: respx.Route) -> None:
    response = client.post(
        "/v1/summaries", json={"text": SENTENCE, "publishd_at": "2026-03-15", "extra": {}}
    )
    body = problem(response, 422)
    assert field_errors(body) == {"publishd_at": "extra_forbidden", "extra": "extra_forbidden"}
    assert not upstream.called


def test_null_optional_fields_are_accepted(client: FlaskClient, upstream: respx.Route) -> None:
    nulls = dict.fromkeys(("title", "published_at", "source", "url", "id", "engine"))
    response = client.post("/v1/summaries", json={"text": SENTENCE, **nulls})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["id"]
    assert upstream.call_count == 1


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"text": None}, "string_type"),
        ({}, "missing"),
        ({"text": 42}, "string_type"),
        ({"text": ["Anna Berg"]}, "string_type"),
        ({"text": {"body": "x"}}, "string_type"),
    ],
)
def test_text_missing_null_or_not_a_string_is_422(
    client: FlaskClient, upstream: respx.Route, payload: dict[str, Any], expected: str
) -> None:
    body = problem(client.post("/v1/summaries", json=payload), 422)
    assert field_errors(body) == {"text": expected}
    assert not upstream.called


@pytest.mark.parametrize(
    "text", ["", " ", "\n\t\r\n", "\u00a0\u2003\u3000", "\u2028\u2029", "\x1c\x1f"]
)
def test_blank_text_is_422(client: FlaskClient, upstream: respx.Route, text: str) -> None:
    body = problem(client.post("/v1/summaries", json={"text": text}), 422)
    assert field_errors(body) == {"text": "value_error"}
    assert not upstream.called


def test_id_over_200_characters_is_422(client: FlaskClient, upstream: respx.Route) -> None:
    body = problem(client.post("/v1/summaries", json={"text": SENTENCE, "id": "x" * 201}), 422)
    assert field_errors(body) == {"id": "string_too_long"}
    assert not upstream.called


def test_unknown_engine_is_422(client: FlaskClient, upstream: respx.Route) -> None:
    body = problem(client.post("/v1/summaries", json={"text": SENTENCE, "engine": "gpt"}), 422)
    assert field_errors(body) == {"engine": "enum"}
    assert not upstream.called


@pytest.mark.parametrize("field", ["text", "title", "source", "url", "id", "published_at"])
@pytest.mark.parametrize("escaped", [r"\ud800", r"\udfff", r"Oslo \udc00 talks"])
def test_lone_surrogate_is_422_naming_the_field(
    client: FlaskClient, upstream: respx.Route, field: str, escaped: str
) -> None:
    values = {"text": json.dumps(SENTENCE)[1:-1], field: escaped}
    raw = "{" + ", ".join(f'"{k}": "{v}"' for k, v in values.items()) + "}"
    body = problem(client.post("/v1/summaries", data=raw.encode(), headers=JSON), 422)
    assert field in field_errors(body)
    assert not upstream.called


def test_surrogate_pair_escape_is_an_ordinary_character(
    client: FlaskClient, upstream: respx.Route
) -> None:
    raw = b'{"text": "Anna Berg \\ud83d\\ude00 met Carl Dahl.", "title": "\\ud83c\\udf0d"}'
    response = client.post("/v1/summaries", data=raw, headers=JSON)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert (
        "Anna Berg \U0001f600 met"
        in json.loads(upstream.calls.last.request.content)["messages"][1]["content"]
    )


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2026-02-30",
        "yesterday",
        "2026-13-01",
        "2026-00-10",
        "2026-03-15T25:00:00",
        "2026-03-15T08:30:00+25:00",
        "15/03/2026",
        "",
        "  ",
        "2026-03-15 and more",
    ],
)
def test_impossible_or_unreadable_date_is_422(
    client: FlaskClient, upstream: respx.Route, value: str
) -> None:
    body = problem(
        client.post("/v1/summaries", json={"text": SENTENCE, "published_at": value}), 422
    )
    assert field_errors(body) == {"published_at": "value_error"}
    assert not upstream.called


def _call_on_sunday() -> dict[str, Any]:
    return {
        **MINIMAL,
        "actors": [
            {"id": "A1", "name": "Anna Berg", "kind": "person"},
            {"id": "A2", "name": "Carl Dahl", "kind": "person"},
        ],
        "calls": [{"participants": ["A1", "A2"], "date_text": "on Sunday", "sentences": [1]}],
    }


@pytest.mark.parametrize(
    ("published_at", "sunday"),
    [
        ("9999-12-31", "9999-12-26"),
        ("9999-12-31T23:59:59-14:00", "9999-12-26"),
        ("2026-03-15", "2026-03-15"),
    ],
)
def test_far_future_publication_date_is_accepted_and_anchors_relative_dates(
    client: FlaskClient, llm: respx.MockRouter, published_at: str, sunday: str
) -> None:
    llm.post("/chat/completions").mock(return_value=completion(_call_on_sunday()))
    response = client.post("/v1/summaries", json={"text": SENTENCE, "published_at": published_at})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [call["date"] for call in response.get_json()["calls"]] == [sunday]


def test_earliest_date_leaves_an_unreachable_day_unresolved(
    client: FlaskClient, llm: respx.MockRouter
) -> None:
    # The Sunday on or before 0001-01-01 (a Monday) would be before the first representable day.
    assert dt.date(1, 1, 1).weekday() == 0
    llm.post("/chat/completions").mock(return_value=completion(_call_on_sunday()))
    response = client.post("/v1/summaries", json={"text": SENTENCE, "published_at": "0001-01-01"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [call["date"] for call in response.get_json()["calls"]] == [None]


# --- size ----------------------------------------------------------------------------------


def _body_of(n_bytes: int) -> bytes:
    """A valid JSON request of exactly `n_bytes` (trailing whitespace is valid JSON)."""
    head = json.dumps({"text": SENTENCE}).encode()
    assert len(head) <= n_bytes
    return head + b" " * (n_bytes - len(head))


@pytest.fixture
def small_limit(llm: respx.MockRouter) -> FlaskClient:
    """An app accepting bodies of at most 2048 bytes."""
    return create_app(make_settings(max_body_bytes=2048)).test_client()


def test_body_over_limit_with_content_length_is_413(
    small_limit: FlaskClient, upstream: respx.Route
) -> None:
    response = small_limit.post("/v1/summaries", data=_body_of(2049), headers=JSON)
    problem(response, 413, "request-entity-too-large")
    assert not upstream.called


def test_default_limit_rejects_a_body_over_a_megabyte(
    client: FlaskClient, upstream: respx.Route
) -> None:
    response = client.post("/v1/summaries", data=_body_of(1_000_001), headers=JSON)
    problem(response, 413, "request-entity-too-large")
    assert not upstream.called


def test_chunked_body_over_limit_is_413_even_when_its_start_is_valid_json(
    small_limit: FlaskClient, upstream: respx.Route
) -> None:
    # The first 2048 bytes alone are a complete, valid request: reading only those would pass.
    problem(chunked(small_limit, _body_of(4096)), 413, "request-entity-too-large")
    assert not upstream.called


def test_chunked_body_of_garbage_over_limit_is_413(
    small_limit: FlaskClient, upstream: respx.Route
) -> None:
    problem(chunked(small_limit, b'{"text": "' + b"a" * 1_000_000 + b'"}'), 413)
    assert not upstream.called


@pytest.mark.parametrize("size", [100, 2048])
def test_chunked_body_within_limit_is_served(
    small_limit: FlaskClient, upstream: respx.Route, size: int
) -> None:
    response = chunked(small_limit, _body_of(size))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert upstream.call_count == 1


def test_body_at_the_limit_with_content_length_is_served(
    small_limit: FlaskClient, upstream: respx.Route
) -> None:
    response = small_limit.post("/v1/summaries", data=_body_of(2048), headers=JSON)
    assert response.status_code == 200, response.get_data(as_text=True)


MILLION = ("Officials met in Oslo on Sunday and agreed to talk again. " * 20_000)[:1_000_000]


def test_million_characters_over_max_chars_is_422(llm: respx.MockRouter) -> None:
    route = llm.post("/chat/completions").mock(return_value=completion(MINIMAL))
    client = create_app(make_settings(max_body_bytes=2_000_000)).test_client()
    body = problem(client.post("/v1/summaries", json={"text": MILLION}), 422)
    assert field_errors(body) == {"text": "too_long"}
    assert "1000000" in body["errors"][0]["message"]
    assert not route.called


RAISED = {"max_chars": 1_000_000, "max_body_bytes": 2_000_000}


@pytest.mark.parametrize("text", [MILLION, "a" * 1_000_000], ids=["sentences", "one-word"])
def test_million_characters_over_the_token_budget_are_422(llm: respx.MockRouter, text: str) -> None:
    route = llm.post("/chat/completions").mock(return_value=completion(MINIMAL))
    client = create_app(make_settings(**RAISED)).test_client()
    body = problem(client.post("/v1/summaries", json={"text": text}), 422)
    assert field_errors(body) == {"text": "too_many_tokens"}
    assert not route.called


@pytest.mark.parametrize("text", [MILLION, "a" * 1_000_000], ids=["sentences", "one-word"])
def test_million_characters_within_raised_limits_are_served(
    llm: respx.MockRouter, text: str
) -> None:
    route = llm.post("/chat/completions").mock(return_value=completion(MINIMAL))
    settings = make_settings(**RAISED, max_input_tokens=1_000_000)
    response = create_app(settings).test_client().post("/v1/summaries", json={"text": text})
    assert response.status_code == 200, response.get_data(as_text=True)
    # Read in chunks (READOUT_CHUNK_TOKENS), every character sent exactly once beyond the
    # opening each chunk repeats.
    assert route.call_count == response.get_json()["meta"]["chunks"] > 1
    sent = [json.loads(call.request.content)["messages"][1]["content"] for call in route.calls]
    assert text[:40] in sent[0] and sum(len(s) for s in sent) >= len(text)


def test_million_characters_the_model_cannot_take_are_a_clean_502(
    llm: respx.MockRouter,
) -> None:
    leaked = "maximum context length is 128000 tokens; secret-upstream-detail"
    llm.post("/chat/completions").mock(
        return_value=httpx.Response(
            400, json={"error": {"message": leaked, "code": "context_length_exceeded"}}
        )
    )
    settings = make_settings(**RAISED, max_input_tokens=1_000_000)
    response = create_app(settings).test_client().post("/v1/summaries", json={"text": MILLION})
    body = problem(response, 502, "upstream-failed")
    assert "secret-upstream-detail" not in response.get_data(as_text=True)
    assert body["attempts"] == 0


# --- characters ----------------------------------------------------------------------------

CONTROL_TEXT = (
    "Anna Berg\x00 met Carl Dahl in Oslo. \x01\x02\x7fCarl Dahl said the talks were "
    "\x1b[31m\u201cuseful\u201d\x1b[0m.\u200b\ufeff\u2028Anna Berg\x0b agreed\x0c with him."
)


def test_nul_and_control_characters_are_served_with_exact_spans(
    client: FlaskClient, llm: respx.MockRouter
) -> None:
    answer = {
        **MINIMAL,
        "actors": [
            {"id": "A1", "name": "Anna Berg", "kind": "person"},
            {"id": "A2", "name": "Carl Dahl", "kind": "person"},
        ],
        "calls": [{"participants": ["A1", "A2"], "medium": "in_person", "sentences": [1]}],
        "claims": [
            {
                "claimant": "A2",
                "statement": "The talks were useful.",
                "kind": "assessment",
                "evidence_status": "not_addressed",
                "quote": "\u201cuseful\u201d",
                "sentences": [2],
            }
        ],
    }
    route = llm.post("/chat/completions").mock(return_value=completion(answer))
    response = client.post("/v1/summaries", json={"text": CONTROL_TEXT, "title": "A\x00B\x1b"})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    spans = [m for actor in body["actors"] for m in actor["mentions"]]
    spans += [e for item in body["calls"] + body["claims"] for e in item["evidence"]]
    spans += [k["quote_span"] for k in body["claims"]]
    assert len(spans) >= 6
    for span in spans:
        assert CONTROL_TEXT[span["start"] : span["end"]] == span["text"]
    assert "\x00" in body["calls"][0]["evidence"][0]["text"]
    assert body["claims"][0]["quote"] == "useful"
    assert route.call_count == 1


# --- methods and paths ---------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_wrong_method_is_405_with_allow(
    client: FlaskClient, upstream: respx.Route, method: str
) -> None:
    response = client.open("/v1/summaries", method=method, json={"text": SENTENCE})
    problem(response, 405, "method-not-allowed")
    assert "POST" in {m.strip() for m in response.headers["Allow"].split(",")}
    assert not upstream.called


@pytest.mark.parametrize("path", ["/v1/summary", "/v2/summaries", "/v1/summaries/1", "/%00"])
def test_unknown_path_is_404(client: FlaskClient, upstream: respx.Route, path: str) -> None:
    problem(client.post(path, json={"text": SENTENCE}), 404, "not-found")
    assert not upstream.called


# --- the same limits under the real server -------------------------------------------------


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    """gunicorn with its real config, the rules engine only and a 2048-byte body limit."""
    env = {"READOUT_ENGINE": "rules", "READOUT_MAX_BODY_BYTES": "2048"}
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with LiveService(env, log) as service:
        yield service


def _stream(body: bytes) -> Iterator[bytes]:
    """`body` in pieces, so httpx sends it with Transfer-Encoding: chunked."""
    for start in range(0, len(body), 512):
        yield body[start : start + 512]


@pytest.mark.parametrize(
    ("size", "status"), [(2048, 200), (2049, 413), (8192, 413)], ids=["at", "over", "far-over"]
)
@pytest.mark.parametrize("chunked_body", [False, True], ids=["content-length", "chunked"])
def test_real_server_applies_the_body_limit(
    live: LiveService, size: int, status: int, chunked_body: bool
) -> None:
    body = _body_of(size)
    content: bytes | Iterator[bytes] = _stream(body) if chunked_body else body
    response = httpx.post(f"{live.url}/v1/summaries", content=content, headers=JSON, timeout=30)
    assert response.request.headers.get("Transfer-Encoding") == (
        "chunked" if chunked_body else None
    )
    assert response.status_code == status, response.text
    if status == 413:
        assert response.headers["Content-Type"] == "application/problem+json"
        assert response.json()["type"] == "urn:readout:problem:request-entity-too-large"
    else:
        assert response.json()["meta"]["engine"] == "rules"
