"""States normalised to ISO 3166-1 alpha-3 codes on both engines' actors."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pycountry
import pytest
import respx
from flask.testing import FlaskClient

from schemas.contract import Actor, ActorKind, SummaryResponse
from service.pipeline.normalise import load_countries, normalise
from tests.conftest import answer, article, completion

STATES = Path(__file__).parent.parent / "service" / "data" / "states.toml"


def actor(n: int, name: str, kind: ActorKind, affiliation: str | None = None) -> Actor:
    return Actor(id=f"A{n}", name=name, kind=kind, affiliation=affiliation)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Norway", "NOR"),
        ("Norwegian", "NOR"),  # demonym
        ("Moscow", "RUS"),  # capital
        ("the Kremlin", "RUS"),  # stand-in
        ("Downing Street", "GBR"),
        ("White House", "USA"),
        ("Russian Federation", "RUS"),  # ISO name, from pycountry
        ("Viet Nam", "VNM"),
        ("Türkiye", "TUR"),
    ],
)
def test_a_state_actor_carries_its_code_whichever_form_names_it(name: str, code: str) -> None:
    [state] = normalise([actor(1, name, ActorKind.state)], load_countries())
    assert state.country == code


def test_people_and_organisations_carry_the_code_of_the_state_they_serve() -> None:
    actors = [
        actor(1, "Moscow", ActorKind.state),
        actor(2, "Ilya Sorin", ActorKind.person, "Moscow"),  # through the state actor
        actor(3, "Chile's foreign ministry", ActorKind.organisation, None),  # its own name
        actor(4, "Ana Rojas", ActorKind.person, "Chile's foreign ministry"),  # through the body
        actor(5, "Lena Vogt", ActorKind.person, "German"),  # a demonym
        actor(6, "Maria Costa", ActorKind.person, "European Union"),  # no state
        actor(7, "Tom Ashby", ActorKind.person),
    ]
    codes = [a.country for a in normalise(actors, load_countries())]
    assert codes == ["RUS", "RUS", "CHL", "CHL", "DEU", None, None]


def test_every_state_of_the_table_has_an_iso_code_but_kosovo() -> None:
    table = tomllib.loads(STATES.read_text("utf-8"))["states"]
    countries = load_countries()
    missing = [name for name in table if countries.code(name) is None]
    assert missing == ["Kosovo"]
    for name, entry in table.items():
        if "code" in entry:
            assert pycountry.countries.get(alpha_3=entry["code"]) is not None, name


def test_the_llm_engine_answer_is_normalised_too(
    client: FlaskClient, llm: respx.MockRouter
) -> None:
    llm.post("/chat/completions").mock(return_value=completion(answer("fjord-patrols")))
    response = client.post(
        "/v1/summaries", json={"text": article("fjord-patrols"), "published_at": "2026-03-15"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = SummaryResponse.model_validate(response.get_json())
    codes = {a.name: a.country for a in body.actors}
    assert codes["Norway"] == "NOR"
    assert codes["Ingrid Halvorsen"] == "NOR"
    ministry = next(
        a for a in body.actors if a.name.startswith("Chile") and a.kind == "organisation"
    )
    assert ministry.country == "CHL"


def test_country_is_in_the_openapi_document(client: FlaskClient) -> None:
    document = client.get("/openapi.json").get_json()
    text = str(document)
    assert "country" in text and "ISO 3166-1 alpha-3" in text


def test_an_actor_whose_code_does_not_change_is_kept_not_copied() -> None:
    actors = [actor(1, "Tom Ashby", ActorKind.person), actor(2, "Norway", ActorKind.state)]
    stated = actor(3, "Oslo", ActorKind.state).model_copy(update={"country": "NOR"})
    out = normalise([*actors, stated], load_countries())
    assert out[0] is actors[0] and out[2] is stated
    assert out[1] is not actors[1] and out[1].country == "NOR" and actors[1].country is None
