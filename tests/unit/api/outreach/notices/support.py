"""A Rasa fake for notice tests: ``trigger_intent`` and the REST channel."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.unit.api.outreach.ivr.support import TriggerRasa

TOKEN = "internal-token-for-tests-0123456789"


class NoticeRasa(TriggerRasa):
    """``trigger_intent`` as in the IVR tests, plus the REST channel echoing the user."""

    def __init__(self) -> None:
        super().__init__()
        self.rest: list[dict[str, Any]] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/webhooks/rest/webhook":
            body = json.loads(request.content)
            self.rest.append(body)
            return httpx.Response(
                200, json=[{"recipient_id": body["sender"], "text": f"You said {body['message']}"}]
            )
        return await super().__call__(request)
