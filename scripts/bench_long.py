"""A long article (about 10,000 words) through the real service under gunicorn, read in chunks,
against a fake upstream that answers each call in 1 s as densely as a real model would.

    .venv/bin/python scripts/bench_long.py [--words 10000] [--runs 3]

Prints, for the default settings and for READOUT_CHUNK_CONCURRENCY at least the number of
chunks: the number of chunks, the wall time of one request (median of the runs), the largest
prompt and completion of any call (counted offline, o200k_base), and how many calls would have
been cut off at READOUT_MAX_OUTPUT_TOKENS. Then the same article in one call (chunking off)
with the 4,096-token output cap, for contrast. The article is generated here, deterministically,
from invented people and places.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.config import Settings  # noqa: E402
from service.engines.llm.tokens import TokenCounter  # noqa: E402
from tests.fakeupstream import FakeUpstream, article_sentences, dense_answer  # noqa: E402
from tests.liveserver import LiveService  # noqa: E402

FIRST = ["Aurel", "Brina", "Casimir", "Delia", "Emeric", "Farida", "Gaspard", "Hedda", "Ilario"]
LAST = ["Moravec", "Quintela", "Sarkany", "Tiberiu", "Vantongeren", "Wexley", "Zorita", "Ostrak"]
PLACES = ["Valdora", "Mirethia", "Kostravia", "Belvane", "Oranto", "Suvelia"]
CITIES = ["Port Ilsen", "Tarvik", "Castellune", "Drosen", "Amberly Cross"]
TOPICS = ["fishing quota", "grain corridor", "pipeline tariff", "border crossing", "water sharing"]
BODIES = ["foreign ministry", "coast guard", "port authority", "customs service", "navy"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def write_article(words: int, seed: int = 7) -> str:
    """A wire-style story of about `words` words about invented states and officials."""
    pick = random.Random(seed)
    lines = [
        "Valdora and Mirethia resume talks on shared waters",
        "",
        "Valdoran Foreign Minister Aurel Moravec spoke by phone with Mirethian Foreign Minister "
        "Brina Quintela on Monday, the first contact in months, the Valdoran foreign ministry "
        "said.",
    ]
    count = sum(len(line.split()) for line in lines)
    while count < words:
        a, b = pick.sample(range(len(LAST)), 2)
        first, last = FIRST[a % len(FIRST)], LAST[a]
        other_first, other = FIRST[b % len(FIRST)], LAST[b]
        place, place2 = pick.sample(PLACES, 2)
        topic, body, city, day = (
            pick.choice(TOPICS),
            pick.choice(BODIES),
            pick.choice(CITIES),
            pick.choice(DAYS),
        )
        paragraph = " ".join(
            [
                f"{place} Trade Envoy {first} {last} spoke by phone with {other_first} {other} "
                f"of {place2} on {day} about the {topic} dispute.",
                f"\u201cWe will not accept new {topic} rules without a vote,\u201d {last} told "
                f"reporters in {city}.",
                f"{place}\u2019s {body} accused {place2} of delaying the {topic} review.",
                f"{other} denied the accusation and said the review would finish this year.",
                f"The {body} in {city} said it had seen no evidence of violations.",
            ]
        )
        lines += ["", paragraph]
        count += len(paragraph.split())
    return "\n".join(lines) + "\n"


def measure(fake: FakeUpstream, settings: Settings) -> tuple[int, int, int]:
    """Largest prompt and completion of the calls the fake saw, and calls over the output cap."""
    counter = TokenCounter(settings.model)
    prompts, completions = [], []
    for body in list(fake.requests):
        text = json.dumps(body.get("tools", [])) + "".join(
            str(m.get("content") or "") for m in body["messages"]
        )
        prompts.append(counter.count(text))
        answer = dense_answer(article_sentences(body["messages"]))
        completions.append(counter.count(json.dumps(answer)))
    over = sum(1 for c in completions if c > settings.max_output_tokens)
    return max(prompts), max(completions), over


def run(text: str, env: dict[str, str], runs: int, log: Path) -> dict[str, Any]:
    """Median wall time and the figures of one configuration."""
    with FakeUpstream("valid", latency=1.0, dense=True) as fake:
        service_env = {
            "OPENAI_BASE_URL": fake.url,
            "OPENAI_API_KEY": "sk-bench",
            "READOUT_ENGINE": "llm",
            "READOUT_TIMEOUT_S": "60",
            "READOUT_MAX_CHARS": "200000",
            **env,
        }
        with LiveService(service_env, log, workers=1) as live:
            body = {"text": text, "published_at": "2026-03-18"}
            httpx.post(
                f"{live.url}/v1/summaries", json={"text": "Warm up. Ana met Bo."}, timeout=90
            )
            walls: list[float] = []
            answer: dict[str, Any] = {}
            response = httpx.Response(500)
            for _ in range(runs):
                fake.set_scenario("valid")
                started = time.monotonic()
                response = httpx.post(f"{live.url}/v1/summaries", json=body, timeout=90)
                walls.append(time.monotonic() - started)
                answer = response.json()
            settings = Settings.model_validate(service_env)
            prompt, completion, over = measure(fake, settings)
            meta = answer.get("meta", {})
            return {
                "status": response.status_code,
                "type": answer.get("type", "—").rsplit(":", 1)[-1],
                "chunks": meta.get("chunks", 1),
                "calls": fake.calls,
                "wall": statistics.median(walls),
                "prompt": prompt,
                "completion": completion,
                "over": over,
                "items": len(answer.get("claims", [])),
            }


def main() -> None:
    """Print the table the README quotes."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    text = write_article(args.words)
    counter = TokenCounter("gpt-4o-mini")
    print(f"article: {len(text.split()):,} words, {counter.count(text):,} tokens")
    defaults = Settings()
    print(
        f"| setting | status | chunks | upstream calls | wall (median of {args.runs}) "
        "| largest prompt | largest completion | calls over the output cap | claims |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        configurations = [
            (f"defaults (chunks of {defaults.chunk_tokens} tokens, "
             f"{defaults.chunk_concurrency} at a time)", {}),
            ("READOUT_CHUNK_CONCURRENCY=32", {"READOUT_CHUNK_CONCURRENCY": "32"}),
            ("one call (READOUT_CHUNK_TOKENS=1000000)",
             {"READOUT_CHUNK_TOKENS": "1000000", "READOUT_MAX_INPUT_TOKENS": "1000000"}),
        ]  # fmt: skip
        for label, env in configurations:
            row = run(text, env, args.runs, Path(tmp) / "gunicorn.log")
            status = f"{row['status']}" + (f" {row['type']}" if row["status"] != 200 else "")
            print(
                f"| {label} | {status} | {row['chunks']} | {row['calls']} "
                f"| {row['wall']:.2f} s | {row['prompt']:,} | {row['completion']:,} "
                f"| {row['over']} | {row['items']} |"
            )


if __name__ == "__main__":
    main()
