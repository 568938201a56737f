"""Bounded work per request, measured.

1. In process, one core: segmenting and the rules engine on 100,000 characters of prose and of
   each pathological shape, in ms per 10,000 characters (median of --runs).
2. Under gunicorn (one gevent worker, so every hostile request lands beside the probe's), each
   hostile case while a probe keeps asking for `/healthz` and a normal summary: what the hostile
   requests got, the slowest probe answers and the worker's memory.

    .venv/bin/python scripts/bench_hostile.py [--runs 3] [--skip-service]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from schemas.contract import SummaryRequest  # noqa: E402
from service.engines.rules import RulesEngine  # noqa: E402
from service.pipeline.engine import Deadline  # noqa: E402
from service.pipeline.segment import Segmenter  # noqa: E402
from tests.fakeupstream import FakeUpstream  # noqa: E402
from tests.hostile import (  # noqa: E402
    LONG_PROSE,
    PARENTHESES,
    Probe,
    answers,
    rss_mb,
    slow_bodies,
    trickle,
)
from tests.liveserver import LiveService  # noqa: E402
from tests.test_bounded_input import PATHOLOGICAL  # noqa: E402

SIZE = 100_000


def _median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def per_10k(runs: int) -> None:
    """Segmenting and the rules engine, ms per 10,000 characters, by shape."""
    segmenter, engine = Segmenter(), RulesEngine.load()
    shapes = {"prose (bench-700.txt repeated)": LONG_PROSE, **PATHOLOGICAL}
    print(f"== ms per 10,000 characters, texts of {SIZE:,} characters, median of {runs} runs")
    print(f"  {'shape':38} {'segmenting':>11} {'rules engine':>13} {'sentences':>10}")
    for name, text in shapes.items():
        text = text[:SIZE]
        scale = 10_000 / len(text)
        seg = _median_ms(lambda t=text: segmenter.segment(t), runs) * scale
        article = segmenter.segment(text)
        request = SummaryRequest(text=text)
        rules = _median_ms(lambda a=article, r=request: engine.extract(a, r, Deadline(600)), runs)
        print(f"  {name:38} {seg:11.1f} {rules * scale:13.1f} {len(article.sentences):10}")


def _post(url: str, text: str, engine: str) -> tuple[int, float]:
    started = time.monotonic()
    body = {"text": text, "engine": engine}
    status = httpx.post(f"{url}/v1/summaries", json=body, timeout=120).status_code
    return status, time.monotonic() - started


def _report(name: str, outcome: str, probe: Probe, before: float, after: float) -> None:
    print(f"== {name}")
    print(f"  hostile requests    {outcome}")
    print(f"  probe               {probe.summary()}, failures {len(probe.failures)}")
    print(f"  worker RSS          {before:.0f} MB before, {after:.0f} MB after")


def service_cases() -> None:
    """Each hostile case against one gevent worker, with the probe running."""
    with tempfile.TemporaryDirectory() as tmp, FakeUpstream() as fake:
        env = {
            "OPENAI_BASE_URL": fake.url,
            "READOUT_ENGINE": "auto",
            "READOUT_TIMEOUT_S": "5",
            "READOUT_UPSTREAM_RETRIES": "0",
            "READOUT_BODY_TIMEOUT_S": "5",
        }
        with LiveService(env, Path(tmp) / "gunicorn.log", workers=1) as live:
            worker = live.worker_pids()[0]
            for engine in ("rules", "llm"):
                _post(live.url, "Ministers met in Oslo on Monday.", engine)
            print(
                f"\nservice: 1 gevent worker, READOUT_TIMEOUT_S=5, READOUT_BODY_TIMEOUT_S=5; "
                f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"
            )

            def many(text: str, engine: str, count: int) -> str:
                with ThreadPoolExecutor(count) as pool:
                    got = list(pool.map(lambda _: _post(live.url, text, engine), range(count)))
                statuses = sorted({status for status, _ in got})
                return f"{count} x {statuses}, slowest {max(t for _, t in got):.1f} s"

            cases: list[tuple[str, str, Callable[[], str]]] = [
                (
                    "4 requests of 100,000 '(' (rules engine)",
                    "valid",
                    lambda: many(PARENTHESES, "rules", 4),
                ),
                (
                    "1 request of 100,000 characters of prose (rules engine)",
                    "valid",
                    lambda: many(LONG_PROSE, "rules", 1),
                ),
                (
                    "4 requests to an upstream that drips a byte every 0.05 s",
                    "drip:0.05",
                    lambda: many(LONG_PROSE[:3000], "llm", 4),
                ),
                (
                    "4 requests whose upstream answers 50 MB",
                    "huge:50",
                    lambda: many(LONG_PROSE[:3000], "llm", 4),
                ),
            ]
            for name, scenario, run in cases:
                fake.set_scenario(scenario)
                before = rss_mb(worker)
                with Probe(live.url).running() as probe:
                    outcome = run()
                _report(name, outcome, probe, before, rss_mb(worker))

            before = rss_mb(worker)
            conns = slow_bodies(live.url, 300)
            with Probe(live.url).running() as probe:
                trickle(conns, 6.0)
            statuses = answers(conns, wait=5.0)
            for conn in conns:
                conn.close()
            got = sorted({status.decode() or "(nothing)" for status in statuses})
            _report(
                "300 bodies announcing 1 MB, a byte every 0.5 s",
                f"300 x {got}",
                probe,
                before,
                rss_mb(worker),
            )


def main() -> None:
    """Run both parts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-service", action="store_true")
    args = parser.parse_args()
    per_10k(args.runs)
    if not args.skip_service:
        service_cases()


if __name__ == "__main__":
    main()
