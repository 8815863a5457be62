"""One AICC Case 2.0 call: its published method and path, the token header, errors mapped.

Every call the adapter makes is in ``OPERATIONS`` (under
``{base}/service/AICC__Case/1.0.0/openapi``); ``status/update`` and ``close`` are not under
``/case``, as Huawei's reference has them. AICC answers ``{"resCode", "resMsg", "result"}``;
only ``"0"`` is success, and any other code, whatever the HTTP status, is an error mapped by
``cases.aicc.assumed`` (a refused token is replaced and the call sent once more).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import httpx

from cases.aicc import assumed
from cases.aicc.token import AiccTokenSource
from cases.backend import BackendUnavailable, Throttled

logger = logging.getLogger(__name__)

OPENAPI_PATH = "/service/AICC__Case/1.0.0/openapi"
#: operation -> (HTTP method, path under OPENAPI_PATH); ``{id}`` is the path parameter
OPERATIONS: dict[str, tuple[str, str]] = {
    "create": ("POST", "/case"),
    "list": ("POST", "/case/list"),
    "get": ("GET", "/case/{id}"),
    "modify": ("POST", "/case/modify"),
    "transfer": ("POST", "/case/transfer"),
    "process": ("POST", "/case/process"),
    "status": ("POST", "/status/update"),
    "close": ("POST", "/close"),
    "case_types": ("POST", "/caseType/list"),
    "case_type": ("GET", "/caseType/{id}"),
}


class _TokenRefused(Exception):
    pass


class AiccCaller:
    """Sends one operation with a valid token and returns the ``result`` it answers."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, tokens: AiccTokenSource) -> None:
        self._http = http
        self._base = base_url.rstrip("/") + OPENAPI_PATH
        self._tokens = tokens

    async def call(
        self, operation: str, body: dict[str, Any] | None = None, *, id: str | None = None
    ) -> Any:
        """Run ``operation`` (``id`` fills its path); a refused token is replaced once."""
        token = await self._tokens.token()
        try:
            return await self._send(operation, body, id, token)
        except _TokenRefused:
            token = await self._tokens.replace(token)
        try:
            return await self._send(operation, body, id, token)
        except _TokenRefused as exc:
            raise BackendUnavailable(f"AICC refused a fresh access token on {operation}") from exc

    def url(self, operation: str, id: str | None = None) -> str:
        """The full URL of ``operation``."""
        path = OPERATIONS[operation][1]
        if "{id}" in path:
            if not id:
                raise ValueError(f"{operation} needs an id")
            path = path.replace("{id}", quote(id, safe=""))
        return self._base + path

    async def _send(
        self, operation: str, body: dict[str, Any] | None, id: str | None, token: str
    ) -> Any:
        method = OPERATIONS[operation][0]
        headers = {"access-token": token}
        try:
            response = await self._http.request(
                method,
                self.url(operation, id),
                json=body if method == "POST" else None,
                headers=headers,
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
        if assumed.token_refused(code):
            raise _TokenRefused
        message = f"AICC {operation} failed: resCode {code}: {answer.get('resMsg', '')}"
        logger.warning(message)
        raise assumed.error_for(code)(message)
