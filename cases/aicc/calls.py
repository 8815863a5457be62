"""One AICC case-API call: the token header, one retry on a refused token, errors mapped.

Paths of every case operation are in ``CASE_PATHS``. Only create's is published; the others
are assumed (see ``cases.aicc.backend``). AICC answers errors as ``resCode`` other than
``"0"`` whatever the HTTP status. Its codes are not published either; they are read by their
first three digits, an HTTP-like class (assumed, and what the sandbox answers):

=======  =====================================  ======================
prefix   meaning                                raised
=======  =====================================  ======================
``401``  token missing, unknown or expired      new token, one retry
``400``  a value missing, too long or invalid   ``InvalidCase``
``404``  no such case                           ``CaseNotFound``
``409``  a concurrent change                    ``Conflict``
``429``  too many calls                         ``Throttled``
other    anything else                          ``BackendUnavailable``
=======  =====================================  ======================
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from cases.aicc.token import AiccTokenSource
from cases.backend import (
    BackendError,
    BackendUnavailable,
    CaseNotFound,
    Conflict,
    InvalidCase,
    Throttled,
)

logger = logging.getLogger(__name__)

CASE_PATH = "/service/AICC__Case/1.0.0/openapi/case"
#: operation -> path under the base URL
CASE_PATHS = {
    "create": CASE_PATH,
    "query": f"{CASE_PATH}/query",
    "update": f"{CASE_PATH}/update",
    "comment": f"{CASE_PATH}/comment",
    "history": f"{CASE_PATH}/history",
}

_ERRORS: dict[str, type[BackendError]] = {
    "400": InvalidCase,
    "404": CaseNotFound,
    "409": Conflict,
    "429": Throttled,
}


class _TokenRefused(Exception):
    pass


class AiccCaller:
    """Posts JSON to the case API with a valid token and returns the ``result`` it answers."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, tokens: AiccTokenSource) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._tokens = tokens

    async def call(self, operation: str, body: dict[str, Any]) -> Any:
        """Run ``operation``; a refused token is replaced and the call sent once more."""
        token = await self._tokens.token()
        try:
            return await self._send(operation, body, token)
        except _TokenRefused:
            token = await self._tokens.replace(token)
        try:
            return await self._send(operation, body, token)
        except _TokenRefused as exc:
            raise BackendUnavailable(f"AICC refused a fresh access token on {operation}") from exc

    async def _send(self, operation: str, body: dict[str, Any], token: str) -> Any:
        try:
            response = await self._http.post(
                self._base + CASE_PATHS[operation], json=body, headers={"access-token": token}
            )
        except httpx.HTTPError as exc:
            raise BackendUnavailable(f"AICC {operation} failed: {exc!r}") from exc
        if response.status_code == 401:
            raise _TokenRefused
        if response.status_code == 429:
            raise Throttled(f"AICC is throttling {operation}")
        if response.status_code >= 500:
            raise BackendUnavailable(f"AICC {operation} answered HTTP {response.status_code}")
        try:
            answer = response.json()
            code = str(answer["resCode"])
        except (ValueError, KeyError, TypeError) as exc:
            raise BackendUnavailable(
                f"AICC {operation} answered HTTP {response.status_code} without a resCode"
            ) from exc
        if code == "0":
            return answer.get("result")
        message = f"AICC {operation} failed: resCode {code}: {answer.get('resMsg', '')}"
        if code.startswith("401"):
            raise _TokenRefused
        logger.warning(message)
        raise _ERRORS.get(code[:3], BackendUnavailable)(message)
