"""Two Twilio gateways sharing one Redis: a redelivered message is answered once, and options
offered through one gateway are understood by the other.

Each gateway keeps its own SQLite file, so only what they share in Redis can tell them apart
from two unrelated processes.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from pydantic import SecretStr

from api.channels.twilio.redis_store import RedisTwilioStore
from api.jobs.redis import RedisQueue
from sandbox.twilio.state import TwilioState
from tests.support.services import RedisServer
from tests.unit.api.channels.twilio.support import TwilioGateway, form, twilio_gateways
from tests.unit.api.channels.whatsapp.support import Rasa, eventually


@pytest.fixture
async def two_gateways(shared_redis: RedisServer, settings_with: Any, tmp_path: Any) -> Any:
    rasa, twilio = Rasa(), TwilioState()
    url = SecretStr(shared_redis.url())
    async with twilio_gateways(settings_with, tmp_path) as start:
        gateways: list[TwilioGateway] = [
            await start(
                rasa=rasa,
                twilio=twilio,
                gateway_queue_url=url,
                twilio_queue_db=tmp_path / name / "twilio.sqlite3",
            )
            for name in ("a", "b")
        ]
        yield gateways


def a_user() -> str:
    return f"+1650{uuid.uuid4().int % 10**7:07d}"


async def test_a_message_twilio_delivers_to_two_gateways_is_answered_once(two_gateways):
    a, b = two_gateways
    assert isinstance(a.runtime.queue, RedisQueue)
    assert isinstance(b.runtime.store, RedisTwilioStore)
    user = a_user()
    params = form(f"SM{uuid.uuid4().hex}", "Where is my case?", sender=user)

    answers = await asyncio.gather(*(gateway.post(params) for gateway in (a, b, a, b)))
    await eventually(lambda: len(a.sent()) >= 1)
    await asyncio.sleep(1.5)  # past a poll of both workers: a second copy would be handled by now

    assert [answer.status_code for answer in answers] == [200] * 4
    assert a.rasa.texts(f"twilio:{user}") == ["Where is my case?"]
    assert [(sent["to"], sent["body"]) for sent in a.sent()] == [
        (f"whatsapp:{user}", "You said: Where is my case?")
    ]


async def test_options_offered_through_one_gateway_are_answered_through_the_other(two_gateways):
    a, b = two_gateways
    user = a_user()
    a.rasa.replies = lambda message: [
        {
            "recipient_id": message["sender"],
            "text": "Is this about case 10000042?",
            "buttons": [
                {"title": "Yes", "payload": "/affirm"},
                {"title": "No", "payload": "/deny"},
            ],
        }
    ]
    await a.post(form(f"SM{uuid.uuid4().hex}", "status of 10000042", sender=user))
    await eventually(lambda: len(a.sent()) == 1)

    await b.post(form(f"SM{uuid.uuid4().hex}", "2", sender=user))
    await eventually(lambda: len(a.rasa.texts(f"twilio:{user}")) == 2)

    assert a.rasa.texts(f"twilio:{user}") == ["status of 10000042", "/deny"]
