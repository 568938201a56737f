"""Where CPU-bound work runs: a worker thread beside the event loop, within a time budget.

A gevent worker answers all its requests from one event loop; work that holds the CPU for
seconds (segmenting and the rules engine on a long article) would stop every other request of
the worker, `/healthz` included. `CpuLane` runs such work in native threads (gevent's thread
pool under gunicorn, a plain executor elsewhere), so the loop keeps serving: the interpreter
hands its lock between threads every few milliseconds. Two queues of one thread each: articles
over `LONG_ARTICLE` characters wait for each other in one, so they cannot hold up ordinary
articles, which go through the other. Within a queue jobs wait rather than share a core.

Each job has a deadline, queue wait included. When it passes, the caller gets `BudgetExceeded`
at once and the job is interrupted at its next Python instruction (an asynchronous exception),
so the thread is free for the next job instead of finishing work nobody waits for.
"""

from __future__ import annotations

import concurrent.futures
import ctypes
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import gevent
import gevent.monkey
import gevent.threadpool

from service.errors import BudgetExceeded

T = TypeVar("T")
# Articles longer than this (about a second of the rules engine) queue apart from the others.
LONG_ARTICLE = 20_000
# Reading and segmenting an article this short costs about a millisecond of prose, and at
# worst (a run of punctuation, which the bounded tokenizer cuts linearly) some ten: less than
# handing it to the lane's thread costs a gevent worker with many requests in flight (the
# thread and the event loop trade the interpreter lock), so it runs on the event loop.
SMALL_ARTICLE = 10_000


class _Interrupted(BaseException):
    """Raised inside a job whose budget ran out (a BaseException: nothing swallows it)."""


def _original(module: str, name: str, fallback: Any) -> Any:
    """The unpatched primitive when gevent has patched the thread module, else `fallback`."""
    if gevent.monkey.is_module_patched("threading"):
        return gevent.monkey.get_original(module, name)
    return fallback


def _async_raise(ident: int, error: type[BaseException] | None) -> None:
    """Raise `error` in thread `ident` at its next instruction (None clears a pending one)."""
    target = ctypes.py_object(error) if error is not None else None
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), target)


class _Job:
    """One call, run in the lane's thread, that the waiting side can interrupt."""

    def __init__(self, fn: Callable[[], Any], deadline: float, lock: Any) -> None:
        self._fn = fn
        self._deadline = deadline
        self._lock = lock
        self._ident: int | None = None
        self._finished = False
        self._get_ident: Callable[[], int] = _original("_thread", "get_ident", threading.get_ident)

    def __call__(self) -> tuple[bool, Any]:
        try:
            try:
                with self._lock:
                    if self._finished or time.monotonic() >= self._deadline:
                        return False, None
                    self._ident = self._get_ident()
                return True, self._fn()
            finally:
                with self._lock:
                    self._finished = True
                    if self._ident is not None:
                        _async_raise(self._ident, None)
        except _Interrupted:
            return False, None

    def interrupt(self) -> None:
        """Stop the job at its next Python instruction, if it is still running."""
        with self._lock:
            self._finished, running = True, not self._finished
            if running and self._ident is not None:
                _async_raise(self._ident, _Interrupted)


class CpuLane:
    """Runs CPU-bound calls one at a time in a thread beside the event loop, each in a budget."""

    def __init__(self, budget_s: float, what: str = "Processing the article") -> None:
        self.budget_s = budget_s
        self._what = what
        self._gevent = gevent.monkey.is_module_patched("threading")
        self._pools: dict[bool, gevent.threadpool.ThreadPool] = {}
        self._executors: dict[bool, concurrent.futures.ThreadPoolExecutor] = {}
        self._lock_type: Callable[[], Any] = _original("_thread", "allocate_lock", threading.Lock)

    def deadline(self) -> float:
        """The monotonic time by which a request starting now must be done with the lane."""
        return time.monotonic() + self.budget_s

    def run(self, fn: Callable[[], T], deadline: float, *, chars: int) -> T:
        """`fn()` for an article of `chars` characters, computed in the lane; `BudgetExceeded` if
        not done by `deadline`."""
        job = _Job(fn, deadline, self._lock_type())
        try:
            done, value = self._wait(job, deadline - time.monotonic(), chars > LONG_ARTICLE)
        except (gevent.Timeout, concurrent.futures.TimeoutError):
            job.interrupt()
            raise BudgetExceeded(self._what, self.budget_s) from None
        if not done:
            raise BudgetExceeded(self._what, self.budget_s)
        result: T = value
        return result

    def _wait(self, job: _Job, seconds: float, long: bool) -> tuple[bool, Any]:
        if self._gevent:
            if long not in self._pools:
                self._pools[long] = gevent.threadpool.ThreadPool(1)
            with gevent.Timeout(max(seconds, 0.0)):
                outcome: tuple[bool, Any] = self._pools[long].spawn(job).get()
                return outcome
        if long not in self._executors:
            self._executors[long] = concurrent.futures.ThreadPoolExecutor(1, "readout-cpu")
        return self._executors[long].submit(job).result(timeout=max(seconds, 0.0))
