"""Segmenting costs time proportional to the text, whatever its punctuation; offsets exact."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
import spacy

from service.engines.tokenizer import MAX_RUN, BoundedTokenizer
from service.pipeline.segment import Segmenter
from tests.conftest import article

MAX_CHARS = 100_000


def _names(count: int) -> str:
    rng = random.Random(3)
    syllables = ["ka", "lo", "mi", "ne", "ra", "to", "vi", "sa", "de", "bo", "ru", "fe"]

    def word() -> str:
        return "".join(rng.choice(syllables) for _ in range(3)).capitalize()

    return ", ".join(f"{word()} {word()}" for _ in range(count))


def _punctuation_runs(length: int) -> str:
    rng = random.Random(5)
    runs = (
        "".join(rng.choice("(\"')[]") for _ in range(length))
        for _ in range(MAX_CHARS // (length + 1) + 1)
    )
    return " ".join(runs)


# Each shape made spaCy's tokenizer (or what reads its output) slow down faster than linearly.
PATHOLOGICAL = {
    "parentheses": "(" * MAX_CHARS,
    "double-quotes": '"' * MAX_CHARS,
    "apostrophes": "'" * MAX_CHARS,
    "mixed-punctuation-run": _punctuation_runs(MAX_CHARS)[:MAX_CHARS],
    "punctuation-runs-just-under-the-cut": _punctuation_runs(MAX_RUN)[:MAX_CHARS],
    "names": _names(MAX_CHARS // 14)[:MAX_CHARS],
    "spaces": "a" + " " * (MAX_CHARS - 2) + "b",
    "newlines": "\n".join("a" for _ in range(MAX_CHARS // 2)),
    "dotted-run": "x." * (MAX_CHARS // 2),
}


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    """One segmenter, as a worker builds it."""
    return Segmenter()


@pytest.mark.parametrize("shape", sorted(PATHOLOGICAL))
def test_pathological_text_at_the_maximum_size_segments_in_bounded_time(
    shape: str, segmenter: Segmenter
) -> None:
    text = PATHOLOGICAL[shape]
    started = time.perf_counter()
    segmented = segmenter.segment(text)
    elapsed = time.perf_counter() - started
    # Unbounded, the first three shapes took over ten minutes; prose of this size takes ~0.1 s.
    assert elapsed < 5.0, f"{shape}: {elapsed:.1f} s"
    for start, end in segmented.sentences:
        assert text[start:end].strip() == text[start:end] != ""


def test_ordinary_text_is_tokenized_exactly_as_spacy_does() -> None:
    nlp = spacy.blank("en")
    bounded = BoundedTokenizer(nlp.tokenizer)
    for name in ("bench-700", "fjord-patrols", "harbour-exercise"):
        text = article(name)
        assert [t.text for t in bounded(text)] == [t.text for t in nlp.tokenizer(text)]


def test_gold_articles_keep_their_sentences() -> None:
    plain = Segmenter.__new__(Segmenter)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    plain._nlp = nlp
    bounded = Segmenter()
    gold = sorted((Path(__file__).parent / "gold").glob("*.txt"))
    assert gold
    for path in gold:
        text = path.read_text("utf-8")
        assert bounded.segment(text).sentences == plain.segment(text).sentences, path.name


def test_tokens_cover_the_text_exactly_whatever_it_holds() -> None:
    nlp = spacy.blank("en")
    bounded = BoundedTokenizer(nlp.tokenizer)
    rng = random.Random(11)
    alphabet = "ab (\"'.,-\n\t\u00e9\u2019\u201c!?" + "x" * 5
    for _ in range(200):
        pieces = [
            "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))),
            rng.choice("(\".'a-") * rng.randint(0, 3 * MAX_RUN),
        ]
        text = "".join(rng.sample(pieces, 2)) + "".join(rng.choice(alphabet) for _ in range(10))
        doc = bounded(text)
        assert doc.text == text
        for token in doc:
            assert text[token.idx : token.idx + len(token.text)] == token.text


def test_a_long_run_is_cut_into_words_and_repeat_groups() -> None:
    bounded = BoundedTokenizer(spacy.blank("en").tokenizer)
    run = "see" + "(" * 60 + "example.org/a-b" + "!!!" + ")" * 60
    doc = bounded(f"{run} next")
    assert [t.text for t in doc] == ["see", "(" * 60, "example.org/a-b", "!!!", ")" * 60, "next"]


def test_a_run_of_noise_is_cut_into_few_tokens() -> None:
    bounded = BoundedTokenizer(spacy.blank("en").tokenizer)
    rng = random.Random(2)
    noise = "".join(rng.choice("(\"')[]a") for _ in range(10_000)) + "."
    doc = bounded(noise)
    assert doc.text == noise
    assert len(doc) <= 10_000 // MAX_RUN + 2
    assert doc[-1].text == "."
