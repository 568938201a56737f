"""A prompt's tokens: bounded by its bytes, counted only when the bound does not settle it."""

from __future__ import annotations

import pytest

from service.engines.llm.meter import Meter, PromptTokens
from service.engines.llm.tokens import PER_MESSAGE, TokenCounter
from service.errors import OutputInvalid


class CountingCounter(TokenCounter):
    """The real counter, remembering what it was asked to count."""

    def __init__(self) -> None:
        super().__init__("gpt-4o-mini")
        self.texts: list[str] = []

    def count(self, text: str) -> int:
        self.texts.append(text)
        return super().count(text)


TEXT = "Ministers of both states spoke by phone on Monday about the river crossing. " * 20
MESSAGES = [{"role": "user", "content": TEXT}]


def test_the_bound_is_the_bytes_and_never_below_the_exact_count() -> None:
    counter = CountingCounter()
    prompt = PromptTokens(counter, 500, MESSAGES)
    assert prompt.bound == 500 + len(TEXT.encode()) + PER_MESSAGE
    assert counter.texts == []
    assert prompt.exact <= prompt.bound
    assert prompt.exact == 500 + counter.count(TEXT) + PER_MESSAGE


def test_a_prompt_whose_bytes_fit_the_budget_is_not_counted() -> None:
    counter = CountingCounter()
    prompt = PromptTokens(counter, 500, MESSAGES)
    assert prompt.over(prompt.bound) is None
    assert counter.texts == []


def test_a_prompt_over_the_bound_is_counted_once_and_refused_only_when_really_over() -> None:
    counter = CountingCounter()
    prompt = PromptTokens(counter, 500, MESSAGES)
    exact = prompt.exact
    counter.texts.clear()
    fresh = PromptTokens(counter, 500, MESSAGES)
    assert fresh.over(exact) is None  # the bytes exceed the limit, the tokens do not
    assert fresh.over(exact - 1) == exact
    assert counter.texts == [TEXT]  # one count, remembered


def test_a_re_ask_is_counted_only_when_its_bytes_could_exceed_the_budget() -> None:
    counter = CountingCounter()
    prompt = PromptTokens(counter, 500, MESSAGES)
    extra = [{"role": "user", "content": "Fix the call: it names one participant."}]
    roomy = Meter(counter, prompt, budget=10 * prompt.bound, base_messages=1)
    roomy.check_budget([*MESSAGES, *extra])
    assert counter.texts == []
    tight = Meter(counter, prompt, budget=prompt.exact + 1, base_messages=1)
    with pytest.raises(OutputInvalid):
        tight.check_budget([*MESSAGES, *extra])
    assert TEXT in counter.texts
