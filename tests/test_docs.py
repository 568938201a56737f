"""The documentation names no place on the machine it was written on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ["README.md", "CHANGELOG.md", ".env.example", "tests/gold/GUIDELINES.md"]
# An absolute path that leads into this repository ("/somewhere/checkout/tests/...") or into
# a home directory: either says where one machine keeps things.
_TOP = "|".join(p.name for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith("."))
_MACHINE_PATH = re.compile(
    rf"(?<![\w:/.~])/[\w.-]+(?:/[\w.-]+)*/(?:{_TOP})/|(?<![\w:/.])/(?:home|root|Users)/"
)


@pytest.mark.parametrize("name", DOCS)
def test_docs_quote_no_absolute_path_of_a_machine(name: str) -> None:
    text = (ROOT / name).read_text("utf-8")

    assert _MACHINE_PATH.findall(text) == []


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("article /srv/ci/checkout/tests/fixtures/articles/bench.txt: 746 words", True),
        ("key file at /home/anna/.keys", True),
        ("article tests/fixtures/articles/bench.txt: 746 words", False),
        ("`GET /docs/redoc/` and http://127.0.0.1:8000/v1/summaries", False),
    ],
)
def test_the_check_tells_machine_paths_from_repository_ones(line: str, found: bool) -> None:
    assert bool(_MACHINE_PATH.search(line)) is found
