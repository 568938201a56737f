"""Through the HTTP layer with the real openai client and instructor; only the LLM's HTTP mocked."""

from __future__ import annotations

import json

import respx
from flask.testing import FlaskClient

from tests.conftest import answer, article, completion


def test_summary_is_grounded_with_exact_spans(client: FlaskClient, llm: respx.MockRouter) -> None:
    route = llm.post("/chat/completions").mock(return_value=completion(answer("fjord-patrols")))
    text = article("fjord-patrols")
    response = client.post(
        "/v1/summaries", json={"text": text, "published_at": "2026-03-15", "id": "req-1"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["id"] == "req-1"
    spans = [m for a in body["actors"] for m in a["mentions"]]
    spans += [e for item in body["calls"] + body["claims"] for e in item["evidence"]]
    spans += [k["quote_span"] for k in body["claims"] if k["quote_span"]]
    assert spans
    for span in spans:
        assert text[span["start"] : span["end"]] == span["text"]
    assert route.call_count == 1
    meta = body["meta"]
    assert meta["engine"] == "llm" and meta["attempts"] == 1
    assert meta["usage"] == {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150}
    assert meta["prompt_version"] == "summarise/v2"


def test_actor_ids_and_references_are_consistent(
    client: FlaskClient, llm: respx.MockRouter
) -> None:
    llm.post("/chat/completions").mock(return_value=completion(answer("fjord-patrols")))
    body = client.post(
        "/v1/summaries", json={"text": article("fjord-patrols"), "published_at": "2026-03-15"}
    ).get_json()
    ids = [a["id"] for a in body["actors"]]
    assert ids == [f"A{n}" for n in range(1, len(ids) + 1)]
    names = {a["id"]: a["name"] for a in body["actors"]}
    first_call = body["calls"][0]
    assert {names[p] for p in first_call["participants"]} == {"Ingrid Halvorsen", "Tomás Vergara"}
    accusation = next(k for k in body["claims"] if k["kind"] == "accusation")
    # The model wrote a straight apostrophe; the answer has the article's curly one.
    assert names[accusation["claimant"]] == "Chile’s foreign ministry"
    assert accusation["evidence_status"] == "unsupported"


def test_relative_dates_resolve_against_published_at(
    client: FlaskClient, llm: respx.MockRouter
) -> None:
    canned = answer("fjord-patrols")
    for call in canned["calls"]:
        call["date"] = None  # the service resolves date_text itself
    llm.post("/chat/completions").mock(return_value=completion(canned))
    body = client.post(
        "/v1/summaries", json={"text": article("fjord-patrols"), "published_at": "2026-03-15"}
    ).get_json()
    assert [(c["date_text"], c["date"]) for c in body["calls"]] == [
        ("on Sunday", "2026-03-15"),
        ("last Wednesday", "2026-03-11"),
    ]


def test_quote_with_curly_marks_returns_article_characters(
    client: FlaskClient, llm: respx.MockRouter
) -> None:
    llm.post("/chat/completions").mock(return_value=completion(answer("fjord-patrols")))
    text = article("fjord-patrols")
    body = client.post("/v1/summaries", json={"text": text}).get_json()
    quoted = next(k for k in body["claims"] if k["kind"] == "assessment")
    assert quoted["quote"] == "frank and useful"
    span = quoted["quote_span"]
    assert text[span["start"] : span["end"]] == "frank and useful"


def test_request_sends_prompt_then_article_as_delimited_data(
    client: FlaskClient, llm: respx.MockRouter
) -> None:
    route = llm.post("/chat/completions").mock(return_value=completion(answer("fjord-patrols")))
    client.post("/v1/summaries", json={"text": article("fjord-patrols")})
    sent = json.loads(route.calls.last.request.content)
    assert sent["model"] == "test-model"
    assert [m["role"] for m in sent["messages"]] == ["system", "user"]
    assert "<<<ARTICLE" in sent["messages"][1]["content"]
    assert "[5] “We agreed" in sent["messages"][1]["content"]
    assert sent["tools"][0]["function"]["name"] == "Extraction"


def test_an_article_without_calls_or_claims_returns_empty_lists(
    client: FlaskClient, llm: respx.MockRouter
) -> None:
    llm.post("/chat/completions").mock(return_value=completion(answer("harbour-exercise")))
    text = article("harbour-exercise")
    response = client.post("/v1/summaries", json={"text": text, "published_at": "2026-05-09"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["calls"] == [] and body["claims"] == []
    navy = next(a for a in body["actors"] if a["name"] == "Latvian Naval Forces")
    assert [m["text"] for m in navy["mentions"]] == ["Latvian Naval Forces"]
    latvia = next(a for a in body["actors"] if a["name"] == "Latvia")
    assert {m["text"] for m in latvia["mentions"]} == {"Latvia", "Latvian"}
