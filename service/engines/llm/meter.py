"""What a completion costs: the prompt's size against the input budget, and usage over attempts.

A prompt's tokens are needed for two things: refusing a prompt over `READOUT_MAX_INPUT_TOKENS`,
and estimating usage when the upstream reports none. Counting them runs the model's encoder over
the whole article (a tenth of a millisecond per thousand tokens, on every request), yet the
budget check rarely needs it: a token is at least one byte, so a prompt whose bytes fit the
budget fits it. `PromptTokens` counts only when that bound is not enough, or when an estimate
is asked for.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from openai.types.chat import ChatCompletion

from schemas.contract import Usage
from service.engines.llm.tokens import PER_MESSAGE, TokenCounter
from service.errors import OutputInvalid, UpstreamError


class PromptTokens:
    """The tokens of a prompt: the static part (counted once per worker) plus its messages."""

    def __init__(self, counter: TokenCounter, static: int, messages: list[dict[str, str]]) -> None:
        self._counter = counter
        self._static = static
        self._messages = messages
        self._exact: int | None = None

    @property
    def bound(self) -> int:
        """At least the exact count, from the messages' UTF-8 bytes, without the encoder."""
        return self._static + sum(
            len(m["content"].encode("utf-8")) + PER_MESSAGE for m in self._messages
        )

    @property
    def exact(self) -> int:
        """The exact count (the encoder runs once)."""
        if self._exact is None:
            self._exact = self._static + self._counter.count_messages(self._messages)
        return self._exact

    def over(self, limit: int) -> int | None:
        """The exact count when it exceeds `limit`, else None (counted only when the bound
        exceeds it)."""
        if self.bound <= limit:
            return None
        return self.exact if self.exact > limit else None


@dataclass(slots=True)
class Meter:
    """Counts model attempts and sums token usage over all of them.

    When the upstream reports no usage, it is estimated with the offline token counter.
    """

    counter: TokenCounter
    prompt: PromptTokens
    budget: int = 0
    base_messages: int = 0
    attempts: int = 0
    usage: Usage = field(default_factory=Usage)
    estimated: bool = False

    def check_budget(self, messages: list[Any]) -> None:
        """Refuse a re-ask whose prompt (the first one plus what instructor appended) would
        exceed the input budget."""
        extra = messages[self.base_messages :]
        if not self.budget or not extra:
            return
        appended = json.dumps(extra, default=str)
        if self.prompt.bound + len(appended.encode("utf-8")) <= self.budget:
            return
        if self.prompt.exact + self.counter.count(appended) > self.budget:
            raise OutputInvalid("A re-ask would exceed the input token budget.")

    def record(self, completion: ChatCompletion) -> None:
        """Count one completion."""
        self.attempts += 1
        if completion.usage is not None:
            self.usage.add(completion.usage.prompt_tokens, completion.usage.completion_tokens)
            return
        self.estimated = True
        message = completion.choices[0].message if completion.choices else None
        output = ""
        if message is not None:
            output = message.content or ""
            for call in message.tool_calls or []:
                output += getattr(getattr(call, "function", None), "arguments", "") or ""
        self.usage.add(self.prompt.exact, self.counter.count(output))

    def stamp(self, error: UpstreamError) -> UpstreamError:
        """Attach the attempts and usage so far to an error."""
        error.attempts, error.usage = self.attempts, self.usage.model_copy()
        return error
