from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
from pydantic import SecretStr
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from api.app import create_app
from tests.unit.api.served import served

SECRET = "host-site-shared-secret-of-some-length"


@pytest.fixture
def gateway_url(fake_rasa: Any, settings_with: Any) -> Iterator[str]:
    settings = settings_with(
        webchat_identity_secret=SecretStr(SECRET),
        gateway_max_message_chars=100,
        gateway_max_body_bytes=400,
    )
    app = create_app(settings, transport=httpx.MockTransport(fake_rasa))
    with served(app) as address:
        yield f"ws://{address}/webchat/ws"


async def exchange(url: str, *frames: Any) -> list[dict[str, Any]]:
    answers = []
    async with connect(url) as socket:
        for frame in frames:
            await socket.send(frame if isinstance(frame, str) else json.dumps(frame))
            answers.append(json.loads(await socket.recv()))
    return answers


async def test_frames_are_answered_in_order_with_the_bot_replies(
    gateway_url: str, fake_rasa: Any
) -> None:
    fake_rasa.replies = [
        {"recipient_id": "x", "text": "Which priority?", "buttons": [
            {"title": "High", "payload": "/inform{\"priority\":\"High\"}"}]},
    ]  # fmt: skip

    answers = await exchange(
        gateway_url,
        {"id": 1, "sender": "tab-1", "message": "open a case"},
        {"id": 2, "sender": "tab-1", "message": "it is broken"},
    )

    assert [answer["id"] for answer in answers] == [1, 2]
    assert answers[0]["replies"] == [
        {
            "text": "Which priority?",
            "buttons": [{"title": "High", "payload": '/inform{"priority":"High"}'}],
        }
    ]
    assert [m["message"] for m in fake_rasa.messages()] == ["open a case", "it is broken"]
    assert {m["sender"] for m in fake_rasa.messages()} == {"webchat:tab-1"}


async def test_identity_token_in_a_frame_marks_the_user(gateway_url: str, fake_rasa: Any) -> None:
    token = jwt.encode(
        {"sub": "u-1", "exp": int(time.time()) + 60, "email": "ada@example.com"},
        SECRET,
        algorithm="HS256",
    )

    [answer] = await exchange(
        gateway_url, {"id": "a", "sender": "tab-1", "message": "hi", "token": token}
    )

    assert "replies" in answer
    [message] = fake_rasa.messages()
    assert message["metadata"]["identity"]["email"] == "ada@example.com"
    assert message["metadata"]["contact"] == "ada@example.com"


async def test_bad_frames_get_the_errors_a_post_would_and_the_socket_stays_open(
    gateway_url: str, fake_rasa: Any
) -> None:
    answers = await exchange(
        gateway_url,
        "not json",
        {"id": 2, "sender": "bad sender!", "message": "hi"},
        {"id": 3, "sender": "tab-1", "message": "x" * 101},
        {"id": 4, "sender": "tab-1", "message": "hi", "token": "forged"},
        {"id": 5, "sender": "tab-1", "message": "still here"},
    )

    assert [(a["id"], a.get("status")) for a in answers] == [
        (None, 422),
        (2, 422),
        (3, 413),
        (4, 401),
        (5, None),
    ]
    assert "100" in answers[2]["error"]
    assert [m["message"] for m in fake_rasa.messages()] == ["still here"]


async def test_rasa_down_is_a_503_answer_not_a_dropped_socket(
    gateway_url: str, fake_rasa: Any
) -> None:
    fake_rasa.go_down()

    [answer] = await exchange(gateway_url, {"id": 1, "sender": "tab-1", "message": "hi"})

    assert answer["status"] == 503
    assert "not available" in answer["error"]


async def test_oversized_frame_closes_the_socket_unprocessed(
    gateway_url: str, fake_rasa: Any
) -> None:
    async with connect(gateway_url) as socket:
        await socket.send(json.dumps({"id": 1, "sender": "s", "message": "y" * 1000}))
        with pytest.raises(ConnectionClosed) as closed:
            await socket.recv()

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009
    assert fake_rasa.requests == []
