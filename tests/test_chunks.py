"""Long articles: chunks of whole sentences read concurrently, then merged (the LLM mocked)."""

from __future__ import annotations

import json
import re
import threading
import time
from typing import Any

import httpx
import pytest
import respx
from flask.testing import FlaskClient

from service import create_app
from service.engines.llm.tokens import TokenCounter
from service.pipeline.chunks import opening, plan
from service.pipeline.segment import Segmenter
from tests.conftest import article, completion, make_settings

TEXT = article("river-commission")
BODY = {"text": TEXT, "published_at": "2026-03-18"}
CHUNK_TOKENS = 70  # four chunks: 1-3, 4-9, 10-14, 15-18
_SHOWN = re.compile(r"^\[(\d+)\] ", re.M)

ACTORS = {
    "dragomir": {"name": "Mihai Dragomir", "kind": "person", "aliases": ["Dragomir"]},
    "vasileva": {"name": "Petya Vasileva", "kind": "person", "aliases": ["Vasileva"]},
    "jankovic": {"name": "Nikola Jankovic", "kind": "person", "aliases": ["Jankovic"]},
}
MONDAY = {"date_text": "on Monday", "medium": "phone", "sentences": [2]}
WEDNESDAY = {"date_text": "On Wednesday", "medium": "in_person", "sentences": [15, 16]}
CALLS = [(MONDAY, ["dragomir", "vasileva"]), (WEDNESDAY, ["dragomir", "jankovic"])]
CLAIMS = [
    ({"statement": "The dredgers will start work in May.", "sentences": [6]}, "dragomir"),
    ({"statement": "Bulgaria will pay half of the cost.", "sentences": [7]}, "vasileva"),
    ({"statement": "Serbia will join the dredging plan.", "sentences": [17]}, "jankovic"),
    ({"statement": "The talks were useful.", "sentences": [18]}, "dragomir"),
]


def shown(request: httpx.Request) -> list[int]:
    """The sentence numbers a request shows the model."""
    user = json.loads(request.content)["messages"][1]["content"]  # re-asks append after it
    return [int(n) for n in _SHOWN.findall(user)]


def chunk_answer(numbers: list[int]) -> dict[str, Any]:
    """What a careful model answers for the sentences it was shown: every call and claim those
    sentences carry, with the actors they need (the last chunk knows Dragomir by surname)."""
    visible = set(numbers)
    keys: dict[str, str] = {}

    def key(name: str) -> str:
        return keys.setdefault(name, f"A{len(keys) + 1}")

    calls = [
        {**call, "participants": [key(p) for p in people]}
        for call, people in CALLS
        if set(call["sentences"]) <= visible
    ]
    claims = [
        {**claim, "claimant": key(who), "kind": "assertion", "evidence_status": "not_addressed"}
        for claim, who in CLAIMS
        if set(claim["sentences"]) <= visible
    ]
    actors = [{"id": k, **ACTORS[name]} for name, k in keys.items()]
    if 15 in visible:
        actors[0] = {"id": "A1", "name": "Dragomir", "kind": "person"}
    return {"summary": "Danube states reopen talks.", "actors": actors, "calls": calls,
            "claims": claims}  # fmt: skip


def answering(request: httpx.Request) -> httpx.Response:
    return completion(chunk_answer(shown(request)))


def _client(**settings: Any) -> FlaskClient:
    values = {"chunk_tokens": CHUNK_TOKENS, "chunk_concurrency": 4, **settings}
    return create_app(make_settings(**values)).test_client()


def test_the_plan_keeps_whole_sentences_global_numbers_and_the_opening() -> None:
    segmented = Segmenter().segment(TEXT)
    count = TokenCounter("gpt-4o-mini").count
    chunks = plan(segmented, count, CHUNK_TOKENS)
    assert [c.own for c in chunks] == [
        (1, 2, 3),
        (4, 5, 6, 7, 8, 9),
        (10, 11, 12, 13, 14),
        (15, 16, 17, 18),
    ]
    assert opening(segmented) == (1, 2)
    assert all(c.shown == tuple(sorted({1, 2, *c.own})) for c in chunks)
    for chunk in chunks:
        size = sum(count(TEXT[s:e]) for s, e in (segmented.sentence(n) for n in chunk.own))
        assert size <= CHUNK_TOKENS
    assert len(plan(segmented, count, 10_000)) == 1


def test_chunks_are_merged_into_one_grounded_answer(llm: respx.MockRouter) -> None:
    route = llm.post("/chat/completions").mock(side_effect=answering)
    response = _client().post("/v1/summaries", json=BODY)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    meta = body["meta"]
    assert meta["chunks"] == 4 and route.call_count == 4
    assert meta["attempts"] == 4 and meta["rejected"] == []
    assert meta["usage"] == {"prompt_tokens": 400, "completion_tokens": 200, "total_tokens": 600}
    # Dragomir, named in full in chunk 2 and by surname alone in chunk 4, is one actor.
    actors = {a["id"]: a for a in body["actors"]}
    assert [a["name"] for a in body["actors"]] == [
        "Mihai Dragomir",
        "Petya Vasileva",
        "Nikola Jankovic",
    ]
    assert list(actors) == ["A1", "A2", "A3"]
    # The Monday call, shown to every chunk in the opening, is one call; ids follow the text.
    assert [(c["id"], c["date"], c["participants"]) for c in body["calls"]] == [
        ("C1", "2026-03-16", ["A1", "A2"]),
        ("C2", "2026-03-18", ["A1", "A3"]),
    ]
    assert [(k["id"], k["claimant"]) for k in body["claims"]] == [
        ("K1", "A1"),
        ("K2", "A2"),
        ("K3", "A3"),
        ("K4", "A1"),
    ]
    for item in body["calls"] + body["claims"]:
        for span in item["evidence"]:
            assert TEXT[span["start"] : span["end"]] == span["text"]


