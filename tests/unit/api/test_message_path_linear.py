"""The gateway's path of a webchat message takes time linear in the message, and Rasa is
sent no more than its configured start of a hostile one."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import AsyncExitStack

import httpx
import pytest

from api.app import create_app
from api.rasa import FULL_TEXT_KEY
from tests.support.linear import LARGE, LINEAR_GROWTH, SHAPES, hostile, slowest_growth
from tests.unit.api.conftest import FakeRasa, make_settings


@pytest.fixture
def post() -> Iterator[tuple[FakeRasa, object]]:
    """``post(text)`` sends one webchat message through a gateway on its own event loop."""
    fake_rasa = FakeRasa()
    app = create_app(make_settings(), transport=httpx.MockTransport(fake_rasa))
    loop = asyncio.new_event_loop()
    stack = AsyncExitStack()

    async def start() -> httpx.AsyncClient:
        await stack.enter_async_context(app.router.lifespan_context(app))
        transport = httpx.ASGITransport(app=app)
        return await stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url="http://gateway.test")
        )

    client = loop.run_until_complete(start())

    def send(text: str) -> int:
        fake_rasa.requests.clear()
        answer = loop.run_until_complete(
            client.post("/webchat/messages", json={"sender": "flood", "message": text})
        )
        # a message of white space alone is refused (422), as quickly as any other is answered
        assert answer.status_code in (200, 422), answer.text
        return answer.status_code

    try:
        yield fake_rasa, send
    finally:
        loop.run_until_complete(stack.aclose())
        loop.close()


def test_a_webchat_message_takes_linear_time_through_the_gateway(post) -> None:
    _, send = post

    shape, grown = slowest_growth(send)

    assert grown < LINEAR_GROWTH, f"grows {grown:.1f}x from 8k to 32k on {shape}"


@pytest.mark.parametrize("unit", list(SHAPES.values()), ids=list(SHAPES))
def test_rasa_is_sent_only_the_start_of_a_hostile_message(post, unit: str) -> None:
    fake_rasa, send = post
    text = hostile(unit, LARGE)

    if send(text) == 422:
        assert not text.strip()
        assert fake_rasa.messages() == []
        return
    [told] = fake_rasa.messages()
    assert told["message"] == text[:2_000]
    assert told["metadata"][FULL_TEXT_KEY] == text
