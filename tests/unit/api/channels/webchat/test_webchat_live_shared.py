"""Two gateways sharing one Redis: a notice handled on one reaches a page served by the other.

Gateway A serves the page (its socket, its next message); gateway B runs the notices (only it
has ``INTERNAL_API_TOKEN``) or relays an agent's words. Each keeps its own SQLite files, so
only what they share in Redis can carry a notice from B to A. A is a real uvicorn server, for
real websockets (a second one, A2, when the page is open in two tabs); B runs in the test's
event loop, its relay called there.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from websockets.asyncio.client import ClientConnection, connect

from api.app import create_app
from api.channels.webchat.inbox import inbox_of
from api.handoff.channel import WebchatDeliverer
from api.rasa import BotMessage
from tests.support.services import RedisServer
from tests.unit.api.outreach.notices.support import TOKEN, NoticeRasa
from tests.unit.api.served import served

NOTICE = {"id": None, "notice": True, "replies": [{"text": "Hello from case_filed."}]}


class Gateways:
    """Gateway A (the page's) and B (the notices'), with the apps and B's HTTP client at hand."""

    def __init__(self, a: tuple[FastAPI, str], b: FastAPI, rasa: NoticeRasa) -> None:
        (self.app_a, self.a), self.app_b = a, b
        self.rasa = rasa
        self.sender = f"page-{uuid.uuid4().hex[:12]}"

    @property
    def conversation(self) -> str:
        return f"webchat:{self.sender}"

    def client_b(self) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app_b)
        return httpx.AsyncClient(transport=transport, base_url="http://b.test")

    async def notice(self, notice_id: str = "submission-1") -> httpx.Response:
        """The action server asks gateway B to tell the page its case was filed."""
        async with self.client_b() as http:
            return await http.post(
                "/internal/notices",
                json={
                    "conversation_id": self.conversation,
                    "event": "case_filed",
                    "case_ref": "10000042",
                    "notice_id": f"{self.sender}-{notice_id}",
                },
                headers={"Authorization": f"Bearer {TOKEN}"},
            )

    async def say(self, socket: ClientConnection, frame_id: int, text: str) -> dict[str, Any]:
        await socket.send(json.dumps({"id": frame_id, "sender": self.sender, "message": text}))
        answer: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), timeout=5))
        return answer


def two_apps(
    redis: RedisServer, settings_with: Any, tmp: Path
) -> tuple[FastAPI, FastAPI, NoticeRasa]:
    rasa = NoticeRasa()
    url = SecretStr(redis.url())
    a = create_app(
        settings_with(gateway_queue_url=url, notice_queue_db=tmp / "a" / "notices.sqlite3"),
        transport=httpx.MockTransport(rasa),
    )
    b = create_app(
        settings_with(
            gateway_queue_url=url,
            internal_api_token=SecretStr(TOKEN),
            notice_queue_db=tmp / "b" / "notices.sqlite3",
        ),
        transport=httpx.MockTransport(rasa),
    )
    return a, b, rasa


@pytest.fixture
async def gateways(
    shared_redis: RedisServer, settings_with: Any, tmp_path: Path
) -> AsyncIterator[Gateways]:
    a, b, rasa = two_apps(shared_redis, settings_with, tmp_path)
    with served(a) as served_a:
        async with b.router.lifespan_context(b):
            yield Gateways((a, served_a), b, rasa)


@pytest.fixture
async def page_on_two(
    shared_redis: RedisServer, settings_with: Any, tmp_path: Path
) -> AsyncIterator[tuple[Gateways, str]]:
    """Gateways A and A2 serve the page (two tabs), B runs the notices."""
    a, b, rasa = two_apps(shared_redis, settings_with, tmp_path)
    a2 = create_app(
        settings_with(
            gateway_queue_url=SecretStr(shared_redis.url()),
            notice_queue_db=tmp_path / "a2" / "notices.sqlite3",
        ),
        transport=httpx.MockTransport(rasa),
    )
    with served(a) as served_a, served(a2) as served_a2:
        async with b.router.lifespan_context(b):
            yield Gateways((a, served_a), b, rasa), served_a2


