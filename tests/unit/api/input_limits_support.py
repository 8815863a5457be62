"""Shared pieces of the limit tests: a websocket driven through ASGI, a WhatsApp gateway.

The websocket is spoken to at the ASGI level (no server, no port) so that a test can choose the
peer address and headers a proxy would set; the frames are the very ones the page sends.
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
from sandbox.whatsapp.routes import whatsapp_app
from sandbox.whatsapp.state import GraphState

APP_SECRET = "app-secret-for-limit-tests"
GRAPH_TOKEN = "graph-token-for-limit-tests"
PHONE_NUMBER_ID = "106540352242922"


class AsgiSocket:
    """One websocket connection to an ASGI app, opened from ``client`` with ``headers``."""

    def __init__(
        self,
        app: FastAPI,
        path: str = "/webchat/ws",
        client: tuple[str, int] = ("203.0.113.7", 50000),
        headers: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        self._app = app
        self._scope: dict[str, Any] = {
            "type": "websocket",
            "asgi": {"version": "3.0"},
            "scheme": "ws",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"gateway.test"), *(headers or [])],
            "client": client,
            "server": ("gateway.test", 80),
            "subprotocols": [],
        }
        self._inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> AsgiSocket:
        self._task = asyncio.create_task(
            self._app(self._scope, self._inbox.get, self._outbox.put)  # type: ignore[arg-type]
        )
        await self._inbox.put({"type": "websocket.connect"})
        accepted = await self._next()
        assert accepted["type"] == "websocket.accept", accepted
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._inbox.put({"type": "websocket.disconnect", "code": 1000})
        assert self._task is not None
        await asyncio.wait_for(self._task, 5)

    async def _next(self) -> dict[str, Any]:
        return await asyncio.wait_for(self._outbox.get(), 5)

    async def send(self, frame: Any) -> None:
        """Send a text frame (JSON-encoded unless a ``str``) or, for ``bytes``, a binary one."""
        if isinstance(frame, bytes):
            await self._inbox.put({"type": "websocket.receive", "bytes": frame})
            return
        text = frame if isinstance(frame, str) else json.dumps(frame)
        await self._inbox.put({"type": "websocket.receive", "text": text})

    async def receive(self) -> dict[str, Any]:
        """The next message the app sent: a decoded JSON frame, or the ASGI close message."""
        message = await self._next()
        if message["type"] == "websocket.send":
            decoded: dict[str, Any] = json.loads(message["text"])
            return decoded
        return message

    async def exchange(self, frame: Any) -> dict[str, Any]:
        await self.send(frame)
        return await self.receive()


class RecordingRasa:
    """Rasa (and the action server's readiness) behind an ``httpx.MockTransport``: answers and
    records each message."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/status":
            return httpx.Response(200, json={"model_id": "m"})
        if request.url.path == "/ready":  # the action server's
            return httpx.Response(200, json={})
        message = json.loads(request.content)
        self.received.append(message)
        return httpx.Response(200, json=[{"recipient_id": "x", "text": "Noted."}])


class ByHost(httpx.AsyncBaseTransport):
    """Sends each request to the transport of its host."""

    def __init__(self, transports: dict[str, httpx.AsyncBaseTransport]) -> None:
        self.transports = transports

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.transports[request.url.host].handle_async_request(request)


def whatsapp_settings(tmp_path: Path) -> dict[str, Any]:
    """Settings that switch the WhatsApp channel on, its Graph API at ``graph.test``."""
    return {
        "actions_url": "http://actions.test:5055",
        "whatsapp_app_secret": SecretStr(APP_SECRET),
        "whatsapp_verify_token": SecretStr("verify-token-for-limit-tests"),
        "whatsapp_access_token": SecretStr(GRAPH_TOKEN),
        "whatsapp_phone_number_id": PHONE_NUMBER_ID,
        "whatsapp_api_base_url": "http://graph.test",
        "whatsapp_queue_db": tmp_path / "queue.sqlite3",
        "whatsapp_media_dir": tmp_path / "media",
        "whatsapp_retry_base_seconds": 0.0,
    }


def signed(body: bytes) -> dict[str, str]:
    """Headers of a webhook Meta signed with the app secret."""
    return {"X-Hub-Signature-256": sign(body, APP_SECRET), "Content-Type": "application/json"}


@dataclass
class WhatsAppGateway:
    app: FastAPI
    client: httpx.AsyncClient
    rasa: RecordingRasa
    graph: GraphState
    calls: list[str] = field(default_factory=list)

    async def post(self, body: Any) -> httpx.Response:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return await self.client.post("/webhooks/whatsapp", content=raw, headers=signed(raw))

    def texts_sent(self) -> list[str]:
        """The text bodies Graph accepted, in order."""
        return [
            entry["body"]["text"]["body"]
            for entry in self.graph.sent
            if entry["wamid"] and entry["body"].get("type") == "text"
        ]


@asynccontextmanager
async def whatsapp_gateway(
    make_settings: Callable[..., Any], tmp_path: Path, **overrides: Any
) -> AsyncIterator[WhatsAppGateway]:
    """A running gateway with the WhatsApp channel on, over a recording Rasa and Graph's
    stand-in from the sandbox."""
    rasa = RecordingRasa()
    graph = GraphState()
    calls: list[str] = []
    transport = ByHost(
        {
            "rasa.test": httpx.MockTransport(rasa),
            "actions.test": httpx.MockTransport(rasa),
            "graph.test": httpx.ASGITransport(
                app=whatsapp_app(graph, GRAPH_TOKEN, on_call=calls.append)
            ),
        }
    )
    app = create_app(
        make_settings(**{**whatsapp_settings(tmp_path), **overrides}), transport=transport
    )
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(app.router.lifespan_context(app))
        client = await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw.test")
        )
        yield WhatsAppGateway(app, client, rasa, graph, calls)


def text_notification(*messages: tuple[str, str, str], at: int) -> dict[str, Any]:
    """A webhook body with text messages given as (wamid, sender, text), written at ``at``."""
    senders = sorted({sender for _, sender, _ in messages})
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": s} for s in senders],
        "messages": [
            {
                "from": sender,
                "id": wamid,
                "timestamp": str(at),
                "type": "text",
                "text": {"body": text},
            }
            for wamid, sender, text in messages
        ],
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}],
    }


async def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait until ``check()`` holds; fail the test if it does not within ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)
