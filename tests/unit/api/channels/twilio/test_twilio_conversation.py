from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from pydantic import SecretStr

from api.channels.twilio.client import TwilioClient
from api.channels.twilio.delivery import TwilioDeliverer
from api.channels.twilio.payload import parse_params
from api.channels.twilio.store import TwilioStore
from api.jobs.sqlite import SqliteQueue
from api.outbound import Backoff
from sandbox.twilio.routes import twilio_app
from sandbox.twilio.state import Failure, TwilioState
from tests.unit.api.channels.twilio.support import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    BUSINESS,
    TWILIO_URL,
    USER,
    form,
    twilio_gateways,
)
from tests.unit.api.channels.whatsapp.support import Rasa, eventually


@pytest.fixture
async def start_gateway(settings_with, tmp_path):
    async with twilio_gateways(settings_with, tmp_path) as start:
        yield start


def two_parts(message):
    return [
        {"recipient_id": message["sender"], "text": "First part."},
        {"recipient_id": message["sender"], "text": "Second part."},
    ]


async def crashed_holding(tmp_path, sid: str, body: str, progress: int = 0) -> None:
    """A gateway queued the message, claimed it, sent ``progress`` replies and died an hour ago."""
    message = parse_params(list(form(sid, body).items()))
    an_hour_ago = time.time() - 3600
    crashed = SqliteQueue.open(tmp_path / "var" / "twilio.sqlite3", clock=lambda: an_hour_ago)
    await crashed.enqueue(sid, USER, {"message": message.model_dump(mode="json", by_alias=True)})
    job = await crashed.claim(lease_seconds=60)
    assert job is not None
    if progress:
        await crashed.advance(job, progress)
    await crashed.close()


def rasa_had(rasa: Rasa, sid: str, body: str) -> None:
    """Rasa answered the message the gateway that died sent it, and keeps the turn."""
    metadata = {"channel": "twilio", "turn": sid}
    rasa.received.append({"sender": f"twilio:{USER}", "message": body, "metadata": metadata})


async def test_the_message_sid_reaches_rasa_as_the_turn(start_gateway):
    gateway = await start_gateway()

    await gateway.post(form("SM0101", "Where is my case?"))
    await eventually(lambda: len(gateway.rasa.received) == 1)

    assert gateway.rasa.received[0]["metadata"]["turn"] == "SM0101"


async def test_a_message_rasa_answered_before_its_gateway_died_is_answered_not_run_again(
    start_gateway, tmp_path
):
    rasa = Rasa()
    rasa_had(rasa, "SM0102", "Where is my case?")
    await crashed_holding(tmp_path, "SM0102", "Where is my case?")

    gateway = await start_gateway(rasa=rasa)
    await eventually(lambda: len(gateway.sent()) == 1)
    await asyncio.sleep(0.2)

    # Rasa got the message once, from the gateway that died; its reply reached the user once
    assert len(rasa.received) == 1
    assert [entry["body"] for entry in gateway.sent()] == ["You said: Where is my case?"]
    assert gateway.sent()[0]["to"] == f"whatsapp:{USER}"
    assert await gateway.runtime.queue.pending() == 0


async def test_a_gateway_that_died_mid_reply_leaves_only_the_rest_to_send(start_gateway, tmp_path):
    rasa = Rasa()
    rasa.replies = two_parts
    rasa_had(rasa, "SM0103", "Where is my case?")
    # the dead gateway had sent the first reply, and recorded so, before it died
    await crashed_holding(tmp_path, "SM0103", "Where is my case?", progress=1)

    gateway = await start_gateway(rasa=rasa)
    await eventually(lambda: len(gateway.sent()) == 1)
    await asyncio.sleep(0.2)

    assert [entry["body"] for entry in gateway.sent()] == ["Second part."]
    assert len(rasa.received) == 1


async def test_a_message_rasa_never_got_from_the_dead_gateway_is_run_once(start_gateway, tmp_path):
    await crashed_holding(tmp_path, "SM0104", "Where is my case?")

    gateway = await start_gateway()
    await eventually(lambda: len(gateway.sent()) == 1)

    assert [m["message"] for m in gateway.rasa.received] == ["Where is my case?"]
    assert [entry["body"] for entry in gateway.sent()] == ["You said: Where is my case?"]


async def test_each_reply_twilio_accepted_is_counted_before_the_next_goes(tmp_path):
    twilio = TwilioState()
    stand_in = twilio_app(twilio, ACCOUNT_SID, AUTH_TOKEN, on_call=lambda _: None)
    store = TwilioStore.open(tmp_path / "records.sqlite3")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=stand_in)) as http:
        client = TwilioClient(http, TWILIO_URL, ACCOUNT_SID, SecretStr(AUTH_TOKEN))
        deliverer = TwilioDeliverer(client, store, BUSINESS, Backoff(max_attempts=1))
        progress: list[tuple[int, int]] = []

        async def sent(count: int) -> None:
            progress.append((count, len(twilio.sent)))
            # the message after the first is refused for good
            twilio.fail_next(Failure(400, 63016, "Outside the allowed window"), 1)

        bodies = [{"Body": "one"}, {"Body": "two"}, {"Body": "three"}]
        delivered = await deliverer.deliver(f"whatsapp:{USER}", USER, bodies, sent)
    await store.close()

    # the refusal ends the delivery: nothing after it is sent or counted
    assert delivered is False
    assert progress == [(1, 1)]
    assert [entry["body"] for entry in twilio.sent] == ["one", "two"]