def test_every_chunk_shares_the_static_prefix_and_sees_only_its_sentences(
    llm: respx.MockRouter,
) -> None:
    route = llm.post("/chat/completions").mock(side_effect=answering)
    assert _client().post("/v1/summaries", json=BODY).status_code == 200
    bodies = [json.loads(call.request.content) for call in route.calls]
    assert len({json.dumps(b["messages"][0]) for b in bodies}) == 1
    assert len({json.dumps(b["tools"]) for b in bodies}) == 1
    assert sorted(shown(call.request) for call in route.calls)[-1] == [1, 2, 15, 16, 17, 18]
    for call in route.calls:
        user = json.loads(call.request.content)["messages"][-1]["content"]
        assert "Cite only sentences shown here." in user


def test_a_chunk_citing_a_sentence_it_was_not_shown_is_repaired(llm: respx.MockRouter) -> None:
    def reply(request: httpx.Request) -> httpx.Response:
        numbers = shown(request)
        data = chunk_answer(numbers)
        user = json.loads(request.content)["messages"][-1]["content"]
        if 6 in numbers and "\nREPAIR\n" not in user:
            data["claims"][-1]["sentences"] = [6, 7, 12]  # 12 belongs to another chunk
        return completion(data)

    llm.post("/chat/completions").mock(side_effect=reply)
    body = _client().post("/v1/summaries", json=BODY).get_json()
    assert body["meta"]["repairs"] == 1 and body["meta"]["rejected"] == []
    assert len(body["claims"]) == 4


def test_an_article_of_one_chunk_is_sent_as_before(llm: respx.MockRouter) -> None:
    route = llm.post("/chat/completions").mock(side_effect=answering)
    body = _client(chunk_tokens=10_000).post("/v1/summaries", json=BODY).get_json()
    assert body["meta"]["chunks"] == 1 and route.call_count == 1
    user = json.loads(route.calls[0].request.content)["messages"][-1]["content"]
    assert "read in parts" not in user
    assert shown(route.calls[0].request) == list(range(1, 19))


@pytest.mark.parametrize(("concurrency", "fastest", "slowest"), [(4, 0.0, 0.9), (1, 1.6, 10.0)])
def test_chunks_run_concurrently_within_the_limit(
    llm: respx.MockRouter, concurrency: int, fastest: float, slowest: float
) -> None:
    busy, peak = [0], [0]
    lock = threading.Lock()

    def slow(request: httpx.Request) -> httpx.Response:
        with lock:
            busy[0] += 1
            peak[0] = max(peak[0], busy[0])
        time.sleep(0.4)
        with lock:
            busy[0] -= 1
        return answering(request)

    llm.post("/chat/completions").mock(side_effect=slow)
    client = _client(chunk_concurrency=concurrency)
    started = time.monotonic()
    assert client.post("/v1/summaries", json=BODY).status_code == 200
    elapsed = time.monotonic() - started
    assert fastest <= elapsed < slowest
    assert peak[0] == concurrency


def test_a_chunk_that_fails_leaves_its_sentences_uncovered(llm: respx.MockRouter) -> None:
    def reply(request: httpx.Request) -> httpx.Response:
        numbers = shown(request)
        return completion("{not json") if 17 in numbers else completion(chunk_answer(numbers))

    route = llm.post("/chat/completions").mock(side_effect=reply)
    client = _client()
    response = client.post("/v1/summaries", json=BODY)
    assert response.status_code == 200
    body = response.get_json()
    assert route.call_count == 3 + 3  # three chunks answer at once; one fails three times
    assert body["meta"]["rejected"] == [
        {"kind": "chunk", "ref": "chunk 4", "reason": "sentences 15-18 not covered: "
         "model output stayed invalid"}
    ]  # fmt: skip
    assert any("chunk 4" in w for w in body["meta"]["warnings"])
    assert [k["statement"] for k in body["claims"]] == [
        "The dredgers will start work in May.",
        "Bulgaria will pay half of the cost.",
    ]
    assert body["meta"]["attempts"] == 6
    strict = client.post("/v1/summaries", json={**BODY, "strict": True})
    assert strict.status_code == 502
    assert strict.get_json()["rejected"][0]["ref"] == "chunk 4"


def test_when_every_chunk_fails_the_request_fails(llm: respx.MockRouter) -> None:
    llm.post("/chat/completions").mock(return_value=completion("{not json"))
    response = _client().post("/v1/summaries", json=BODY)
    assert response.status_code == 502
    body = response.get_json()
    assert body["type"] == "urn:readout:problem:model-output-invalid"
    assert body["attempts"] == 12


def test_an_article_that_fits_one_chunk_is_counted_once_not_sentence_by_sentence() -> None:
    segmented = Segmenter().segment(TEXT)
    counter = TokenCounter("gpt-4o-mini")
    counted: list[str] = []

    def count(text: str) -> int:
        counted.append(text)
        return counter.count(text)

    whole = counter.count(TEXT)
    assert whole > len(TEXT.encode()) // 8  # long enough that bytes alone cannot settle it
    assert len(plan(segmented, count, whole + 5)) == 1
    assert counted == [TEXT]
    counted.clear()
    assert len(plan(segmented, count, CHUNK_TOKENS)) == 4
    assert len(counted) == 1 + len(segmented.sentences)  # the whole, then each sentence
