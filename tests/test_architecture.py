"""The package layout's import directions hold (data flows down, never up)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth (function-level imports included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _offenders(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _files(folder)
        for name in sorted(_imports(path))
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    ]


def test_schemas_import_nothing_of_the_service() -> None:
    assert _files("schemas")
    assert _offenders("schemas", ("service",)) == []


@pytest.mark.parametrize("folder", ["service/pipeline", "service/engines"])
def test_pipeline_and_engines_import_neither_flask_nor_the_http_layer(folder: str) -> None:
    assert _files(folder)
    assert _offenders(folder, ("flask", "werkzeug", "service.http")) == []


def test_the_store_imports_only_schemas_of_ours() -> None:
    assert _files("service/store")
    forbidden = ("flask", "werkzeug", "service.http", "service.pipeline", "service.engines")
    assert _offenders("service/store", (*forbidden, "service.jobs")) == []


def test_only_the_llm_engine_imports_openai_or_instructor() -> None:
    offenders = [
        line
        for folder in ("service", "schemas", "prompts")
        for line in _offenders(folder, ("openai", "instructor"))
        if not line.startswith("service/engines/llm")
    ]
    assert offenders == []


def test_the_exception_tree_is_a_leaf() -> None:
    names = _imports(ROOT / "service" / "errors.py")
    assert not {n for n in names if n.startswith(("flask", "werkzeug", "service."))}


def test_the_checker_sees_function_level_imports(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from flask import g\n    import openai.types\n")
    assert {"flask", "flask.g", "openai.types"} <= _imports(module)
