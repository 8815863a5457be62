"""The one place where errors from the gateway's collaborators become HTTP answers.

Each answer is ``{"detail": "<a sentence a person can read>"}``; the webchat page shows it as is.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
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


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers; Starlette picks the most specific class along the MRO."""
    app.add_exception_handler(RasaUnavailable, _rasa_unavailable)
    app.add_exception_handler(RasaError, _rasa_error)
