"""The OpenAPI document, derived from the pydantic models by spectree, and the docs pages."""

from __future__ import annotations

import copy
from typing import Any

from spectree import SpecTree

from schemas.contract import SCHEMA_VERSION
from service.errors import PROBLEM_JSON


class ReadoutSpec(SpecTree):
    """spectree's document, with error responses declared as `application/problem+json` and
    the request's `engine` limited to the engines this deployment enables."""

    engines: frozenset[str] = frozenset()

    def _generate_spec(self) -> dict[str, Any]:
        spec = copy.deepcopy(super()._generate_spec())
        for name, schema in spec.get("components", {}).get("schemas", {}).items():
            # The request's own copy of the enum; the answer's `meta.engine` keeps every engine.
            if name.startswith("SummaryRequest.") and name.endswith(".EngineName"):
                schema["enum"] = [e for e in schema.get("enum", []) if e in self.engines]
        for operations in spec.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    is_error = status.startswith(("4", "5"))
                    if is_error and "Problem" in str(content.get("application/json", "")):
                        content[PROBLEM_JSON] = content.pop("application/json")
        return spec


def build_spec(engines: frozenset[str]) -> ReadoutSpec:
    """A spec whose routes are documented as they are registered; `engines` are those enabled."""
    spec = ReadoutSpec(
        "flask",
        title="Readout",
        description="Grounded summaries of news articles: actors, calls and claims, each "
        "tied to exact characters of the submitted text.",
        version=SCHEMA_VERSION,
        path="docs",
        mode="strict",
        annotations=False,
    )
    spec.engines = engines
    return spec
