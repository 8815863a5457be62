"""What notice tests share: a Rasa fake (``trigger_intent`` and the REST channel) and the
gateway they post to."""

from __future__ import annotations

import json
from typing import Any

import httpx
from fastapi import FastAPI

from api.outreach.notices.runtime import NoticeRuntime
from sandbox.twilio.state import TwilioState
from sandbox.whatsapp.state import GraphState
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


class Gateway:
    def __init__(
        self, app: FastAPI, client: httpx.AsyncClient, rasa: NoticeRasa, graph: GraphState
    ) -> None:
        self.app = app
        self.client = client
        self.rasa = rasa
        self.graph = graph
        self.twilio: TwilioState | None = None

    @property
    def runtime(self) -> NoticeRuntime:
        runtime: NoticeRuntime = self.app.state.notices
        return runtime

    async def notice(
        self, body: Any, token: str | None = TOKEN, raw: bytes | None = None
    ) -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        content = raw if raw is not None else json.dumps(body).encode()
        return await self.client.post("/internal/notices", content=content, headers=headers)

    def whatsapp_sent(self) -> list[dict[str, Any]]:
        return [entry["body"] for entry in self.graph.sent if entry["wamid"]]

    def twilio_sent(self) -> list[dict[str, Any]]:
        assert self.twilio is not None
        return [entry for entry in self.twilio.sent if entry["sid"]]
