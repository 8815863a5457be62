"""The gateway as a process runs it: logging set up from the settings, then the app.

``python -m api.main --host H --port P`` serves it under uvicorn with websocket frames held to
``GATEWAY_MAX_BODY_BYTES`` (uvicorn would otherwise read frames of up to 16 MiB whole before
the gateway could refuse them); ``uvicorn api.main:app --factory`` still works, without that
limit. Tests build the app with ``api.app.create_app`` instead, leaving logging to pytest.
"""

from __future__ import annotations

import argparse
import sys

import uvicorn
from fastapi import FastAPI

from api.app import create_app
from api.observability import configure_logging
from api.settings import GatewaySettings, get_settings


def app() -> FastAPI:
    """Configure logging, then build the gateway."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format, settings.log_redact_pii)
    return create_app(settings)


def server_config(settings: GatewaySettings, host: str, port: int) -> uvicorn.Config:
    """How uvicorn serves the gateway: no access log, websocket frames within the body limit."""
    return uvicorn.Config(
        "api.main:app",
        factory=True,
        host=host,
        port=port,
        access_log=False,
        ws_max_size=settings.gateway_max_body_bytes,
    )


def main(argv: list[str] | None = None) -> int:
    """Serve the gateway on ``--host`` and ``--port`` until stopped."""
    parser = argparse.ArgumentParser(prog="python -m api.main", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    uvicorn.Server(server_config(get_settings(), args.host, args.port)).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
