"""JSON logs on stderr: one line per request, never article text, prompts, model output or keys."""

from __future__ import annotations

import logging.config
from typing import Any

# Libraries whose INFO/DEBUG/ERROR lines can carry prompts, model output or upstream error text.
_QUIET = {"instructor": "CRITICAL", "openai": "WARNING", "httpx": "WARNING", "httpcore": "WARNING"}


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """A `logging.config.dictConfig` sending every record to stderr as one JSON object a line."""
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            }
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
            **{name: {"level": quiet} for name, quiet in _QUIET.items()},
        },
    }


def configure_logging(level: str = "INFO") -> None:
    """Log JSON lines on stderr (what gunicorn's config does for the served app)."""
    logging.config.dictConfig(logging_config(level))
