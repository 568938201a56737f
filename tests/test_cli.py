"""The `readout` command line: summarise a file and evaluate against a gold set."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import httpx
import pytest

from service.cli import main
from tests.conftest import FIXTURES
from tests.liveserver import LiveService


@pytest.fixture(autouse=True)
def _no_llm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


def test_summarise_prints_the_json_answer(capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "articles" / "fjord-patrols.txt"
    assert main(["summarise", str(path), "--published-at", "2026-03-15"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["meta"]["engine"] == "rules"
    text = path.read_text(encoding="utf-8")
    for actor in body["actors"]:
        for span in actor["mentions"]:
            assert text[span["start"] : span["end"]] == span["text"]


def test_summarise_reports_bad_input_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blank = tmp_path / "blank.txt"
    blank.write_text("   \n", encoding="utf-8")
    assert main(["summarise", str(blank)]) == 1
    assert json.loads(capsys.readouterr().err)["status"] == 422


def test_eval_prints_precision_recall_f1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gold = tmp_path / "gold"
    gold.mkdir()
    for source in sorted((Path(__file__).parent / "gold").glob("0[1-2]-*")):
        shutil.copy(source, gold / source.name)
    assert main(["eval", "--engine", "rules", "--gold", str(gold), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["articles"] == 2
    for kind in ("actors", "calls", "claims"):
        assert 0.0 <= report[kind]["f1"] <= 1.0


def test_eval_without_gold_articles_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", "--gold", str(tmp_path / "missing")]) == 2
    assert "no gold articles" in capsys.readouterr().err


def test_serve_answers_with_the_rules_engine_without_an_api_key(tmp_path: Path) -> None:
    readout = Path(sys.executable).with_name("readout")
    service = LiveService({}, tmp_path / "serve.log", argv=[str(readout), "serve"]).start(60)
    try:
        text = (FIXTURES / "articles" / "fjord-patrols.txt").read_text(encoding="utf-8")
        response = httpx.post(f"{service.url}/v1/summaries", json={"text": text}, timeout=30)
        assert response.status_code == 200
        assert response.json()["meta"]["engine"] == "rules"
    finally:
        service.stop()
