"""Benchmark jobs: N articles through `POST /v1/jobs`, two `readout worker`s, a 1 s upstream.

    .venv/bin/python scripts/bench_jobs.py                     # 500 articles, three phases
    .venv/bin/python scripts/bench_jobs.py --articles 100 --phases healthy

Each phase starts a fresh Redis, fake upstream (a subprocess answering every completion after
`--latency` s), the API under its gunicorn config and two worker processes with
`--concurrency` articles in flight each, waits until all their RQ workers are registered, then
submits one job and polls it. Reports throughput against the ideal (2 x concurrency /
latency), time to the first and the last result, and articles lost (indexes with no result).
Phases: `healthy`; `failures` (a share of upstream calls answer 500: every article must end 200
or a documented problem); `kill` (one worker is SIGKILLed once half the articles are done: the
other finishes, including the articles the dead one held, once RQ finds them abandoned).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rq import Worker  # noqa: E402

from service.store.redis import connect  # noqa: E402
from tests.jobsupport import WorkerProcess  # noqa: E402
from tests.liveserver import LiveService, free_port  # noqa: E402
from tests.redisserver import RedisServer  # noqa: E402

DOCUMENTED = {200, 502, 503, 504}
ARTICLE = ROOT / "tests" / "fixtures" / "articles" / "bench-700.txt"


@dataclass
class Outcome:
    """What one phase saw."""

    submitted: float = 0.0
    first: float | None = None
    last: float | None = None
    killed_at: float | None = None
    statuses: Counter[int] = field(default_factory=Counter)
    lost: int = 0
    upstream_calls: int = 0


class Fake:
    """The fake upstream as a subprocess."""

    def __init__(self, latency: float, fail_rate: float, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        command = [
            sys.executable, "-m", "tests.fakeupstream", "--port", str(self.port),
            "--latency", str(latency), "--fail-rate", str(fail_rate), "--seed", "1",
        ]  # fmt: skip
        with log.open("ab") as out:
            self.process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=out)
        for _ in range(100):
            try:
                httpx.get(f"{self.url}/models", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the fake upstream did not start")

    def stop(self) -> None:
        """Terminate it."""
        self.process.terminate()
        self.process.wait(10)


def environment(fake: Fake, redis_url: str, timeout_s: float) -> dict[str, str]:
    """What the API and the workers both read."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "READOUT_"))}
    return env | {
        "OPENAI_BASE_URL": fake.url,
        "OPENAI_API_KEY": "bench",
        "READOUT_MODEL": "bench-model",
        "READOUT_ENGINE": "llm",
        "READOUT_REDIS_URL": redis_url,
        "READOUT_TIMEOUT_S": str(timeout_s),
        "READOUT_LOG_LEVEL": "WARNING",
    }


def wait_registered(redis_url: str, count: int, timeout: float = 60.0) -> None:
    """Until `count` RQ workers are registered (both processes up, engines loaded)."""
    client = connect(redis_url)
    try:
        deadline = time.monotonic() + timeout
        while Worker.count(connection=client) < count:
            if time.monotonic() > deadline:
                raise RuntimeError("the workers did not register")
            time.sleep(0.1)
    finally:
        client.close()


def run_job(api: str, n: int, workers: list[WorkerProcess], kill: bool, wait: float) -> Outcome:
    """Submit one job of `n` articles and poll it until done (or `wait` seconds)."""
    text = ARTICLE.read_text(encoding="utf-8")
    articles = [{"text": text, "id": f"bench-{i}"} for i in range(n)]
    outcome = Outcome()
    with httpx.Client(base_url=api, timeout=60) as http:
        outcome.submitted = time.monotonic()
        created = http.post("/v1/jobs", json={"articles": articles})
        created.raise_for_status()
        location = created.headers["Location"]
        deadline = outcome.submitted + wait
        while time.monotonic() < deadline:
            job = http.get(location, params={"limit": 1}).json()
            now = time.monotonic()
            if job["done"] and outcome.first is None:
                outcome.first = now
            if kill and outcome.killed_at is None and job["done"] >= n // 2:
                workers[0].kill()
                outcome.killed_at = now
            if job["status"] == "done":
                outcome.last = now
                break
            time.sleep(0.05)
        results: list[dict[str, Any]] = []
        for offset in range(0, n, 1000):
            page = http.get(location, params={"offset": offset, "limit": 1000}).json()
            results += page["results"]
    outcome.statuses = Counter(result["status"] for result in results)
    outcome.lost = n - len({result["index"] for result in results})
    return outcome


