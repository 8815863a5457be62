"""The channels' records and the webchat inbox: purged past their retention, erased per person.

Every test runs against the SQLite stores and the Redis ones (the ``stores`` fixture).
"""

from __future__ import annotations

from api.channels.twilio.store import TwilioDelivery
from api.channels.whatsapp.store import Delivery, StatusRecord
from api.rasa import Button
from common.erasure import Person

DAY = 86_400.0
ADA = Person(phone="+447700900123", email="ada@example.com")


async def test_whatsapp_records_past_retention_go_and_recent_ones_stay(stores):
    store, clock = stores.whatsapp(), stores.clock
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


async def test_a_short_retention_never_closes_an_open_service_window(stores):
    store, clock = stores.whatsapp(), stores.clock
    await store.saw_user("447700900888", clock.now - 3600)

    await store.purge(60.0)

    assert await store.window_open("447700900888")


async def test_whatsapp_erase_takes_one_numbers_records_only(stores):
    store, clock = stores.whatsapp(), stores.clock
    for wa_id in ("447700900123", "4477009001234"):
        await store.record_status(StatusRecord(f"wamid.{wa_id}", "sent", wa_id, 1, None, None))
        await store.record_delivery(Delivery(wa_id, "text", "sent", f"wamid.{wa_id}", 1))
        await store.saw_user(wa_id, clock.now)

    assert await store.erase(ADA) == 3

    assert await store.deliveries("447700900123") == []
    assert not await store.window_open("447700900123")
    assert len(await store.deliveries("4477009001234")) == 1
    assert await store.window_open("4477009001234")


async def test_twilio_records_are_purged_and_erased(stores):
    store, clock = stores.twilio(), stores.clock
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


async def test_webchat_notices_nobody_came_back_for_are_purged(stores):
    inbox, clock = stores.inbox(), stores.clock
    await inbox.add("webchat:gone", [{"text": "Your case C-1 was filed."}])
    clock.now += 8 * DAY
    await inbox.add("webchat:here", [{"text": "Your case C-2 was filed."}])

    assert await inbox.purge(7 * DAY) == 1

    assert await inbox.take("webchat:gone") == []
    assert await inbox.take("webchat:here") == [{"text": "Your case C-2 was filed."}]


async def test_webchat_erase_takes_the_persons_conversations_and_notices_naming_them(stores):
    inbox = stores.inbox()
    await inbox.add("webchat:ada", [{"text": "Filed."}])
    await inbox.add("webchat:other", [{"text": "We will write to ada@example.com"}])
    await inbox.add("webchat:bob", [{"text": "Filed."}])

    assert await inbox.erase(ADA.with_conversations({"webchat:ada"})) == 2

    assert await inbox.take("webchat:ada") == []
    assert await inbox.take("webchat:other") == []
    assert await inbox.take("webchat:bob") == [{"text": "Filed."}]
