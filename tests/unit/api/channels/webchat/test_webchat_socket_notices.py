"""A notice for a webchat conversation reaches the page's open socket as it happens."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from websockets.asyncio.client import connect

from api.app import create_app
from tests.unit.api.outreach.notices.support import TOKEN, NoticeRasa
from tests.unit.api.served import served

SENDER = "u0123456789abcdef"


@pytest.fixture
def rasa() -> NoticeRasa:
    return NoticeRasa()


@pytest.fixture
def gateway(rasa: NoticeRasa, settings_with: Any, tmp_path: Path) -> Iterator[str]:
    settings = settings_with(
        internal_api_token=SecretStr(TOKEN), notice_queue_db=tmp_path / "notices.sqlite3"
    )
    app = create_app(settings, transport=httpx.MockTransport(rasa))
    with served(app) as address:
        yield address


def waiting(path: Path) -> int:
    """How many notices the inbox keeps."""
    with sqlite3.connect(path) as db:
        tables = db.execute("SELECT name FROM sqlite_master WHERE name = 'webchat_inbox'")
        if tables.fetchone() is None:
            return 0
        return int(db.execute("SELECT COUNT(*) FROM webchat_inbox").fetchone()[0])


async def post_notice(gateway: str, conversation: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=f"http://{gateway}") as http:
        return await http.post(
            "/internal/notices",
            json={
                "conversation_id": conversation,
                "event": "case_filed",
                "case_ref": "10000042",
                "notice_id": "submission-1",
            },
            headers={"Authorization": f"Bearer {TOKEN}"},
        )


async def test_a_notice_is_pushed_to_the_socket_of_its_conversation(gateway: str) -> None:
    async with connect(f"ws://{gateway}/webchat/ws") as socket:
        await socket.send(json.dumps({"id": 1, "sender": SENDER, "message": "hi"}))
        answer = json.loads(await socket.recv())

        response = await post_notice(gateway, f"webchat:{SENDER}")
        notice = json.loads(await asyncio.wait_for(socket.recv(), timeout=5))

    assert answer["replies"] == [{"text": "You said hi"}]
    assert response.status_code == 202
    assert notice == {"id": None, "notice": True, "replies": [{"text": "Hello from case_filed."}]}


async def test_a_notice_for_another_conversation_is_not_pushed_to_this_socket(
    gateway: str, rasa: NoticeRasa
) -> None:
    async with connect(f"ws://{gateway}/webchat/ws") as socket:
        await socket.send(json.dumps({"id": 1, "sender": SENDER, "message": "hi"}))
        await socket.recv()

        await post_notice(gateway, "webchat:someone-else")
        deadline = time.monotonic() + 5
        while not rasa.calls and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        await socket.send(json.dumps({"id": 2, "sender": SENDER, "message": "still there?"}))
        answer = json.loads(await asyncio.wait_for(socket.recv(), timeout=5))

    assert rasa.calls[0]["conversation"] == "webchat:someone-else"
    assert answer == {"id": 2, "replies": [{"text": "You said still there?"}]}


async def test_a_notice_made_while_the_page_was_away_comes_with_the_next_answer(
    gateway: str, tmp_path: Path
) -> None:
    await post_notice(gateway, f"webchat:{SENDER}")
    deadline = time.monotonic() + 5
    while waiting(tmp_path / "notices.sqlite3") == 0 and time.monotonic() < deadline:
        await asyncio.sleep(0.02)

    async with connect(f"ws://{gateway}/webchat/ws") as socket:
        await socket.send(json.dumps({"id": 1, "sender": SENDER, "message": "hi"}))
        answer = json.loads(await socket.recv())

    assert [reply["text"] for reply in answer["replies"]] == [
        "Hello from case_filed.",
        "You said hi",
    ]
