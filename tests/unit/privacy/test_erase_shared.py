"""Erasure reaches what the gateways share in Redis: every queue, record, waiting notice and
live chat."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api.channels.twilio.redis_store import RedisTwilioStore
from api.channels.twilio.store import TwilioDelivery
from api.channels.webchat.redis_inbox import RedisInbox
from api.channels.whatsapp.redis_store import RedisWhatsAppStore
from api.channels.whatsapp.store import Delivery
from api.handoff.redis_store import RedisRelayStore
from api.handoff.store import LiveChat
from api.jobs.redis import RedisQueue, queue_prefix
from api.outreach.records import Record
from api.outreach.redis_records import RedisOutreachRecords, records_prefix
from common.erasure import Person
from privacy.places import Places
from privacy.stores import erase_gateway
from tests.support.services import RedisServer, redis_server
from tests.unit.privacy.erase_places import places_in

ADA = Person(phone="+447700900123", email="ada@example.com")
BOB = "447700900999"
DB = 3


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with redis_server(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture
def places(redis: RedisServer, tmp_path: Path) -> Places:
    redis.cli("FLUSHDB", db=DB)
    # no SQLite file exists: everything the gateways keep is in Redis
    return places_in(tmp_path, redis_url=redis.url(DB))


async def fill(url: str) -> None:
    """Ada and Bob in every store the gateways share."""
    for wa_id in ("447700900123", BOB):
        phone = f"+{wa_id}"
        for name in ("whatsapp", "twilio", "outreach", "notices"):
            queue = RedisQueue.from_url(url, prefix=queue_prefix(name))
            await queue.enqueue(f"{name}-{wa_id}", wa_id, {"to": phone})
            await queue.close()
        whatsapp = RedisWhatsAppStore.from_url(url)
        await whatsapp.record_delivery(Delivery(wa_id, "text", "sent", f"wamid.{wa_id}", 1))
        await whatsapp.saw_user(wa_id, 1_700_000_000.0)
        await whatsapp.close()
        twilio = RedisTwilioStore.from_url(url)
        await twilio.record_delivery(TwilioDelivery(phone, "sent", "SM1", 1))
        await twilio.close()
        for name in ("outreach", "notices"):
            records = RedisOutreachRecords.from_url(
                url, prefix=records_prefix(name), keep_seconds=3600
            )
            await records.add(Record(f"ivr:{wa_id}", "ivr_handoff", "sent", wa_id=wa_id))
            await records.close()
        inbox = RedisInbox.from_url(url)
        await inbox.add(f"webchat:{wa_id}", [{"text": f"We will call {phone}."}])
        await inbox.close()
        relay = RedisRelayStore.from_url(url)
        # a chat under way, and one ended whose transcript waits for its case
        for n in (1, 2):
            await relay.put(live_chat(wa_id, n))
        await relay.end(f"contact-{wa_id}-2", file_transcript=True)
        await relay.close()


def live_chat(wa_id: str, n: int) -> LiveChat:
    return LiveChat(
        conversation_id=f"whatsapp:{wa_id}" if n == 1 else f"twilio:whatsapp:+{wa_id}",
        channel="whatsapp" if n == 1 else "twilio",
        sender=wa_id if n == 1 else f"whatsapp:+{wa_id}",
        contact_id=f"contact-{wa_id}-{n}",
        participant_id="p",
        participant_token="pt",
        connection_token="ct",
        case_ref="12345678",
    )


async def test_erase_takes_one_person_from_every_shared_store_and_leaves_the_other(places):
    assert places.redis_url is not None
    await fill(places.redis_url)

    removed = await erase_gateway(ADA, places)
    again = await erase_gateway(ADA, places)

    assert removed == {
        "queued jobs": 4,
        "delivery records": 3,
        "outreach records": 2,
        "webchat inbox": 1,
        "live chats": 2,
    }
    assert set(again.values()) == {0}
    url = places.redis_url
    whatsapp = RedisWhatsAppStore.from_url(url)
    inbox = RedisInbox.from_url(url)
    relay = RedisRelayStore.from_url(url)
    try:
        assert [chat.sender for chat in await relay.all()] == [BOB]
        assert [due.contact_id for due in await relay.due_transcripts()] == [f"contact-{BOB}-2"]
        assert len(await whatsapp.deliveries(BOB)) == 1
        assert await whatsapp.deliveries("447700900123") == []
        assert await inbox.take(f"webchat:{BOB}") == [{"text": f"We will call +{BOB}."}]
    finally:
        await whatsapp.close()
        await inbox.close()
        await relay.close()
