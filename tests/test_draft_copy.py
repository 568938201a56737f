"""The item checks' deep copy of a draft: equal to pydantic's, and sharing nothing mutable."""

from __future__ import annotations

import datetime as dt

from schemas.extraction import Extraction
from service.pipeline.draft_copy import deep_copy


def _draft() -> Extraction:
    return Extraction.model_validate(
        {
            "summary": "Two ministers of Veldra and Osk spoke by phone.",
            "key_points": ["They spoke for an hour."],
            "actors": [
                {"id": "A1", "name": "Mira Tandel", "kind": "person", "aliases": ["Tandel"]},
                {"id": "A2", "name": "Ivo Brask", "kind": "person", "notes": {"seen": [1, 2]}},
            ],
            "calls": [
                {
                    "participants": ["A1", "A2"],
                    "date": dt.date(2031, 5, 6),
                    "medium": "phone",
                    "sentences": [1],
                }
            ],
            "claims": [],
        }
    )


def test_the_copy_equals_the_original_and_pydantics_deep_copy() -> None:
    draft = _draft()
    copied = deep_copy(draft)
    assert copied == draft == draft.model_copy(deep=True)
    assert copied.model_dump() == draft.model_dump()
    assert copied.actors[1].model_extra == {"notes": {"seen": [1, 2]}}
    assert [a.model_fields_set for a in copied.actors] == [a.model_fields_set for a in draft.actors]


def test_changing_the_copy_leaves_the_original_alone() -> None:
    draft = _draft()
    copied = deep_copy(draft)
    copied.actors[0].aliases.append("Mira")
    copied.actors[0].role = "minister"
    copied.calls[0].participants.append("A3")
    copied.key_points.append("A later point.")
    assert copied.actors[1].model_extra is not None
    copied.actors[1].model_extra["notes"]["seen"].append(3)
    assert draft.actors[0].aliases == ["Tandel"]
    assert draft.actors[0].role is None
    assert draft.calls[0].participants == ["A1", "A2"]
    assert draft.key_points == ["They spoke for an hour."]
    assert draft.actors[1].model_extra == {"notes": {"seen": [1, 2]}}
