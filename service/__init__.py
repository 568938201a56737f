"""Readout: grounded summaries of news articles (actors, calls, claims) over HTTP."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["create_app"]


def create_app(*args: Any, **kwargs: Any) -> Flask:
    """Build the app (see `service.http.app.create_app`), imported lazily to keep imports cheap."""
    from service.http.app import create_app as factory

    return factory(*args, **kwargs)
