"""`readout batch`: a JSONL file of articles through the pipeline, with no server, resumable.

Line N of the input (from 0) is one request object of `POST /v1/summaries`; the output gets
one line `{"index": N, "id", "status", "body"}` per article, in the order they finish, flushed
as each is written. Indexes already in the output are skipped, so a run that was stopped (or
died: a last line cut short is dropped) resumes where it was. Blank input lines are not
articles and get no output line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gevent.pool
from pydantic import ValidationError
from tqdm import tqdm

from schemas.contract import SummaryRequest, Usage
from service.errors import InvalidRequest
from service.jobs.outcome import Outcome, answer, problem_body
from service.pipeline.summariser import Summariser


@dataclass(slots=True)
class Totals:
    """What the output file holds: articles, failures, tokens; and what this run added."""

    articles: int = 0
    failures: int = 0
    usage: Usage = field(default_factory=Usage)
    this_run: int = 0

    def add(self, result: dict[str, Any]) -> None:
        """Count one output line."""
        self.articles += 1
        body = result.get("body") or {}
        if result.get("status") != 200:
            self.failures += 1
            used = body.get("usage") or {}
        else:
            used = (body.get("meta") or {}).get("usage") or {}
        self.usage.add(int(used.get("prompt_tokens", 0)), int(used.get("completion_tokens", 0)))

    def line(self) -> str:
        """The closing line."""
        return (
            f"{self.articles} articles ({self.this_run} this run), {self.failures} failures, "
            f"tokens: {self.usage.prompt_tokens} prompt + {self.usage.completion_tokens} "
            f"completion = {self.usage.total_tokens}"
        )


def resume(out: Path, totals: Totals) -> set[int]:
    """Indexes already written to `out` (counted into `totals`); drops a last line cut short."""
    if not out.exists():
        return set()
    done: set[int] = set()
    with out.open("rb+") as sink:
        kept = 0
        for raw in sink:
            try:
                result = json.loads(raw)
                index = int(result["index"])
            except (ValueError, KeyError, TypeError):
                break  # a line cut short by a crash, or not ours: everything from here is redone
            if not raw.endswith(b"\n"):
                break
            if index not in done:
                done.add(index)
                totals.add(result)
            kept += len(raw)
        sink.truncate(kept)
    return done


def _articles(source: Path, done: set[int]) -> Iterator[tuple[int, str]]:
    with source.open(encoding="utf-8") as lines:
        for index, line in enumerate(lines):
            if index not in done and line.strip():
                yield index, line


def count_articles(source: Path) -> int:
    """Non-blank lines of `source`."""
    with source.open(encoding="utf-8") as lines:
        return sum(1 for line in lines if line.strip())


@dataclass(slots=True)
class Batch:
    """Runs one input file's articles, `concurrency` at a time."""

    summariser: Summariser
    max_chars: int
    concurrency: int

    def one(self, index: int, line: str) -> dict[str, Any]:
        """The output line of input line `index`."""
        instance = f"#line-{index}"
        try:
            body = json.loads(line)
            request = SummaryRequest.model_validate(body)
        except ValueError as error:  # ValidationError is a ValueError
            return _refused(index, error, instance)
        outcome = answer(self.summariser, request, instance, self.max_chars)
        return outcome.result(index, request.id)

    def run(self, source: Path, out: Path, *, progress: bool = True) -> Totals:
        """Write every article of `source` not yet in `out`; the totals of `out`."""
        totals = Totals()
        done = resume(out, totals)
        pool = gevent.pool.Pool(self.concurrency)
        bar = tqdm(
            total=count_articles(source),
            initial=len(done),
            unit="article",
            disable=not progress,
            dynamic_ncols=True,
        )
        with out.open("a", encoding="utf-8") as sink, bar:
            for result in pool.imap_unordered(
                lambda item: self.one(*item), _articles(source, done)
            ):
                sink.write(json.dumps(result, ensure_ascii=False) + "\n")
                sink.flush()
                totals.add(result)
                totals.this_run += 1
                bar.update(1)
                bar.set_postfix(failures=totals.failures, tokens=totals.usage.total_tokens)
            os.fsync(sink.fileno())
        return totals


def _refused(index: int, error: ValueError, instance: str) -> dict[str, Any]:
    if isinstance(error, ValidationError):
        problem = InvalidRequest(422, "invalid-request", "Invalid request fields", _first(error))
        return Outcome(422, problem_body(problem, instance), Usage()).result(index, None)
    malformed = InvalidRequest(400, "malformed-json", "Malformed JSON", "The line is not JSON.")
    return Outcome(400, problem_body(malformed, instance), Usage()).result(index, None)


def _first(error: ValidationError) -> str:
    item = error.errors(include_url=False, include_input=False)[0]
    where = ".".join(map(str, item["loc"])) or "body"
    return f"{where}: {item['msg']}"
