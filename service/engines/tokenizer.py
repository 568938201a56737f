"""A spaCy tokenizer whose work stays linear in the text, whatever the text holds.

spaCy's tokenizer strips prefixes and suffixes from each whitespace-free run one at a time, so
its cost grows with the square of a run's length: 10,000 characters of `(` take seconds. Runs up
to `max_run` characters (every ordinary word, number or short link) go through spaCy's own
tokenizer unchanged; a longer run is cut by one linear regular expression instead: words joined
by inner punctuation (`a.b`, `x-y`, `1,000`) stay one token, and a repeated non-word character
(`((((`, `!!!`) is one token per repeat group; a run that would fall into pieces of a character
or two (noise) is cut every MAX_RUN characters instead. Offsets stay exact: the Doc's text is
the input.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

# Longer than any ordinary token; at this length spaCy's tokenizer costs about 6 us a character
# on the worst punctuation, within a few times its cost on prose.
MAX_RUN = 48
# Over-long whitespace-free runs, and runs of five or more punctuation marks (`(["')`), which
# spaCy splits into a token each: ten thousand of those cost the parser as much as 100,000
# characters of prose.
_LONG_RUN = re.compile(rf"\S{{{MAX_RUN + 1},}}|[^\w\s]{{5,}}")
_PIECE = re.compile(r"\w+(?:[.,'\u2019:/@-]\w+)*|(\W)\1*")
# A run cut into pieces this short on average is noise (`("'(")[...`): it is cut into
# MAX_RUN-character tokens instead, so the parser is not handed one token per character.
_DENSE = 4


class BoundedTokenizer:
    """Wraps a spaCy tokenizer: ordinary text goes to it, over-long runs are cut linearly."""

    def __init__(self, tokenizer: Callable[[str], Doc]) -> None:
        self._tokenizer = tokenizer
        self.vocab = tokenizer.vocab  # type: ignore[attr-defined]

    def __call__(self, text: str) -> Doc:
        """The tokens of `text` (its exact characters) in time proportional to its length."""
        docs: list[Doc] = []
        done = 0
        for run in _LONG_RUN.finditer(text):
            if run.start() > done:
                docs.append(self._tokenizer(text[done : run.start()]))
            end = run.end()
            spaced = text.startswith(" ", end)
            docs.append(_cut(self.vocab, run.group(), trailing_space=spaced))
            done = end + 1 if spaced else end
        if not docs:
            return self._tokenizer(text)
        if done < len(text):
            docs.append(self._tokenizer(text[done:]))
        return Doc.from_docs(docs, ensure_whitespace=False)


def _cut(vocab: Vocab, run: str, *, trailing_space: bool) -> Doc:
    words = [m.group() for m in _PIECE.finditer(run)]
    if len(words) > len(run) // _DENSE:
        # Keep a sentence's final stop a token of its own, for the sentencizer.
        body, stop = (run[:-1], run[-1:]) if run[-1] in ".!?" else (run, "")
        words = [body[i : i + MAX_RUN] for i in range(0, len(body), MAX_RUN)]
        words += [stop] if stop else []
    spaces = [False] * len(words)
    spaces[-1] = trailing_space
    return Doc(vocab, words=words, spaces=spaces)


def bound_tokenizer(nlp: Language) -> Language:
    """Give `nlp` the bounded tokenizer (once); returns `nlp`."""
    if not isinstance(nlp.tokenizer, BoundedTokenizer):
        nlp.tokenizer = BoundedTokenizer(nlp.tokenizer)
    return nlp
