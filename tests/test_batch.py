"""`readout batch`: one result line per article, resumable, progress and totals, no server."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import respx
from flask import Flask

from service.jobs.batch import Batch
from tests.conftest import answer, article, completion
from tests.fakeupstream import FakeUpstream
from tests.jobsupport import READOUT, wait_for
from tests.liveserver import ROOT


def batch(app: Flask, concurrency: int = 2) -> Batch:
    readout = app.extensions["readout"]
    return Batch(readout.summariser, readout.settings.max_chars, concurrency)


def write_lines(path: Path, lines: list[Any]) -> Path:
    path.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines),
        encoding="utf-8",
    )
    return path


def results(path: Path) -> dict[int, dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        result = json.loads(line)
        assert result["index"] not in found, "an article was written twice"
        found[result["index"]] = result
    return found


def fjord(**extra: Any) -> dict[str, Any]:
    return {"text": article("fjord-patrols"), "published_at": "2026-03-15", **extra}


def test_each_article_gets_one_line_with_its_index_and_status(
    app: Flask, llm: respx.MockRouter, tmp_path: Path
) -> None:
    llm.post("/chat/completions").mock(return_value=completion(answer("fjord-patrols")))
    source = write_lines(
        tmp_path / "in.jsonl", [fjord(id="a"), "{not json", "", fjord(colour="red"), fjord()]
    )
    out = tmp_path / "out.jsonl"
    totals = batch(app).run(source, out, progress=False)
    found = results(out)
    assert sorted(found) == [0, 1, 3, 4]  # the blank line is not an article
    assert {i: r["status"] for i, r in found.items()} == {0: 200, 1: 400, 3: 422, 4: 200}
    assert found[0]["id"] == "a" and found[0]["body"]["calls"]
    assert found[3]["body"]["type"] == "urn:readout:problem:invalid-request"
    assert (totals.articles, totals.failures, totals.this_run) == (4, 2, 4)
    assert totals.usage.total_tokens == 2 * 150


def test_a_second_run_skips_the_articles_already_written(
    app: Flask, llm: respx.MockRouter, tmp_path: Path
) -> None:
    route = llm.post("/chat/completions").mock(return_value=completion(answer("fjord-patrols")))
    source = write_lines(tmp_path / "in.jsonl", [fjord(id=f"a{i}") for i in range(4)])
    earlier = {"index": 2, "id": "a2", "status": 200, "body": {"meta": {"usage": {}}}}
    out = write_lines(tmp_path / "out.jsonl", [earlier])
    totals = batch(app).run(source, out, progress=False)
    assert route.call_count == 3
    assert results(out)[2] == earlier
    assert sorted(results(out)) == [0, 1, 2, 3]
    assert (totals.articles, totals.this_run) == (4, 3)
    assert batch(app).run(source, out, progress=False).this_run == 0
    assert route.call_count == 3


def test_a_last_line_cut_short_by_a_crash_is_redone(
    app: Flask, llm: respx.MockRouter, tmp_path: Path
) -> None:
    llm.post("/chat/completions").mock(return_value=completion(answer("fjord-patrols")))
    source = write_lines(tmp_path / "in.jsonl", [fjord(id="a0"), fjord(id="a1")])
    out = tmp_path / "out.jsonl"
    whole = json.dumps({"index": 0, "id": "a0", "status": 200, "body": {}})
    out.write_text(whole + "\n" + '{"index": 1, "id": "a1", "sta', encoding="utf-8")
    assert batch(app).run(source, out, progress=False).this_run == 1
    found = results(out)
    assert sorted(found) == [0, 1] and found[1]["status"] == 200


def test_the_command_runs_articles_concurrently_with_a_progress_bar_and_totals(
    tmp_path: Path,
) -> None:
    texts = [
        f"Minister Ilse Varn of Ostmark met envoys on day {i}. Ostmark said so." for i in range(4)
    ]
    source = write_lines(tmp_path / "in.jsonl", [{"text": text} for text in texts])
    out = tmp_path / "out.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "READOUT_"))}
    with FakeUpstream("valid", latency=4.0) as fake:
        env |= {"OPENAI_BASE_URL": fake.url, "OPENAI_API_KEY": "sk-test", "READOUT_MODEL": "m"}
        argv = [str(READOUT), "batch", str(source), "-o", str(out), "--concurrency", "4"]
        process = subprocess.Popen(
            [*argv, "--engine", "llm"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True
        )
        try:
            wait_for(lambda: fake.calls >= 1, 60, "the first article")
            # One at a time, the second call would come 4 s after the first.
            wait_for(lambda: fake.calls == 4, 3.0, "four articles in flight")
            _stdout, stderr = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert process.returncode == 0, stderr
    assert "4/4" in stderr and "100%" in stderr  # tqdm's bar
    assert "readout batch: 4 articles (4 this run), 0 failures, tokens:" in stderr
    assert {r["status"] for r in results(out).values()} == {200}


def test_the_command_needs_an_input_file(tmp_path: Path) -> None:
    missing = subprocess.run(
        [str(READOUT), "batch", str(tmp_path / "none.jsonl"), "-o", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 2 and "no such file" in missing.stderr
