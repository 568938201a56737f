"""The offline rules engine (issue 3): spaCy's parse and entities, cue lists kept as data."""

from service.engines.rules.engine import RulesEngine

__all__ = ["RulesEngine"]
