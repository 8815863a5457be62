"""The one place where errors from the gateway's collaborators become HTTP answers.

Each answer is ``{"detail": "<a sentence a person can read>"}``; the webchat page shows it as is.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from api.rasa import RasaError, RasaUnavailable

logger = logging.getLogger(__name__)

RASA_UNAVAILABLE_DETAIL = (
    "The assistant is not available right now. Please try again in a few minutes."
)
RASA_ERROR_DETAIL = "The assistant could not answer that just now. Please try again."
# A hint to well-behaved clients; Rasa usually comes back within seconds of a restart.
RETRY_AFTER_SECONDS = 10


async def _rasa_unavailable(request: Request, exc: Exception) -> JSONResponse:
    logger.warning("Rasa unavailable for %s %s: %s", request.method, request.url.path, exc)
    return JSONResponse(
        {"detail": RASA_UNAVAILABLE_DETAIL},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _rasa_error(request: Request, exc: Exception) -> JSONResponse:
    logger.error("Unusable answer from Rasa for %s %s: %s", request.method, request.url.path, exc)
    return JSONResponse({"detail": RASA_ERROR_DETAIL}, status_code=502)


class AsciiJSONResponse(JSONResponse):
    """JSON with every non-ASCII character escaped, so any Python string can be sent."""

    def render(self, content: Any) -> bytes:
        """Compact JSON; a lone surrogate a client sent comes back escaped, not as a crash."""
        return json.dumps(content, separators=(",", ":"), allow_nan=False).encode("ascii")


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    # FastAPI's own handler echoes the input, which may hold a lone surrogate ("\ud800")
    # that UTF-8 cannot encode, or an infinity (1e999) that JSON cannot: either made a 500.
    errors = jsonable_encoder(exc.errors() if isinstance(exc, RequestValidationError) else [])
    try:
        return AsciiJSONResponse({"detail": errors}, status_code=422)
    except ValueError:
        plain = [{k: v for k, v in e.items() if k not in ("input", "ctx")} for e in errors]
        return AsciiJSONResponse({"detail": plain}, status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers; Starlette picks the most specific class along the MRO."""
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(RasaUnavailable, _rasa_unavailable)
    app.add_exception_handler(RasaError, _rasa_error)
