"""instructor's walk for async validators: done once per response model class, never skipped
for a model that carries one."""

from __future__ import annotations

from unittest import mock

import instructor.v2.core.patch as instructor_patch
import instructor.v2.validation.async_validators as async_validators
import pytest
from instructor.v2.validation.async_validators import async_field_validator
from pydantic import BaseModel

from service import create_app
from service.engines.llm import walks
from tests.conftest import make_settings


class _Leaf(BaseModel):
    word: str


class _Tree(BaseModel):
    leaves: list[_Leaf]


class _Hostile(BaseModel):
    word: str

    @async_field_validator("word")
    async def check_word(self, value: str) -> None:  # pragma: no cover - never run
        raise ValueError(value)


def test_the_llm_engine_installs_the_remembering_check_where_instructor_looks_it_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(async_validators, "reject_async_validators", walks._ORIGINAL)
    monkeypatch.setattr(instructor_patch, "reject_async_validators", walks._ORIGINAL)
    create_app(make_settings())
    assert async_validators.reject_async_validators is walks.reject_async_validators_once
    assert instructor_patch.reject_async_validators is walks.reject_async_validators_once


def test_a_class_is_walked_once_then_remembered() -> None:
    with mock.patch.object(async_validators, "get_args", wraps=async_validators.get_args) as seen:
        walks.reject_async_validators_once(_Tree)
        first = seen.call_count
        walks.reject_async_validators_once(_Tree)
        walks.reject_async_validators_once(_Tree)
    assert first > 0
    assert seen.call_count == first


def test_a_model_with_an_async_validator_is_refused_every_time() -> None:
    for _ in range(3):
        with pytest.raises(ValueError, match="async validators are not supported"):
            walks.reject_async_validators_once(_Hostile)


def test_what_is_not_a_class_is_walked_every_time() -> None:
    with mock.patch.object(async_validators, "get_args", wraps=async_validators.get_args) as seen:
        walks.reject_async_validators_once(list[_Leaf])
        first = seen.call_count
        walks.reject_async_validators_once(list[_Leaf])
    assert seen.call_count == 2 * first
