"""Item by item, through the HTTP layer with the real openai client and instructor.

For each class of ungrounded item: with the bad item on every attempt the answer is 200 without
it (listed in `meta.rejected`) after exactly READOUT_MAX_ATTEMPTS calls; with the bad item and
then a repair the answer holds the repaired item, and the repair request carries only the failed
items, their errors and the numbered article; with `strict` it is a 502.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
import respx
from flask.testing import FlaskClient

from tests.conftest import answer, article, completion

TEXT = article("landing-records")
BODY = {"text": TEXT, "published_at": "2026-03-18"}
Bad = Callable[[dict[str, Any]], None]


def good() -> dict[str, Any]:
    return copy.deepcopy(answer("landing-records"))


def _item(data: dict[str, Any], ref: str) -> dict[str, Any]:
    kind = {"A": "actors", "C": "calls", "K": "claims"}[ref[0]]
    found: dict[str, Any] = next(i for i in data[kind] if i["id"] == ref)
    return found


def _set(ref: str, **values: Any) -> Bad:
    def change(data: dict[str, Any]) -> None:
        _item(data, ref).update(values)

    return change


def _misspelt_disputed_by(data: dict[str, Any]) -> None:
    claim = _item(data, "K3")
    claim["disputedBy"] = claim.pop("disputed_by")


def _role_names_absent(data: dict[str, Any]) -> None:
    _item(data, "A5")["role"] = "envoy of Jorge Almeida"


# (class, how the model gets it wrong, what is set aside when it never gets it right)
CLASSES: list[tuple[str, Bad, list[tuple[str, str]]]] = [
    (
        "quote-in-an-uncited-sentence-between-cited-ones",
        _set("K2", quote="We will share every landing record with our partners", sentences=[3, 5]),
        [("claim", "K2")],
    ),
    (
        "date-text-of-another-call-between-cited-sentences",
        _set("C3", sentences=[2, 8], date_text="on February 3", date="2026-02-03"),
        [("call", "C3")],
    ),
    ("date-without-date-text", _set("C1", date_text=None), [("call", "C1")]),
    ("role-naming-an-absent-person", _role_names_absent, [("actor", "A5"), ("call", "C3")]),
    (
        "affiliation-absent-from-the-article",
        _set("A2", affiliation="United Kingdom"),
        [("actor", "A2"), ("call", "C1"), ("call", "C2"), ("claim", "K2")],
    ),
    (
        "topic-naming-an-absent-person",
        _set("C3", topics=["salmon tariffs", "a visit by Jorge Almeida"]),
        [("call", "C3")],
    ),
    ("misspelt-optional-key", _misspelt_disputed_by, [("claim", "K3")]),
    ("claimant-in-its-own-disputed-by", _set("K4", disputed_by=["A3"]), [("claim", "K4")]),
    ("participant-named-only-elsewhere", _set("C2", sentences=[3]), [("call", "C2")]),
]
IDS = [c[0] for c in CLASSES]


def _bad(change: Bad) -> dict[str, Any]:
    data = good()
    change(data)
    return data


def _sent(route: respx.Route, n: int) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = json.loads(route.calls[n].request.content)["messages"]
    return messages


def _clean(client: FlaskClient, llm: respx.MockRouter) -> dict[str, Any]:
    route = llm.post("/chat/completions").mock(return_value=completion(good()))
    body: dict[str, Any] = client.post("/v1/summaries", json=BODY).get_json()
    route.reset()
    return body


def test_a_complete_correct_answer_comes_back_unchanged_in_one_call(
    client: FlaskClient, llm: respx.MockRouter
) -> None:
    route = llm.post("/chat/completions").mock(return_value=completion(good()))
    body = client.post("/v1/summaries", json=BODY).get_json()
    assert route.call_count == 1
    meta = body["meta"]
    assert (meta["attempts"], meta["repairs"], meta["rejected"], meta["warnings"]) == (1, 0, [], [])
    expected = good()
    assert body["summary"] == expected["summary"]
    assert [a["name"] for a in body["actors"]] == [
        "Iceland",
        "Portugal",
        "Sebastien Ólafsson",
        "Helena Corte-Real",
        "Iceland’s ministry",
        "Portugal’s coast guard",
        "Kari Lunde",
    ]
    assert [c["date"] for c in body["calls"]] == ["2026-03-16", "2026-02-03", "2026-03-13"]
    assert [k["quote"] for k in body["claims"]][:2] == [
        "We will share every landing record with our partners",
        "a fair bargain for both fleets",
    ]


@pytest.mark.parametrize(("name", "bad", "rejected"), CLASSES, ids=IDS)
def test_bad_item_every_time_is_set_aside_and_listed(
    client: FlaskClient,
    llm: respx.MockRouter,
    name: str,
    bad: Bad,
    rejected: list[tuple[str, str]],
) -> None:
    clean = _clean(client, llm)
    route = llm.post("/chat/completions").mock(return_value=completion(_bad(bad)))
    response = client.post("/v1/summaries", json=BODY)
    assert response.status_code == 200
    body = response.get_json()
    assert route.call_count == 3  # READOUT_MAX_ATTEMPTS: the answer and two repairs
    meta = body["meta"]
    assert (meta["attempts"], meta["repairs"]) == (3, 2)
    assert [(r["kind"], r["ref"]) for r in meta["rejected"]] == rejected
    assert all(r["reason"] for r in meta["rejected"])
    assert any("meta.rejected" in w for w in meta["warnings"])
    # What is served is the clean answer without the items set aside.
    kinds = {"actor": "actors", "call": "calls", "claim": "claims"}
    assert sum(len(body[k]) for k in kinds.values()) == sum(
        len(clean[k]) for k in kinds.values()
    ) - len(rejected)


@pytest.mark.parametrize(("name", "bad", "rejected"), CLASSES, ids=IDS)
def test_bad_item_then_a_repair_serves_the_repaired_item(
    client: FlaskClient,
    llm: respx.MockRouter,
    name: str,
    bad: Bad,
    rejected: list[tuple[str, str]],
) -> None:
    clean = _clean(client, llm)
    first = _bad(bad)
    own = [ref for kind, ref in rejected if (kind, ref) == rejected[0]]
    fixed = good()
    repair = {
        "summary": "",
        "key_points": [],
        "actors": [a for a in fixed["actors"] if a["id"] in own],
        "calls": [c for c in fixed["calls"] if c["id"] in own],
        "claims": [k for k in fixed["claims"] if k["id"] in own],
    }
    route = llm.post("/chat/completions").mock(side_effect=[completion(first), completion(repair)])
    response = client.post("/v1/summaries", json=BODY)
    assert response.status_code == 200
    body = response.get_json()
    assert route.call_count == 2
    assert (body["meta"]["attempts"], body["meta"]["repairs"], body["meta"]["rejected"]) == (
        2,
        1,
        [],
    )
    for kind in ("actors", "calls", "claims"):
        assert body[kind] == clean[kind]
    # The repair request: the same system prompt and numbered article, then only the failed
    # item and its errors; never the earlier answer.
    asked, repair_request = _sent(route, 0), _sent(route, 1)
    assert len(repair_request) == 2 and repair_request[0] == asked[0]
    article_part = asked[1]["content"]
    assert repair_request[1]["content"].startswith(article_part)
    section = repair_request[1]["content"][len(article_part) :]
    assert len(section) < 1500
    assert first["summary"] not in section
    assert f" {own[0]}: " in section
    other_claim = "Iceland denied the accusation." if own[0] != "K4" else "fair bargain"
    assert other_claim not in section


@pytest.mark.parametrize(("name", "bad", "rejected"), CLASSES, ids=IDS)
def test_strict_refuses_to_set_anything_aside(
    client: FlaskClient,
    llm: respx.MockRouter,
    name: str,
    bad: Bad,
    rejected: list[tuple[str, str]],
) -> None:
    route = llm.post("/chat/completions").mock(return_value=completion(_bad(bad)))
    response = client.post("/v1/summaries", json={**BODY, "strict": True})
    assert response.status_code == 502
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["type"] == "urn:readout:problem:model-output-invalid"
    assert route.call_count == 3 and body["attempts"] == 3
    assert [(r["kind"], r["ref"]) for r in body["rejected"]] == rejected
    # Reasons are the service's words: the model's output never reaches a problem body.
    assert "Jorge Almeida" not in response.get_data(as_text=True)
    assert "United Kingdom" not in response.get_data(as_text=True)


def test_names_and_date_words_come_back_as_the_article_writes_them(
    client: FlaskClient, llm: respx.MockRouter
) -> None:
    data = good()
    _item(data, "A1")["name"] = "Sébastien Ólafsson"  # the article has "Sebastien"
    _item(data, "A7")["name"] = "Iceland's ministry"  # the article has a curly apostrophe
    _item(data, "C1")["date_text"] = "ON  MONDAY"
    _item(data, "K2")["quote"] = "A FAIR BARGAIN for both fleets"
    route = llm.post("/chat/completions").mock(return_value=completion(data))
    body = client.post("/v1/summaries", json=BODY).get_json()
    assert route.call_count == 1 and body["meta"]["rejected"] == []
    names = [a["name"] for a in body["actors"]]
    assert "Sebastien Ólafsson" in names and "Iceland’s ministry" in names
    assert body["calls"][0]["date_text"] == "on Monday"
    assert body["claims"][1]["quote"] == "a fair bargain for both fleets"


def test_a_surname_declared_beside_the_full_name_is_one_actor(
    client: FlaskClient, llm: respx.MockRouter
) -> None:
    data = good()
    _item(data, "A1")["aliases"] = []
    data["actors"].append({"id": "A8", "name": "Ólafsson", "kind": "person"})
    _item(data, "K1")["claimant"] = "A8"
    route = llm.post("/chat/completions").mock(return_value=completion(data))
    body = client.post("/v1/summaries", json=BODY).get_json()
    assert route.call_count == 1 and body["meta"]["rejected"] == []
    people = [a for a in body["actors"] if "Ólafsson" in a["name"]]
    assert len(people) == 1
    assert people[0]["aliases"] == ["Ólafsson"]
    assert body["claims"][0]["claimant"] == people[0]["id"]
    assert [m["text"] for m in people[0]["mentions"]] == ["Sebastien Ólafsson"] + ["Ólafsson"] * 2
    assert any("merged" in w for w in body["meta"]["warnings"])


def test_a_repair_that_leaves_an_item_out_withdraws_it(
    client: FlaskClient, llm: respx.MockRouter
) -> None:
    empty = {"summary": "", "key_points": [], "actors": [], "calls": [], "claims": []}
    route = llm.post("/chat/completions").mock(
        side_effect=[completion(_bad(_set("C2", sentences=[3]))), completion(empty)]
    )
    body = client.post("/v1/summaries", json=BODY).get_json()
    assert route.call_count == 2
    assert [(r["kind"], r["ref"]) for r in body["meta"]["rejected"]] == [("call", "C2")]
    assert body["meta"]["rejected"][0]["reason"].startswith("withdrawn on repair")


def test_structure_is_still_reasked_whole(client: FlaskClient, llm: respx.MockRouter) -> None:
    route = llm.post("/chat/completions").mock(
        side_effect=[completion({**good(), "keyPoints": []}), completion(good())]
    )
    body = client.post("/v1/summaries", json=BODY).get_json()
    assert route.call_count == 2
    assert (body["meta"]["attempts"], body["meta"]["repairs"]) == (2, 0)
    assert "keyPoints" in json.dumps(_sent(route, 1)[2:])
