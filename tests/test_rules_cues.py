"""The state-name pattern built on shared prefixes matches what the plain alternation matches."""

from __future__ import annotations

import re

import pytest

from service.engines.rules.cues import _trie, load_cues

WORDS = ["Varn", "Varnia", "Varnian", "Varnians", "Vel", "Velora", "Osk", "Oskar", "Oskar Bay", "O"]


def _plain(words: list[str]) -> re.Pattern[str]:
    longest_first = sorted(words, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, longest_first)) + r")(?!\w)")


@pytest.mark.parametrize(
    "text",
    [
        "Varnian troops left Varnia for Velora.",
        "The Varniansk plant, Varnias and Varni stay out; Varn, Vel and O stay in.",
        "Oskar Bay and Oskar Bayview; Osk's envoy met the Varnians.",
        "VarniaVelora Velor Osk-Vel",
    ],
)
def test_the_prefix_pattern_finds_the_same_names_as_the_plain_alternation(text: str) -> None:
    trie = re.compile(r"(?<!\w)(?:" + _trie(WORDS) + r")(?!\w)")
    expected = [m.span() for m in _plain(WORDS).finditer(text)]
    assert expected  # the texts name some of the words
    assert [m.span() for m in trie.finditer(text)] == expected


def test_the_state_pattern_prefers_the_longest_form_of_a_state() -> None:
    pattern = load_cues().actors.state_pattern
    found = [m.group() for m in pattern.finditer("Nigerian and Niger officials met in Nigeria.")]
    assert found == ["Nigerian", "Niger", "Nigeria"]
