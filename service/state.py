"""Per-app services, built in the factory and kept in `app.extensions["readout"]`."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from service.config import Settings
from service.errors import Overloaded
from service.pipeline import Summariser

ReadinessCheck = Callable[[], dict[str, Any]]


@dataclass(slots=True)
class ReadoutState:
    """The settings, the summariser and the worker's cap on concurrent upstream calls."""

    settings: Settings
    summariser: Summariser
    checks: dict[str, ReadinessCheck] = field(default_factory=dict)
    _slots: threading.BoundedSemaphore = field(init=False)

    def __post_init__(self) -> None:
        self._slots = threading.BoundedSemaphore(self.settings.max_concurrent_upstream)

    @contextmanager
    def upstream_slot(self) -> Iterator[None]:
        """Hold one of the worker's upstream slots, or answer 503 at once when none is free."""
        if not self._slots.acquire(blocking=False):
            raise Overloaded(retry_after=1)
        try:
            yield
        finally:
            self._slots.release()

    def readiness(self) -> dict[str, dict[str, Any]]:
        """Run every readiness check."""
        results: dict[str, dict[str, Any]] = {"config": {"ok": True}}
        for name, check in self.checks.items():
            results[name] = check()
        return results
