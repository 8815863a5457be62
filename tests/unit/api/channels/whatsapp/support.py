"""Shared pieces of the WhatsApp channel tests: samples, the gateway over fakes, signing.

The samples are Meta's webhook bodies exactly as they arrive, kept as text so their signatures
are computed over the very bytes Meta would send.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from prometheus_client import REGISTRY
from pydantic import SecretStr

from api.app import create_app
from api.channels.whatsapp.runtime import WhatsAppRuntime
from api.channels.whatsapp.signature import sign
from sandbox.whatsapp.routes import whatsapp_app
from sandbox.whatsapp.state import GraphState

APP_SECRET = "app-secret-for-tests"
VERIFY_TOKEN = "verify-token-for-tests"
GRAPH_TOKEN = "graph-token-for-tests"
GRAPH_URL = "http://graph.test"
PHONE_NUMBER_ID = "106540352242922"
WA_ID = "16505551234"

TEXT_SAMPLE = '{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=","timestamp":"1739321024","type":"text","text":{"body":"Where is my case?"}}]}}]}]}'  # noqa: E501
BUTTON_REPLY_SAMPLE = '{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"context":{"from":"15550783881","id":"wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"},"from":"16505551234","id":"wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzRUIwQjMxQTJGRkYwMUQ0NkE3NQA=","timestamp":"1739321090","type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"priority_high","title":"High"}}}]}}]}]}'  # noqa: E501
IMAGE_SAMPLE = '{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQjc5NTcwQzA5QjY2OEE0NjY1NgA=","timestamp":"1739321150","type":"image","image":{"caption":"the damaged box","mime_type":"image/jpeg","sha256":"81d3bd8a8db4868c9520ed47186e8b7c5789e61ff79f7f834be6950b808a90d3","id":"2754859441498128"}}]}}]}]}'  # noqa: E501
STATUS_SAMPLE = '{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"statuses":[{"id":"wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA","status":"delivered","timestamp":"1739321100","recipient_id":"16505551234","conversation":{"id":"a75d1e6bd3bc1c4d9e5bd7e7b5a9b1f2","origin":{"type":"service"}},"pricing":{"billable":true,"pricing_model":"CBP","category":"service"}}]}}]}]}'  # noqa: E501


def signed(body: bytes, secret: str = APP_SECRET) -> dict[str, str]:
    return {"X-Hub-Signature-256": sign(body, secret), "Content-Type": "application/json"}


def notification(*messages: dict[str, Any], name: str = "Sheena Nelson") -> dict[str, Any]:
    """A webhook body carrying ``messages``, each from its own ``from``."""
    senders = {m["from"] for m in messages}
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": name}, "wa_id": s} for s in sorted(senders)],
        "messages": list(messages),
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}],
    }


def text_message(wamid: str, body: str, sender: str = WA_ID, at: float | None = None) -> Any:
    return {
        "from": sender,
        "id": wamid,
        "timestamp": str(int(time.time() if at is None else at)),
        "type": "text",
        "text": {"body": body},
    }


def fresh(sample: str) -> dict[str, Any]:
    """A sample whose messages were written just now, inside the 24-hour window."""
    body = json.loads(sample)
    for entry in body["entry"]:
        for change in entry["changes"]:
            for message in change["value"].get("messages", []):
                message["timestamp"] = str(int(time.time()))
    return body


class Rasa:
    """Rasa's REST channel behind an async ``httpx.MockTransport``; slow for chosen texts."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.events: list[tuple[str, str, str]] = []
        self.replies: Callable[[dict[str, Any]], list[dict[str, Any]]] = lambda m: [
            {"recipient_id": m["sender"], "text": f"You said: {m['message']}"}
        ]
        self.delays: dict[str, float] = {}
        self.down = False
        self.block: asyncio.Event | None = None

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("Connection refused")
        if request.method == "GET" and request.url.path.endswith("/tracker"):
            return self.tracker(request.url.path.split("/")[2])
        message = json.loads(request.content)
        self.events.append(("start", message["sender"], message["message"]))
        if self.block is not None:
            await self.block.wait()
        await asyncio.sleep(self.delays.get(message["message"], 0))
        self.received.append(message)
        self.events.append(("end", message["sender"], message["message"]))
        return httpx.Response(200, json=self.replies(message))

    def tracker(self, sender: str) -> httpx.Response:
        """The conversation's events as Rasa keeps them: each message, then the bot's words."""
        events: list[dict[str, Any]] = []
        for message in self.received:
            if message["sender"] == sender:
                events.append(
                    {"event": "user", "text": message["message"], "metadata": message["metadata"]}
                )
                for reply in self.replies(message):
                    data = {k: reply.get(k) for k in ("buttons", "image", "custom")}
                    events.append({"event": "bot", "text": reply.get("text"), "data": data})
                events.append({"event": "action", "name": "action_listen"})
        return httpx.Response(200, json={"sender_id": sender, "events": events})

    def texts(self, sender: str | None = None) -> list[str]:
        return [m["message"] for m in self.received if sender is None or m["sender"] == sender]


