"""Codes by WhatsApp, through the gateway, which owns the channels.

``POST {GATEWAY_INTERNAL_URL}/internal/notices`` with ``{"conversation_id": "whatsapp:<digits>",
"channel": "whatsapp", "event": "verification_code", "code", "notice_id"}`` and ``Authorization:
Bearer <INTERNAL_API_TOKEN>``: the number is the case's contact, which the customer has just
matched, and the code is the only variable in what the gateway sends.
"""

from __future__ import annotations

import logging
import uuid

import httpx
from pydantic import SecretStr

logger = logging.getLogger(__name__)

NOTICES_PATH = "/internal/notices"
EVENT = "verification_code"


class GatewayTexter:
    """Sends a code to a phone number on WhatsApp through the gateway's notices endpoint."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, token: SecretStr | None) -> None:
        self._http = http
        self._url = base_url.rstrip("/") + NOTICES_PATH
        self._token = token

    async def send(self, to: str, code: str) -> bool:
        """Have the gateway send ``code`` to ``to`` (E.164); whether it took the notice."""
        body = {
            "conversation_id": f"whatsapp:{to.lstrip('+')}",
            "channel": "whatsapp",
            "event": EVENT,
            "code": code,
            "notice_id": uuid.uuid4().hex,
        }
        headers = {}
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token.get_secret_value()}"
        try:
            response = await self._http.post(self._url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            logger.warning("gateway unreachable for a one-time code: %s", type(exc).__name__)
            return False
        if response.status_code >= 400:
            logger.warning("gateway refused a one-time code (%s)", response.status_code)
            return False
        return True
