"""Benchmark the rules engine: articles per second on one core and peak memory of a worker.

Usage: .venv/bin/python scripts/bench_rules.py [--n 50] [--article PATH]
"""

from __future__ import annotations

import os

# One core: keep numpy/BLAS from spreading over threads (set before spaCy imports numpy).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from schemas.contract import SummaryRequest  # noqa: E402
from service.engines.rules import RulesEngine  # noqa: E402
from service.engines.rules.dateline import after_dateline  # noqa: E402
from service.pipeline.grounding import ground  # noqa: E402
from service.pipeline.segment import Segmenter  # noqa: E402
from service.pipeline.summariser import Summariser  # noqa: E402

DEFAULT_ARTICLE = Path(__file__).resolve().parent.parent / "tests/fixtures/articles/bench-700.txt"


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=50, help="articles per measurement")
    parser.add_argument("--article", type=Path, default=DEFAULT_ARTICLE)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    text = args.article.read_text(encoding="utf-8")
    request = SummaryRequest(text=text, published_at="2026-09-14")
    before = peak_rss_mib()
    started = time.perf_counter()
    engine = RulesEngine.load()
    segmenter = Segmenter()
    load_s = time.perf_counter() - started
    loaded = peak_rss_mib()

    summariser = Summariser(
        segmenter=segmenter,
        engines={"rules": engine},
        default_engine="rules",
        timeout_s=30,
        allowed=frozenset({"rules"}),
    )
    summariser.summarise(request)  # warm-up: the language detector and the state table load

    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.n):
        summariser.summarise(request)
    sequential = args.n / (time.perf_counter() - started)
    per_cpu_second = args.n / (time.process_time() - cpu)

    # spaCy's pipes alone, on the sentences the engine hands them: the rest is the rules and
    # the pipeline's checks.
    article = segmenter.segment(text, request.published_date())
    firsts = [after_dateline(article.text, start, end) for start, end in article.sentences]
    parsed = [article.text[s:e] for s, (_, e) in zip(firsts, article.sentences, strict=True)]
    cpu = time.process_time()
    for _ in range(args.n):
        list(engine.nlp.pipe(parsed, batch_size=256))
    spacy_ms = (time.process_time() - cpu) / args.n * 1000

    started = time.perf_counter()
    articles = [segmenter.segment(text, request.published_date()) for _ in range(args.n)]
    for article, result in zip(
        articles, engine.extract_many([(a, request) for a in articles]), strict=True
    ):
        ground(result.draft, article)
    batched = args.n / (time.perf_counter() - started)

    words, sentences = len(text.split()), len(articles[-1].sentences)
    print(f"article: {args.article.name}, {words} words, {sentences} sentences")
    print(f"model: {engine.model}, pipes: {', '.join(engine.pipe_names)}")
    print(f"load: {load_s:.2f} s; peak RSS {before:.0f} MiB before load, {loaded:.0f} MiB after")
    print(
        "sequential (one request's whole path: language check, extract, item checks, ground, "
        f"normalise; one article at a time): {sequential:.1f} articles/s "
        f"({per_cpu_second:.1f} per CPU second)"
    )
    print(
        f"CPU per article: {1000 / per_cpu_second:.1f} ms on the whole path, of which spaCy's "
        f"pipes {spacy_ms:.1f} ms"
    )
    print(f"batched (extract_many, nlp.pipe over {args.n} articles): {batched:.1f} articles/s")
    print(f"peak RSS of the worker after the runs: {peak_rss_mib():.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
