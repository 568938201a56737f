"""An article not in English sent to the rules engine is refused with a named language."""

from __future__ import annotations

import httpx
import respx
from flask.testing import FlaskClient

from service.http.app import create_app
from service.pipeline.language import not_english
from tests.conftest import completion, make_settings

# Written for this test: a short news item in French and the same in German.
FRENCH = (
    "La ministre norvégienne de la Défense, Ingrid Halvorsen, s'est entretenue dimanche par "
    "téléphone avec son homologue chilien, Tomás Vergara, a indiqué le ministère norvégien. "
    "Les deux ministres ont discuté des patrouilles conjointes dans les fjords et se "
    "retrouveront à Santiago le mois prochain, selon un communiqué publié lundi."
)
GERMAN = (
    "Die norwegische Verteidigungsministerin Ingrid Halvorsen hat am Sonntag mit ihrem "
    "chilenischen Amtskollegen Tomás Vergara telefoniert, teilte das Ministerium in Oslo mit. "
    "Die beiden Minister sprachen über gemeinsame Patrouillen und wollen sich im nächsten "
    "Monat in Santiago treffen, hieß es in einer Erklärung vom Montag."
)
ENGLISH = (
    "Norwegian Defence Minister Ingrid Halvorsen spoke by phone with her Chilean counterpart, "
    "Tomás Vergara, on Sunday, the Norwegian ministry said. The two ministers discussed joint "
    "patrols in the fjords and will meet in Santiago next month, a statement said on Monday."
)


def rules_client(**overrides: object) -> FlaskClient:
    return create_app(make_settings(engine="rules", **overrides)).test_client()


def test_french_and_german_are_told_apart_from_english() -> None:
    french, german = not_english(FRENCH), not_english(GERMAN)
    assert french is not None and french.code == "fr"
    assert german is not None and german.code == "de"
    assert not_english(ENGLISH) is None


def test_short_texts_are_never_refused() -> None:
    assert not_english("Ministers meet\n\nTomás Vergara spoke with Ingrid Halvorsen.") is None


def test_the_rules_engine_refuses_french_with_a_problem_naming_the_language() -> None:
    response = rules_client().post("/v1/summaries", json={"text": FRENCH})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["type"] == "urn:readout:problem:language-not-supported"
    assert problem["language"] == "fr"
    assert "French" in problem["detail"]


def test_the_rules_engine_answers_english(llm: respx.MockRouter) -> None:
    response = rules_client().post("/v1/summaries", json={"text": ENGLISH})
    assert response.status_code == 200


def test_the_llm_engine_reads_any_language(client: FlaskClient, llm: respx.MockRouter) -> None:
    canned = {
        "summary": "La ministre norvégienne s'est entretenue avec son homologue chilien.",
        "key_points": [],
        "actors": [
            {"id": "A1", "name": "Ingrid Halvorsen", "kind": "person", "aliases": []},
            {"id": "A2", "name": "Tomás Vergara", "kind": "person", "aliases": []},
        ],
        "calls": [],
        "claims": [],
    }
    llm.post("/chat/completions").mock(return_value=completion(canned))
    response = client.post("/v1/summaries", json={"text": FRENCH})
    assert response.status_code == 200, response.get_data(as_text=True)


def test_a_rules_fallback_does_not_answer_an_article_it_cannot_read(
    llm: respx.MockRouter,
) -> None:
    llm.post("/chat/completions").mock(return_value=httpx.Response(503))
    client = create_app(make_settings(fallback="rules")).test_client()
    answer_ = client.post("/v1/summaries", json={"text": FRENCH})
    assert answer_.status_code == 503
    assert answer_.get_json()["type"] == "urn:readout:problem:upstream-unavailable"


def test_english_crowded_with_foreign_names_is_english() -> None:
    text = (
        "Benin and Niger ministers meet\n\nCOTONOU, Feb 11 – Béninois Foreign Minister Koffi "
        "Adjovi met Nigérien Foreign Minister Issoufou Maïga in Cotonou on Monday to discuss "
        "border security at Malanville and Gaya."
    )
    assert not_english(text) is None
