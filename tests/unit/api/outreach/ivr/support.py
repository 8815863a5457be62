"""Shared pieces of the IVR handoff and case notice tests: the gateway over fakes, signing.

Rasa's HTTP API is a fake that answers ``trigger_intent`` as Rasa does (the tracker and the
collected messages); the WhatsApp Graph API is the sandbox's stand-in.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from api.app import create_app
from api.channels.whatsapp.signature import sign
from api.outreach.runtime import OutreachRuntime
from sandbox.whatsapp.routes import whatsapp_app
from sandbox.whatsapp.state import GraphState
from tests.unit.api.channels.whatsapp.support import (
    APP_SECRET,
    GRAPH_TOKEN,
    GRAPH_URL,
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    ByHost,
)

IVR_SECRET = "ivr-shared-secret-for-tests"
EVENTS_KEY = "case-events-key-for-tests"
RASA_TOKEN = "rasa-token-for-tests"
# Amazon Connect's contact-flow event, as the Invoke AWS Lambda function block sends it
CONNECT_EVENT = '{"Name":"ContactFlowEvent","Details":{"ContactData":{"Attributes":{"ivr_intent":"open_case","language":"en"},"Channel":"VOICE","ContactId":"4a573372-1f28-4e26-b97b-XXXXXXXXXXX","CustomerEndpoint":{"Address":"+16505551234","Type":"TELEPHONE_NUMBER"},"InitialContactId":"4a573372-1f28-4e26-b97b-XXXXXXXXXXX","InitiationMethod":"INBOUND","InstanceARN":"arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555","PreviousContactId":"4a573372-1f28-4e26-b97b-XXXXXXXXXXX","Queue":{"ARN":"arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555/queue/66666666-7777-8888-9999-000000000000","Name":"Support"},"SystemEndpoint":{"Address":"+15550783881","Type":"TELEPHONE_NUMBER"}},"Parameters":{"handoff_channel":"whatsapp"}}}'  # noqa: E501
CALLER_WA_ID = "16505551234"


class TriggerRasa:
    """Rasa's ``trigger_intent`` behind an async ``httpx.MockTransport``; records every call."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        #: the X-Request-ID each call carried (None: none)
        self.request_ids: list[str | None] = []
        self.status = 200
        self.delay = 0.0
        self.down = False
        self.messages: Callable[[dict[str, Any]], list[dict[str, Any]]] = lambda call: [
            {"recipient_id": call["conversation"], "text": f"Hello from {call['name']}."}
        ]
        self.slots: Callable[[dict[str, Any]], dict[str, Any]] = lambda call: {
            "case_ref": call["entities"].get("case_ref")
        }

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("Connection refused")
        # as Rasa's Sanic router sees it: not unquoted
        path = request.url.raw_path.split(b"?")[0].decode()
        prefix, suffix = "/conversations/", "/trigger_intent"
        if not (path.startswith(prefix) and path.endswith(suffix)):
            return httpx.Response(404)
        body = json.loads(request.content)
        call = {
            "conversation": path[len(prefix) : -len(suffix)],
            "token": request.url.params.get("token"),
            "output_channel": request.url.params.get("output_channel"),
            "name": body["name"],
            "entities": body.get("entities", {}),
        }
        await asyncio.sleep(self.delay)
        self.calls.append(call)
        self.request_ids.append(request.headers.get("x-request-id"))
        if self.status != 200:
            return httpx.Response(self.status, json={"status": "failure"})
        return httpx.Response(
            200,
            json={
                "tracker": {"sender_id": call["conversation"], "slots": self.slots(call)},
                "messages": self.messages(call),
            },
        )


def ivr_headers(body: bytes, secret: str = IVR_SECRET) -> dict[str, str]:
    return {"X-Casebot-Signature": sign(body, secret), "Content-Type": "application/json"}


@dataclass
class OutreachGateway:
    app: FastAPI
    client: httpx.AsyncClient
    rasa: TriggerRasa
    graph: GraphState
    stack: AsyncExitStack = field(repr=False)

    @property
    def runtime(self) -> OutreachRuntime:
        runtime: OutreachRuntime = self.app.state.outreach
        return runtime

    async def handoff(self, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
        raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        return await self.client.post(
            "/webhooks/ivr", content=raw, headers=ivr_headers(raw) if headers is None else headers
        )

    async def case_event(self, event: Any, key: str | None = EVENTS_KEY) -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        if key is not None:
            headers["x-api-key"] = key
        return await self.client.post(
            "/webhooks/case-events", content=json.dumps(event).encode(), headers=headers
        )

    def sent(self) -> list[dict[str, Any]]:
        """The bodies Graph accepted, in order."""
        return [entry["body"] for entry in self.graph.sent if entry["wamid"]]


@asynccontextmanager
async def outreach_gateways(
    settings_with: Callable[..., Any], tmp_path: Path
) -> AsyncIterator[Callable[..., Any]]:
    """Start gateways with IVR handoffs and case notices on: ``await start(...)``."""
    async with AsyncExitStack() as stack:

        async def start(
            rasa: TriggerRasa | None = None, graph: GraphState | None = None, **overrides: Any
        ) -> OutreachGateway:
            rasa = rasa or TriggerRasa()
            graph = graph or GraphState()
            values: dict[str, Any] = {
                "rasa_api_token": SecretStr(RASA_TOKEN),
                "whatsapp_app_secret": SecretStr(APP_SECRET),
                "whatsapp_verify_token": SecretStr(VERIFY_TOKEN),
                "whatsapp_access_token": SecretStr(GRAPH_TOKEN),
                "whatsapp_phone_number_id": PHONE_NUMBER_ID,
                "whatsapp_api_base_url": GRAPH_URL,
                "whatsapp_queue_db": tmp_path / "var" / "queue.sqlite3",
                "whatsapp_retry_base_seconds": 0.0,
                "whatsapp_template_name": "hello_again",
                "whatsapp_notice_template_name": "assistant_says",
                "whatsapp_template_language": "en_US",
                "proactive_queue_db": tmp_path / "var" / "proactive.sqlite3",
                "ivr_shared_secret": SecretStr(IVR_SECRET),
                "ivr_answer_seconds": 2.0,
                "case_events_api_key": SecretStr(EVENTS_KEY),
                "case_events_contact_field_id": "contact-field-uuid",
                "case_events_verified_field_id": "verified-field-uuid",
            }
            values.update(overrides)
            transport = ByHost(
                {
                    "rasa.test": httpx.MockTransport(rasa),
                    "graph.test": httpx.ASGITransport(
                        app=whatsapp_app(graph, GRAPH_TOKEN, on_call=lambda _: None)
                    ),
                }
            )
            app = create_app(settings_with(**values), transport=transport)
            await stack.enter_async_context(app.router.lifespan_context(app))
            client = await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw.test")
            )
            return OutreachGateway(app, client, rasa, graph, stack)

        yield start
