"""The OpenAPI document, derived from the pydantic models by spectree, and the docs pages."""

from __future__ import annotations

import copy
from typing import Any

from spectree import SpecTree

from schemas.contract import SCHEMA_VERSION
from service.errors import PROBLEM_JSON


class ReadoutSpec(SpecTree):
    """spectree's document, with error responses declared as `application/problem+json`."""

    def _generate_spec(self) -> dict[str, Any]:
        spec = copy.deepcopy(super()._generate_spec())
        for operations in spec.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    is_error = status.startswith(("4", "5"))
                    if is_error and "Problem" in str(content.get("application/json", "")):
                        content[PROBLEM_JSON] = content.pop("application/json")
        return spec


def build_spec() -> ReadoutSpec:
    """A spec whose routes are documented as they are registered."""
    return ReadoutSpec(
        "flask",
        title="Readout",
        description="Grounded summaries of news articles: actors, calls and claims, each "
        "tied to exact characters of the submitted text.",
        version=SCHEMA_VERSION,
        path="docs",
        mode="strict",
        annotations=False,
    )