def phase(name: str, args: argparse.Namespace, fail_rate: float, kill: bool) -> bool:
    """Run one phase and print its report; whether its checks held."""
    work = Path(tempfile.mkdtemp(prefix=f"bench-jobs-{name}-"))
    redis = RedisServer(work / "redis").start()
    fake = Fake(args.latency, fail_rate, work / "fake.log")
    env = environment(fake, redis.url, args.timeout)
    api = LiveService(env, work / "api.log", workers=1).start()
    workers = [WorkerProcess(env, work / f"worker-{i}.log", args.concurrency) for i in range(2)]
    try:
        wait_registered(redis.url, 2 * args.concurrency)
        outcome = run_job(api.url, args.articles, workers, kill, args.max_wait)
    finally:
        for worker in workers:
            worker.stop()
        api.stop()
        fake.stop()
        redis.stop()
    return report(name, args, fail_rate, outcome)


def report(name: str, args: argparse.Namespace, fail_rate: float, o: Outcome) -> bool:
    """Print a phase's figures; whether its checks held."""
    n, slots = args.articles, 2 * args.concurrency
    ideal = slots / args.latency
    print(f"\n== {name}: {n} articles, 2 workers x {args.concurrency} in flight, "
          f"upstream {args.latency:g} s, {fail_rate:.0%} of upstream calls failing")  # fmt: skip
    if o.first is not None:
        print(f"  first result        {o.first - o.submitted:6.2f} s after the POST")
    if o.killed_at is not None:
        print(f"  worker 1 killed     {o.killed_at - o.submitted:6.2f} s (SIGKILL, half done)")
    if o.last is None:
        print(f"  NOT DONE after {args.max_wait:g} s")
        return False
    wall = o.last - o.submitted
    rate = n / wall
    print(f"  last result         {wall:6.2f} s after the POST "
          f"(ideal {-(-n // slots) * args.latency:.2f} s)")  # fmt: skip
    print(f"  throughput          {rate:6.1f} articles/s   ideal {ideal:.1f}   "
          f"ratio {rate / ideal:.3f}")  # fmt: skip
    print(f"  statuses            {dict(sorted(o.statuses.items()))}")
    print(f"  lost                {o.lost}")
    ok = o.lost == 0 and set(o.statuses) <= DOCUMENTED
    if name == "healthy":
        ok = ok and set(o.statuses) == {200}
    print(f"  {'OK' if ok else 'FAILED'}")
    return ok


def main() -> int:
    """Run the phases."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=16, help="per worker process")
    parser.add_argument("--latency", type=float, default=1.0, help="upstream seconds per call")
    parser.add_argument("--fail-rate", type=float, default=0.1)
    parser.add_argument("--timeout", type=float, default=10.0, help="READOUT_TIMEOUT_S")
    parser.add_argument("--max-wait", type=float, default=300.0, help="seconds per job")
    parser.add_argument("--phases", default="healthy,failures,kill")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; load average before: {os.getloadavg()[0]:.2f}")
    plans = {
        "healthy": (0.0, False),
        "failures": (args.fail_rate, False),
        "kill": (0.0, True),
    }
    results = [phase(name, args, *plans[name]) for name in args.phases.split(",")]
    print(f"exit {0 if all(results) else 1}")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
