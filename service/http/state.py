"""Per-app services, built in the factory and kept in `app.extensions["readout"]`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from service.config import Fallback, Settings
from service.http.readiness import ReadinessProbe
from service.pipeline.build import ReadinessCheck
from service.pipeline.summariser import Summariser

__all__ = ["ReadinessCheck", "ReadoutState"]


@dataclass(slots=True)
class ReadoutState:
    """The settings, the summariser and the background readiness probes."""

    settings: Settings
    summariser: Summariser
    checks: dict[str, ReadinessCheck] = field(default_factory=dict)
    probes: dict[str, ReadinessProbe] = field(init=False)

    def __post_init__(self) -> None:
        interval = self.settings.ready_probe_s
        self.probes = {name: ReadinessProbe(check, interval) for name, check in self.checks.items()}

    def start_probes(self) -> None:
        """Start probing in the background (gunicorn calls this as each worker boots)."""
        for probe in self.probes.values():
            probe.start()

    def readiness(self) -> tuple[str, dict[str, dict[str, Any]]]:
        """`ready`, `degraded` (the upstream fails, the rules fallback answers) or `not_ready`,
        with each check; from the probes' last results, never calling the upstream."""
        engines = self.summariser.engines
        default = self.summariser.default_engine
        results: dict[str, dict[str, Any]] = {
            "config": {"ok": True},
            "engines": {"ok": default in engines, "loaded": sorted(engines)},
        }
        for name, probe in self.probes.items():
            results[name] = probe.report()
        core = results["config"]["ok"] and results["engines"]["ok"]
        upstream = all(results[name]["ok"] for name in self.probes)
        if core and upstream:
            return "ready", results
        fallback = self.settings.fallback is Fallback.rules and "rules" in engines
        if core and fallback:
            results["fallback"] = {"ok": True, "engine": "rules", "answers_for": default}
            return "degraded", results
        return "not_ready", results
