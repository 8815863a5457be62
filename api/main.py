"""The gateway as a process runs it: logging set up from the settings, then the app.

``uvicorn api.main:app --factory``; tests build the app with ``api.app.create_app`` instead,
leaving logging to pytest.
"""

from __future__ import annotations

from fastapi import FastAPI

from api.app import create_app
from api.observability import configure_logging
from api.settings import get_settings


def app() -> FastAPI:
    """Configure logging, then build the gateway."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format, settings.log_redact_pii)
    return create_app(settings)
