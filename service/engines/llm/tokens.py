"""Offline token counting (bpe-openai ships its encodings; nothing is fetched at run time)."""

from __future__ import annotations

import functools
import warnings
from typing import Any

# Per-message overhead of the chat format (role and separators), as OpenAI documents it.
PER_MESSAGE = 4
# At most 4 UTF-8 bytes, so 4 tokens, a character: well below the chat encodings' chunk limit.
_PIECE = 20_000


@functools.cache
def encoding(model: str) -> Any:
    """The model's encoding (o200k_base for models bpe-openai does not know), loaded once.

    Its tables take about 140 MB; loaded in gunicorn's master before it forks, they are
    shared by every worker instead of copied into each.
    """
    with warnings.catch_warnings():
        # bpe-openai 0.1.4 loads its data, on import, with importlib.resources.open_binary.
        warnings.filterwarnings("ignore", "open_binary is deprecated", DeprecationWarning)
        import bpe_openai
        from bpe_openai.errors import UnsupportedModelError

        try:
            return bpe_openai.encoding_for_model(model)
        except UnsupportedModelError:
            return bpe_openai.get_encoding("o200k_base")


class TokenCounter:
    """Counts tokens with the model's encoding."""

    def __init__(self, model: str) -> None:
        self._encoding = encoding(model)

    def count(self, text: str) -> int:
        """Tokens in `text`."""
        # bpe-openai refuses a million characters, or more tokens than its chunk limit
        # (200,000), in one call; a long text is counted in pieces (±1 token at each cut).
        return sum(
            len(self._encoding.encode_ordinary(text[i : i + _PIECE]))
            for i in range(0, len(text), _PIECE)
        )

    def count_messages(self, messages: list[dict[str, str]]) -> int:
        """Tokens a list of chat messages takes in the prompt."""
        return sum(self.count(m["content"]) + PER_MESSAGE for m in messages)
