"""The channels' records and the webchat inbox: purged past their retention, erased per person."""

from __future__ import annotations

import sqlite3

import pytest

from api.channels.twilio.store import TwilioDelivery, TwilioStore
from api.channels.webchat.inbox import WebchatInbox
from api.channels.whatsapp.store import Delivery, StatusRecord, WhatsAppStore
from api.rasa import Button
from common.erasure import Person
from tests.unit.api.jobs.test_queue_contract import Clock

DAY = 86_400.0
ADA = Person(phone="+447700900123", email="ada@example.com")


def rows(path, table: str) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def test_whatsapp_records_past_retention_go_and_recent_ones_stay(tmp_path, clock):
    store = WhatsAppStore.open(tmp_path / "q.sqlite3", clock)
    await store.record_status(StatusRecord("wamid.old", "read", "447700900999", 1, None, None))
    await store.record_delivery(Delivery("447700900999", "text", "sent", "wamid.old", 1))
    await store.saw_user("447700900999", clock.now)
    clock.now += 40 * DAY
    await store.record_delivery(Delivery("447700900888", "text", "sent", "wamid.new", 1))
    await store.saw_user("447700900888", clock.now - 60)

    assert await store.purge(30 * DAY) == 3

    assert await store.statuses("wamid.old") == []
    assert await store.deliveries("447700900999") == []
    assert len(await store.deliveries("447700900888")) == 1
    assert await store.window_open("447700900888")
    await store.close()


async def test_a_short_retention_never_closes_an_open_service_window(tmp_path, clock):
    store = WhatsAppStore.open(tmp_path / "q.sqlite3", clock)
    await store.saw_user("447700900888", clock.now - 3600)

    await store.purge(60.0)

    assert await store.window_open("447700900888")
    await store.close()


async def test_whatsapp_erase_takes_one_numbers_records_only(tmp_path, clock):
    store = WhatsAppStore.open(tmp_path / "q.sqlite3", clock)
    for wa_id in ("447700900123", "4477009001234"):
        await store.record_status(StatusRecord(f"wamid.{wa_id}", "sent", wa_id, 1, None, None))
        await store.record_delivery(Delivery(wa_id, "text", "sent", f"wamid.{wa_id}", 1))
        await store.saw_user(wa_id, clock.now)

    assert await store.erase(ADA) == 3

    assert await store.deliveries("447700900123") == []
    assert not await store.window_open("447700900123")
    assert len(await store.deliveries("4477009001234")) == 1
    assert await store.window_open("4477009001234")
    await store.close()


async def test_twilio_records_are_purged_and_erased(tmp_path, clock):
    store = TwilioStore.open(tmp_path / "t.sqlite3", clock)
    await store.record_delivery(TwilioDelivery("+447700900999", "sent", "SM1", 1))
    await store.remember_choices("+447700900999", [Button(title="Yes", payload="/affirm")])
    clock.now += 40 * DAY
    for phone in ("+447700900123", "+447700900888"):
        await store.record_delivery(TwilioDelivery(phone, "sent", "SM2", 1))
        await store.remember_choices(phone, [Button(title="No", payload="/deny")])

    assert await store.purge(30 * DAY) == 2
    assert await store.choices("+447700900999") == []

    assert await store.erase(ADA) == 2
    assert await store.deliveries("+447700900123") == []
    assert await store.choices("+447700900123") == []
    assert len(await store.deliveries("+447700900888")) == 1
    assert len(await store.choices("+447700900888")) == 1
    await store.close()


async def test_webchat_notices_nobody_came_back_for_are_purged(tmp_path, clock):
    inbox = WebchatInbox.open(tmp_path / "n.sqlite3", clock)
    await inbox.add("webchat:gone", [{"text": "Your case C-1 was filed."}])
    clock.now += 8 * DAY
    await inbox.add("webchat:here", [{"text": "Your case C-2 was filed."}])

    assert await inbox.purge(7 * DAY) == 1

    assert await inbox.take("webchat:gone") == []
    assert await inbox.take("webchat:here") == [{"text": "Your case C-2 was filed."}]
    await inbox.close()


async def test_webchat_erase_takes_the_persons_conversations_and_notices_naming_them(
    tmp_path, clock
):
    inbox = WebchatInbox.open(tmp_path / "n.sqlite3", clock)
    await inbox.add("webchat:ada", [{"text": "Filed."}])
    await inbox.add("webchat:other", [{"text": "We will write to ada@example.com"}])
    await inbox.add("webchat:bob", [{"text": "Filed."}])

    assert await inbox.erase(ADA.with_conversations({"webchat:ada"})) == 2

    assert rows(tmp_path / "n.sqlite3", "webchat_inbox") == 1
    assert await inbox.take("webchat:bob") == [{"text": "Filed."}]
    await inbox.close()
