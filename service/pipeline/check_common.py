"""What every item check shares: the error type, the review it fills, and the two searches all
items need (an item's words in the article, and names in free text the article never uses).

Kept apart from the actor and the call and claim checks so that neither depends on the other;
`service.pipeline.checks` re-exports the public part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import cast

from schemas.article import SegmentedArticle, fold
from schemas.extraction import ActorDraft, CallDraft, ClaimDraft, Extraction
from service.pipeline.engine import ItemRef

_WORD = re.compile(r"[^\W_]+")
_OPENERS = "\"'([{\u2018\u201c\u00ab"


@dataclass(frozen=True, slots=True)
class Issue:
    """What is wrong with an item: a fixed `reason` for callers (it never quotes the model's
    output) and a `message` telling the model how to fix it."""

    reason: str
    message: str


@dataclass(slots=True)
class Review:
    """A draft in the article's characters, and what is wrong with each of its items."""

    draft: Extraction
    errors: dict[ItemRef, list[Issue]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def fail(self, ref: ItemRef, issue: Issue | None) -> None:
        """Record one error of an item."""
        if issue is not None:
            self.errors.setdefault(ref, []).append(issue)


def grounded_form(article: SegmentedArticle, value: str) -> str | None:
    """The article's own characters for `value` (whole words, loosely matched), or None."""
    found = next(article.find_all(value.strip(), loose=True, whole_words=True), None)
    return article.text[found[0] : found[1]] if found is not None else None


def unknown_keys(item: ActorDraft | CallDraft | ClaimDraft) -> Issue | None:
    """An error for keys the schema does not have (a misspelt key would otherwise be lost)."""
    extra = sorted(item.model_extra or {})
    if not extra:
        return None
    known = sorted(type(item).model_fields)
    return Issue(
        "unknown keys",
        f"unknown keys {extra}; use only the schema's keys {known} (mind their spelling)",
    )


class NameCheck:
    """Finds proper names in free text that appear nowhere in the article."""

    def __init__(self, article: SegmentedArticle, title: str | None) -> None:
        self._article = article
        self._title = title or ""
        self._words: set[str] | None = None
        self._stems: set[str] = set()

    def _present(self, word: str) -> bool:
        """Whether the article (or title) has `word`, or a word it is the stem of: "Chile"
        stands for "Chilean", "Norway" for "Norwegian" (a shared start of all but two letters,
        at least four)."""
        if self._words is None:
            # Built once per article and title (every chunk and repair of a request shares it).
            key = "names:" + self._title
            if key not in self._article.memo:
                text = (
                    self._article.folded(loose=True).text + " " + fold(self._title, loose=True).text
                )
                words = set(_WORD.findall(text))
                stems = {w[:n] for w in words for n in range(4, len(w) + 1)}
                self._article.memo[key] = (words, stems)
            self._words, self._stems = cast(tuple[set[str], set[str]], self._article.memo[key])
        folded = fold(word, loose=True).text
        if folded in self._words:
            return True
        return len(folded) >= 4 and folded[: max(4, len(folded) - 2)] in self._stems

    def absent_in(self, text: str) -> list[Issue]:
        """An error for each capitalised word of `text` the article never uses."""
        words = list(_WORD.finditer(text))
        absent: list[str] = []
        for n, match in enumerate(words):
            word = match.group()
            if len(word) < 2 or not word[0].isupper() or word in absent:
                continue
            if _starts_sentence(text, match.start()):
                following = words[n + 1].group() if n + 1 < len(words) else ""
                # A capitalised opener is a name only when another capitalised word follows.
                if not following[:1].isupper():
                    continue
            if not self._present(word):
                absent.append(word)
        return [
            Issue(
                "names someone or something absent from the article",
                f"{word!r} appears nowhere in the article; free text may only name people, "
                "places and bodies the article names",
            )
            for word in absent
        ]


def _starts_sentence(text: str, at: int) -> bool:
    position = at - 1
    while position >= 0 and (text[position].isspace() or text[position] in _OPENERS):
        position -= 1
    return position < 0 or text[position] in ".!?:;"
