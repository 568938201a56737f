"""What decides an answer besides the request: engine, model, prompt and the code's version."""

from __future__ import annotations

import hashlib
from pathlib import Path

from schemas.contract import SCHEMA_VERSION
from service.config import Settings
from service.pipeline.summariser import Summariser

# The folder holding `service/`, `schemas/` and `prompts/`: the repo, or site-packages.
_PACKAGE = Path(__file__).resolve().parents[2]
# The code an answer depends on beyond the request: its hash stands for "the validators' version".
_ANSWER_CODE = ("schemas", "service/pipeline", "service/engines", "service/data", "prompts")


def code_version() -> str:
    """A hash of the source, prompts and data the answers depend on."""
    digest = hashlib.sha256()
    for root in (_PACKAGE / part for part in _ANSWER_CODE):
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in {".py", ".md", ".toml", ".json"}:
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def identity(settings: Settings, summariser: Summariser, engine: str, code: str) -> dict[str, str]:
    """Everything beside the request that decides the answer of `engine`."""
    found = {"engine": engine, "schema_version": SCHEMA_VERSION, "code": code}
    if engine == "llm":
        from service.engines.llm.prompt import PROMPT_NAME, PROMPT_VERSION

        found |= {
            "model": settings.model,
            "mode": settings.mode.value,
            "prompt_version": f"{PROMPT_NAME}/{PROMPT_VERSION}",
            "max_attempts": str(settings.max_attempts),
            "max_output_tokens": str(settings.max_output_tokens),
            "chunk_tokens": str(settings.chunk_tokens),
        }
    else:
        found["model"] = str(getattr(summariser.engines.get(engine), "model", ""))
    return found
