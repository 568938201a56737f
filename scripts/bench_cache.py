"""Benchmark result-cache hits under the real gunicorn config, against a 1 s fake upstream.

    .venv/bin/python scripts/bench_cache.py                    # 16 clients, 30 s of hits
    .venv/bin/python scripts/bench_cache.py --clients 8 --duration 10 --backend redis

One request fills the cache (a miss: one upstream call, about 1 s); then N closed-loop clients
send the same article with their own ids for the duration, every one a hit. Prints the hits'
latency (client-observed and `meta.latency_ms`), the workers' CPU per request and the upstream
calls made. `--backend redis` uses a Redis the script starts (as a configured
`READOUT_REDIS_URL`); the default is the machine's disk store.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakeupstream import FakeUpstream  # noqa: E402
from tests.liveserver import LiveService  # noqa: E402
from tests.redisserver import RedisServer  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
ARTICLE = ROOT / "tests" / "fixtures" / "articles" / "bench-700.txt"


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _hammer(url: str, body: dict[str, str], clients: int, seconds: float) -> dict[str, list]:
    """Closed-loop clients on keep-alive connections; statuses and latencies of every request."""
    stop = time.monotonic() + seconds
    lock = threading.Lock()
    seen: dict[str, list] = {"status": [], "client_ms": [], "meta_ms": [], "cached": []}

    def client(number: int) -> None:
        with httpx.Client(timeout=30) as http:
            sent = 0
            while time.monotonic() < stop:
                started = time.perf_counter()
                response = http.post(url, json={**body, "id": f"c{number}-{sent}"})
                elapsed = (time.perf_counter() - started) * 1000
                sent += 1
                meta = response.json().get("meta", {}) if response.status_code == 200 else {}
                with lock:
                    seen["status"].append(response.status_code)
                    seen["client_ms"].append(elapsed)
                    seen["meta_ms"].append(meta.get("latency_ms", -1))
                    seen["cached"].append(meta.get("cached"))

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    return seen


def main() -> int:
    """Run the benchmark and print its figures; exit 1 if a hit missed the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--backend", choices=["disk", "redis"], default="disk")
    parser.add_argument("--target-cpu-ms", type=float, default=2.0)
    args = parser.parse_args()

    body = {"text": ARTICLE.read_text("utf-8"), "published_at": "2026-03-16"}
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as scratch:
        work = Path(scratch)
        redis = RedisServer(work / "redis").start() if args.backend == "redis" else None
        try:
            with FakeUpstream("valid", latency=1.0) as fake:
                env = {
                    "OPENAI_BASE_URL": fake.url,
                    "READOUT_ENGINE": "llm",
                    "READOUT_LOG_LEVEL": "WARNING",
                    "READOUT_CACHE": "on",
                    "READOUT_CACHE_DIR": str(work / "store"),
                }
                if redis is not None:
                    env["READOUT_REDIS_URL"] = redis.url
                live = LiveService(env, work / "gunicorn.log", workers=args.workers)
                live.start(timeout=180)  # four workers start slowly on a busy machine
                try:
                    url = f"{live.url}/v1/summaries"
                    miss = httpx.post(url, json=body, timeout=30)
                    assert miss.status_code == 200, miss.text
                    _hammer(url, body, args.clients, 2.0)  # warm every worker's connections
                    workers = live.worker_pids()
                    before = {pid: _cpu_ticks(pid) for pid in workers}
                    seen = _hammer(url, body, args.clients, args.duration)
                    after = {pid: _cpu_ticks(pid) for pid in workers}
                finally:
                    live.stop()
                upstream_calls = fake.calls
        finally:
            if redis is not None:
                redis.stop()

    requests = len(seen["status"])
    cpu_ms = sum(after[p] - before[p] for p in workers) * 1000 / CLOCK_TICKS / requests
    hits = sum(1 for cached in seen["cached"] if cached is True)
    print(f"article {ARTICLE.name}: {len(body['text'])} chars; backend {args.backend}")
    shape = f"{args.clients} clients, {args.duration:.0f} s, {args.workers} workers"
    print(f"{shape}, {os.cpu_count()} CPUs")
    first = miss.json()["meta"]
    print(
        f"  first request (miss)   {first['latency_ms']} ms, cached={first['cached']}, "
        f"{first['attempts']} upstream calls"
    )
    statuses = dict(Counter(seen["status"]))
    print(f"  requests               {requests}   statuses {statuses}   hits {hits}")
    print(f"  throughput             {requests / args.duration:.0f} req/s")
    print(
        f"  hit latency, client    p50 {statistics.median(seen['client_ms']):.1f} ms"
        f"   p99 {_percentile(seen['client_ms'], 0.99):.1f} ms"
    )
    print(
        f"  hit latency, meta      p50 {statistics.median(seen['meta_ms']):.0f} ms"
        f"   p99 {_percentile(seen['meta_ms'], 0.99):.0f} ms"
    )
    print(f"  worker CPU             {cpu_ms:.2f} ms/request (target <= {args.target_cpu_ms} ms)")
    print(f"  upstream calls         {upstream_calls} (the miss made {first['attempts']})")
    ok = hits == requests and upstream_calls == first["attempts"] and cpu_ms <= args.target_cpu_ms
    print("OK" if ok else "NOT OK")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
