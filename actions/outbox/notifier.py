"""Tells users how their queued case ended, through the gateway (which owns the channels).

``POST {GATEWAY_INTERNAL_URL}/internal/notices`` with ``{"conversation_id", "channel",
"event": "case_filed" | "case_rejected", "case_ref"?, "notice_id"}`` and ``Authorization:
Bearer <INTERNAL_API_TOKEN>``. The gateway has the assistant word the notice in that
conversation and delivers it on the conversation's channel; it queues one notice per
``notice_id`` (the submission's key), so a notice sent again after a lost answer is told once.

A notice goes to the conversation the case was filed from, whose address the channel vouches
for, and never to the case's contact, which may have been typed and be anyone's; it carries the
reference only, nothing the customer wrote.
"""

from __future__ import annotations

import logging

import httpx
from pydantic import JsonValue, SecretStr

from cases.backend import CaseDraft

logger = logging.getLogger(__name__)

NOTICES_PATH = "/internal/notices"


class GatewayNotifier:
    """``Notifier`` over the gateway's internal notices endpoint."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, token: SecretStr | None) -> None:
        self._http = http
        self._url = base_url.rstrip("/") + NOTICES_PATH
        self._token = token

    async def case_filed(self, draft: CaseDraft, case_ref: str, notice_id: str) -> bool:
        """Tell the user their case's reference."""
        notice: dict[str, JsonValue] = {"event": "case_filed", "case_ref": case_ref}
        return await self._post(draft, {**notice, "notice_id": notice_id})

    async def case_rejected(self, draft: CaseDraft, notice_id: str) -> bool:
        """Tell the user their case could not be filed."""
        return await self._post(draft, {"event": "case_rejected", "notice_id": notice_id})

    async def _post(self, draft: CaseDraft, notice: dict[str, JsonValue]) -> bool:
        body = {"conversation_id": draft.conversation_id, "channel": draft.channel, **notice}
        headers = {}
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token.get_secret_value()}"
        try:
            response = await self._http.post(self._url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            logger.warning("gateway unreachable for a notice: %s", type(exc).__name__)
            return False
        if response.status_code >= 500 or response.status_code in (408, 429):
            logger.warning("gateway answered %s to a notice; trying later", response.status_code)
            return False
        if response.status_code >= 400:
            # nothing to retry: a conversation on no channel the gateway serves, a bad token
            logger.error("gateway refused a notice (%s); not retried", response.status_code)
        return True
