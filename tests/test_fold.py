"""The fast `fold` gives exactly what the plain per-character definition gives."""

from __future__ import annotations

import random
import unicodedata

import pytest

from schemas.article import _QUOTES, _TABLES, Folded, _fold, _mapped, fold


def reference_fold(text: str, *, loose: bool) -> Folded:
    """The definition of `fold`, one character at a time."""
    out: list[str] = []
    index: list[int] = []
    previous_space = True
    for i, char in enumerate(text):
        if char.isspace():
            if not previous_space:
                out.append(" ")
                index.append(i)
            previous_space = True
            continue
        previous_space = False
        char = _QUOTES.get(char, char)
        if loose:
            for piece in unicodedata.normalize("NFKD", char):
                if unicodedata.combining(piece):
                    continue
                for lowered in piece.casefold():
                    out.append(lowered)
                    index.append(i)
        else:
            out.append(char)
            index.append(i)
    if out and out[-1] == " ":
        out.pop()
        index.pop()
    return Folded("".join(out), tuple(index))


SAMPLES = [
    "",
    " ",
    "\n\n \t",
    "plain ASCII text",
    "  leading and trailing  \n",
    "Žofia Hrušovská met Ondřej Kratochvíl in Chișinău.",
    "\u201cfrank and useful\u201d, he said \u2018quietly\u2019 \u201e\u00abno\u00bb\u201f `x\u00b4",
    "runs   of\t\twhitespace\n\n\nand\u00a0non-breaking\u2003spaces\u3000end",
    "the \ufb01nal \ufb02ow of Stra\u00dfe and GROSSE \u1e9e",
    "e\u0301 composed vs \u00e9 precomposed, a lone \u0301 mark and \u0301 another",
    "ellipsis\u2026 half \u00bd, superscript x\u00b2, diaeresis \u00a8 alone\u00a8",
    "\u00a8",
    "x \u00a8 \u00a8  y\u00a8 ",
    "\u0301 \u0301",
    "Ankara\u2019s \u0130stanbul \u0131 \u0142\u00f8\u0111\u00e6\u0153",
    "\u03a3\u03bf\u03c6\u03af\u03b1 \u0414\u043c\u0438\u0442\u0440\u0438\u0439",
    "\u00c5ngstr\u00f6m \u212b \u2126 \u0130I\u0307",
    "{% if admin %}secret{% endif %} %(name)s ${HOME}",
    "tab\tend\t",
    "\u2028line\u2029para\x1c\x1d\x1e\x1f\x85sep",
]


@pytest.mark.parametrize("loose", [False, True])
@pytest.mark.parametrize("text", SAMPLES)
def test_fold_matches_the_per_character_definition(text: str, loose: bool) -> None:
    assert fold(text, loose=loose) == reference_fold(text, loose=loose)


@pytest.mark.parametrize("loose", [False, True])
def test_fold_matches_the_definition_on_random_mixed_text(loose: bool) -> None:
    alphabet = (
        "abcXYZ019 .,;-'\"\t\n\u00a0\u2003\u00e9\u0301\u00df\u1e9e\ufb01\u2026\u00a8\u00bd"
        "\u201c\u201d\u2018\u2019\u0130\u0131\u0142\u00f8\u00c5\u212b\u2126\u00b5\u3000"
    )
    rng = random.Random(7)
    for _ in range(400):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))
        assert fold(text, loose=loose) == reference_fold(text, loose=loose), repr(text)


@pytest.mark.parametrize("loose", [False, True])
def test_fold_matches_the_definition_on_every_gold_article(loose: bool) -> None:
    from pathlib import Path

    for path in sorted((Path(__file__).parent / "gold").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert fold(text, loose=loose) == reference_fold(text, loose=loose), path.name


def test_fold_expands_casefolds_and_ligatures() -> None:
    folded = fold("Stra\u00dfe \ufb01le", loose=True)
    assert folded.text == "strasse file"
    assert folded.index == (0, 1, 2, 3, 4, 4, 5, 6, 7, 7, 8, 9)


@pytest.mark.parametrize("loose", [False, True])
def test_the_shortcut_and_the_table_fold_alike_on_random_text(loose: bool) -> None:
    alphabet = (
        "abcXYZ019 .,;-'\"\t\n\r\u00a0\u2003\u00e9\u00c9\u00e8\u00fc\u00dc\u00f1\u2014\u2013"
        "\u201c\u201d\u2018\u2019\u00ab\u00bb\u03a3\u03c3\u03c2\u00b5\u0130\u00df\u2026\u00c5\u212b"
    )
    rng = random.Random(11)
    shortcut = 0
    for _ in range(600):
        size = rng.randint(0, 200)
        # Most texts from the common part of the alphabet, so the shortcut is taken often.
        pool = alphabet if rng.random() < 0.3 else alphabet[:35]
        text = "".join(rng.choice(pool) for _ in range(size))
        table = _TABLES[loose]
        chars = set(text)
        for char in chars:
            table[ord(char)]  # fill the table as fold does
        shortcut += _mapped(text, chars, chars & table.irregular, table) is not None
        assert _fold(text, loose) == _fold(text, loose, fast=False), repr(text)
        assert _fold(text, loose) == reference_fold(text, loose=loose), repr(text)
    assert shortcut > 300


@pytest.mark.parametrize("loose", [False, True])
def test_ordinary_news_text_takes_the_shortcut(loose: bool) -> None:
    from pathlib import Path

    table = _TABLES[loose]
    for path in sorted((Path(__file__).parent / "fixtures" / "articles").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if not text.isascii() and any(c in text for c in "\u0130\u00df\u03c2\u00b5"):
            continue
        chars = set(text)
        for char in chars:
            table[ord(char)]
        assert _mapped(text, chars, chars & table.irregular, table) is not None, path.name
