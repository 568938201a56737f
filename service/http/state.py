"""Per-app services, built in the factory and kept in `app.extensions["readout"]`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from service.config import Settings
from service.pipeline.build import ReadinessCheck
from service.pipeline.summariser import Summariser

__all__ = ["ReadinessCheck", "ReadoutState"]


@dataclass(slots=True)
class ReadoutState:
    """The settings, the summariser and the readiness checks."""

    settings: Settings
    summariser: Summariser
    checks: dict[str, ReadinessCheck] = field(default_factory=dict)

    def readiness(self) -> dict[str, dict[str, Any]]:
        """Run every readiness check."""
        results: dict[str, dict[str, Any]] = {"config": {"ok": True}}
        for name, check in self.checks.items():
            results[name] = check()
        return results
