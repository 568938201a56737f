"""The `readout` command: summarise a file, evaluate against a gold set, or serve."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # Imported for types only: `worker` and `batch` patch the standard library with gevent
    # before anything imports ssl or sockets.
    from flask.testing import FlaskClient

DEFAULT_GOLD = Path("tests/gold")


def _client(engine: str | None) -> FlaskClient:
    from service import create_app
    from service.config import EngineChoice, Settings

    # In process, one article at a time: nothing to share, and eval must measure the engine.
    settings = Settings(cache=False)
    if engine is not None:
        settings = settings.model_copy(update={"engine": EngineChoice(engine)})
    return create_app(settings).test_client()


def _summarise(client: FlaskClient, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = client.post("/v1/summaries", json=body)
    answer: dict[str, Any] = response.get_json()
    return response.status_code, answer


def cmd_summarise(args: argparse.Namespace) -> int:
    """Print the JSON answer for one article file."""
    text = Path(args.file).read_text(encoding="utf-8")
    body = {"text": text, "published_at": args.published_at, "title": args.title}
    status, answer = _summarise(_client(args.engine), body)
    stream = sys.stdout if status == 200 else sys.stderr
    print(json.dumps(answer, ensure_ascii=False, indent=2), file=stream)
    return 0 if status == 200 else 1


def cmd_eval(args: argparse.Namespace) -> int:
    """Score an engine against the gold set and print the table."""
    from service.evaluation import aggregate, load_gold, score_article

    articles = load_gold(Path(args.gold)) if Path(args.gold).is_dir() else []
    if not articles:
        print(f"readout eval: no gold articles in {args.gold}", file=sys.stderr)
        return 2
    client = _client(args.engine)
    scores = []
    for gold in articles:
        body = {"text": gold.text, "published_at": gold.published_at, "title": gold.title}
        status, answer = _summarise(client, body)
        if status != 200:
            print(f"{gold.name}: answered {status}: {answer.get('title')}", file=sys.stderr)
            answer = {"actors": [], "calls": [], "claims": []}
        scores.append(score_article(gold, answer))
    report = aggregate(scores)
    print(json.dumps(report.as_dict(), indent=2) if args.json else report.table())
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the service under gunicorn with its packaged configuration."""
    from gunicorn.app.wsgiapp import run

    if args.bind:
        os.environ["READOUT_BIND"] = args.bind
    sys.argv = ["gunicorn", "-c", "python:service.http.gunicorn_conf", "service:create_app()"]
    run()
    return 0


def _patch_with_gevent() -> None:
    """Make sockets, DNS and locks cooperative before anything imports them (as gunicorn does)."""
    from gevent import monkey

    monkey.patch_all()


def cmd_worker(args: argparse.Namespace) -> int:
    """Run RQ workers on the jobs' Redis until SIGTERM or SIGINT."""
    _patch_with_gevent()
    from service.config import Settings
    from service.jobs import worker
    from service.logs import configure_logging

    settings = Settings()
    configure_logging(os.environ.get("READOUT_LOG_LEVEL", "").strip() or "INFO")
    if not settings.redis_url:
        print("readout worker: set READOUT_REDIS_URL to the jobs' Redis", file=sys.stderr)
        return 2
    code = worker.run(settings, args.concurrency, burst=args.burst)
    # Every RQ worker has deregistered; skip freeing the engines' tables one object at a time
    # (seconds on a loaded machine), which would only delay the service's shutdown.
    logging.shutdown()
    os._exit(code)


def cmd_batch(args: argparse.Namespace) -> int:
    """Summarise every line of a JSONL file into another, resumably, with no server."""
    _patch_with_gevent()
    from service.config import EngineChoice, Settings
    from service.jobs.batch import Batch
    from service.pipeline.build import build_engines, build_summariser

    source, out = Path(args.input), Path(args.output)
    if not source.is_file():
        print(f"readout batch: no such file: {source}", file=sys.stderr)
        return 2
    settings = Settings() if args.engine is None else Settings(engine=EngineChoice(args.engine))
    engines, _checks = build_engines(settings)
    concurrency = args.concurrency or settings.worker_concurrency
    batch = Batch(build_summariser(settings, engines), settings.max_chars, concurrency)
    totals = batch.run(source, out, progress=not args.quiet)
    print(f"readout batch: {totals.line()}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `readout` command."""
    parser = argparse.ArgumentParser(prog="readout", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    engines = ["llm", "rules"]

    summarise = commands.add_parser("summarise", help="summarise an article file")
    summarise.add_argument("file")
    summarise.add_argument("--published-at", help="YYYY-MM-DD; resolves relative dates")
    summarise.add_argument("--title")
    summarise.add_argument("--engine", choices=engines)
    summarise.set_defaults(handler=cmd_summarise)

    evaluate = commands.add_parser("eval", help="score an engine on the gold set")
    evaluate.add_argument("--engine", choices=engines, default="rules")
    evaluate.add_argument("--gold", default=str(DEFAULT_GOLD))
    evaluate.add_argument("--json", action="store_true", help="print the figures as JSON")
    evaluate.set_defaults(handler=cmd_eval)

    serve = commands.add_parser("serve", help="serve the HTTP API under gunicorn")
    serve.add_argument("--bind", help="host:port (default from READOUT_BIND, else 0.0.0.0:8000)")
    serve.set_defaults(handler=cmd_serve)

    work = commands.add_parser("worker", help="run job workers (RQ) on READOUT_REDIS_URL")
    work.add_argument(
        "--concurrency",
        type=int,
        help="articles in flight at once (default READOUT_WORKER_CONCURRENCY, else 16)",
    )
    work.add_argument("--burst", action="store_true", help="stop once the queue is empty")
    work.set_defaults(handler=cmd_worker)

    batch = commands.add_parser("batch", help="summarise a JSONL file of articles, no server")
    batch.add_argument("input", help="one request object of POST /v1/summaries a line")
    batch.add_argument("-o", "--output", required=True, help="JSONL results; resumed if present")
    batch.add_argument("--engine", choices=engines)
    batch.add_argument(
        "--concurrency",
        type=int,
        help="articles in flight at once (default READOUT_WORKER_CONCURRENCY, else 16)",
    )
    batch.add_argument("--quiet", action="store_true", help="no progress bar")
    batch.set_defaults(handler=cmd_batch)

    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