class ByHost(httpx.AsyncBaseTransport):
    """Sends each request to the transport of its host."""

    def __init__(self, transports: dict[str, httpx.AsyncBaseTransport]) -> None:
        self.transports = transports

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.transports[request.url.host].handle_async_request(request)


@dataclass
class Gateway:
    app: FastAPI
    client: httpx.AsyncClient
    rasa: Rasa
    graph: GraphState
    stack: AsyncExitStack
    graph_calls: list[str] = field(default_factory=list)

    @property
    def runtime(self) -> WhatsAppRuntime:
        runtime: WhatsAppRuntime = self.app.state.whatsapp
        return runtime

    async def post(self, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        if isinstance(body, str):
            raw = body.encode()
        return await self.client.post(
            "/webhooks/whatsapp", content=raw, headers=signed(raw) if headers is None else headers
        )

    def sent(self) -> list[dict[str, Any]]:
        """The bodies Graph accepted, in order."""
        return [entry["body"] for entry in self.graph.sent if entry["wamid"]]

    async def stop(self) -> None:
        await self.stack.aclose()


def counted(name: str, **labels: str) -> float:
    """The current value of one of the gateway's metrics (0 before its first count)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def turns(channel: str) -> tuple[float, float, float]:
    """Messages in, messages out and finished turns counted under ``channel``."""
    return (
        counted("casebot_messages_in_total", channel=channel),
        counted("casebot_messages_out_total", channel=channel),
        counted("casebot_turn_seconds_count", channel=channel),
    )


def failed_turns(channel: str) -> float:
    """Turns under ``channel`` that failed because Rasa could not be reached."""
    return counted("casebot_turn_failures_total", channel=channel, reason="rasa_unavailable")


async def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait until ``check()`` holds; fail the test if it does not within ``timeout``."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


@asynccontextmanager
async def gateway_factory(
    settings_with: Callable[..., Any], tmp_path: Path
) -> AsyncIterator[Callable[..., Any]]:
    """Start gateways with the WhatsApp channel on over fakes: ``await start(...)``; each one
    is stopped on the way out. Test modules wrap it in a ``start_gateway`` fixture."""
    gateways: list[Gateway] = []

    async def start(
        rasa: Rasa | None = None, graph: GraphState | None = None, **overrides: Any
    ) -> Gateway:
        rasa = rasa or Rasa()
        graph = graph or GraphState()
        values: dict[str, Any] = {
            "whatsapp_app_secret": SecretStr(APP_SECRET),
            "whatsapp_verify_token": SecretStr(VERIFY_TOKEN),
            "whatsapp_access_token": SecretStr(GRAPH_TOKEN),
            "whatsapp_phone_number_id": PHONE_NUMBER_ID,
            "whatsapp_api_base_url": GRAPH_URL,
            "whatsapp_queue_db": tmp_path / "var" / "queue.sqlite3",
            "whatsapp_media_dir": tmp_path / "var" / "media",
            "whatsapp_retry_base_seconds": 0.0,
            "whatsapp_template_name": "case_update",
            "whatsapp_template_language": "en_US",
        }
        values.update(overrides)
        calls: list[str] = []
        transport = ByHost(
            {
                "rasa.test": httpx.MockTransport(rasa),
                "graph.test": httpx.ASGITransport(
                    app=whatsapp_app(graph, GRAPH_TOKEN, on_call=calls.append)
                ),
            }
        )
        app = create_app(settings_with(**values), transport=transport)
        stack = AsyncExitStack()
        await stack.enter_async_context(app.router.lifespan_context(app))
        client = await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw.test")
        )
        gateway = Gateway(app, client, rasa, graph, stack, calls)
        gateways.append(gateway)
        return gateway

    yield start
    for gateway in reversed(gateways):
        await gateway.stop()