async def next_frame(socket: ClientConnection, timeout: float = 5) -> dict[str, Any] | None:
    try:
        frame: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), timeout))
    except TimeoutError:
        return None
    return frame


async def test_a_notice_handled_on_one_gateway_is_pushed_once_to_the_socket_on_another(
    gateways: Gateways,
) -> None:
    async with connect(f"ws://{gateways.a}/webchat/ws") as socket:
        first = await gateways.say(socket, 1, "hi")

        response = await gateways.notice()
        pushed = await next_frame(socket)
        later = await gateways.say(socket, 2, "thanks")
        extra = await next_frame(socket, timeout=0.5)

    assert response.status_code == 202
    assert [call["conversation"] for call in gateways.rasa.calls] == [gateways.conversation]
    assert first["replies"] == [{"text": "You said hi"}]
    assert pushed == NOTICE
    # shown once: neither with the next answer nor pushed again
    assert later == {"id": 2, "replies": [{"text": "You said thanks"}]}
    assert extra is None
    assert await inbox_of(gateways.app_b.state).take(gateways.conversation) == []


async def test_a_notice_for_a_page_without_a_socket_comes_with_its_next_message_on_another(
    gateways: Gateways,
) -> None:
    await gateways.notice()
    deadline = time.monotonic() + 5
    while not gateways.rasa.calls and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.2)  # the worker delivers after Rasa answers

    async with httpx.AsyncClient(base_url=f"http://{gateways.a}") as http:
        posted = await http.post(
            "/webchat/messages", json={"sender": gateways.sender, "message": "hello?"}
        )
        again = await http.post(
            "/webchat/messages", json={"sender": gateways.sender, "message": "and now?"}
        )

    assert posted.json() == [{"text": "Hello from case_filed."}, {"text": "You said hello?"}]
    assert again.json() == [{"text": "You said and now?"}]


async def test_a_page_open_on_two_other_gateways_is_shown_each_notice_once(
    page_on_two: tuple[Gateways, str],
) -> None:
    gateways, a2 = page_on_two
    async with (
        connect(f"ws://{gateways.a}/webchat/ws") as on_a,
        connect(f"ws://{a2}/webchat/ws") as on_a2,
    ):
        await gateways.say(on_a, 1, "hi from a tab")
        await gateways.say(on_a2, 1, "hi from another tab")

        for number in range(5):
            await gateways.notice(f"submission-{number}")
        await asyncio.sleep(1.0)
        frames = [
            frame
            for socket in (on_a, on_a2)
            for frame in [await next_frame(socket, 0.5) for _ in range(6)]
            if frame is not None
        ]

    # both gateways hear every notice; each is taken, and shown, by one of them only
    assert len(gateways.rasa.calls) == 5
    assert frames == [NOTICE] * 5


async def test_an_agents_words_relayed_on_one_gateway_reach_the_page_on_another(
    gateways: Gateways,
) -> None:
    app_b = gateways.app_b
    inbox = inbox_of(app_b.state)
    assert inbox is not None
    relay = WebchatDeliverer(app_b, app_b.state.webchat_sockets, inbox)  # type: ignore[arg-type]

    async with connect(f"ws://{gateways.a}/webchat/ws") as socket:
        await gateways.say(socket, 1, "hi")

        delivered = await relay.deliver(
            gateways.sender, [BotMessage(text="Agent Ann: I can help.")]
        )
        pushed = await next_frame(socket)
        later = await gateways.say(socket, 2, "great")

    assert delivered is True
    assert pushed == {"id": None, "notice": True, "replies": [{"text": "Agent Ann: I can help."}]}
    assert later == {"id": 2, "replies": [{"text": "You said great"}]}
