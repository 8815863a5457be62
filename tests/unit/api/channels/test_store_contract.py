"""What the WhatsApp and Twilio records must do, in SQLite and in Redis, seen from two gateways.

Every test opens two connections to one store, as two gateway processes would, and runs
against both implementations (the ``stores`` fixture); the last ones check what Redis alone
promises: one hash-tagged prefix, and nothing kept longer than its retention.
"""

from __future__ import annotations

import pytest

from api.channels.twilio.store import TwilioDelivery
from api.channels.whatsapp.store import SERVICE_WINDOW_SECONDS, Delivery, StatusRecord
from api.rasa import Button
from common.erasure import Person
from tests.unit.api.stores import KEEP, Stores


async def test_receipts_written_by_one_gateway_are_read_by_another_in_order(stores: Stores):
    one, other = stores.whatsapp(), stores.whatsapp()
    for status in ("sent", "delivered", "read"):
        await one.record_status(StatusRecord("wamid.1", status, "447700900123", 1, None, None))
    await one.record_status(StatusRecord("wamid.2", "failed", None, 2, 131047, "Re-engage"))

    assert [r.status for r in await other.statuses("wamid.1")] == ["sent", "delivered", "read"]
    assert await other.statuses("wamid.2") == [
        StatusRecord("wamid.2", "failed", None, 2, 131047, "Re-engage")
    ]
    assert await other.statuses("wamid.none") == []


async def test_a_window_opened_through_one_gateway_is_open_for_another(stores: Stores):
    one, other = stores.whatsapp(), stores.whatsapp()
    clock = stores.clock

    await one.saw_user("447700900123", clock.now - 60)
    assert await other.window_open("447700900123")
    assert not await other.window_open("447700900999")

    clock.now += SERVICE_WINDOW_SECONDS
    assert not await other.window_open("447700900123")


async def test_an_older_message_never_moves_the_window_back(stores: Stores):
    one, other = stores.whatsapp(), stores.whatsapp()
    clock = stores.clock
    await one.saw_user("447700900123", clock.now)

    await other.saw_user("447700900123", clock.now - 2 * SERVICE_WINDOW_SECONDS)

    assert await one.window_open("447700900123")


async def test_send_outcomes_are_kept_per_user_oldest_first(stores: Stores):
    one, other = stores.whatsapp(), stores.whatsapp()
    await one.record_delivery(Delivery("447700900123", "text", "sent", "wamid.1", 1))
    await other.record_delivery(Delivery("447700900123", "template", "failed", None, 5, 131026))
    await other.record_delivery(Delivery("447700900999", "text", "sent", "wamid.3", 1))

    assert await one.deliveries("447700900123") == [
        Delivery("447700900123", "text", "sent", "wamid.1", 1),
        Delivery("447700900123", "template", "failed", None, 5, 131026),
    ]


async def test_options_offered_by_one_gateway_are_read_by_the_next_and_replaced(stores: Stores):
    one, other = stores.twilio(), stores.twilio()
    yes_no = [Button(title="Yes", payload="/affirm"), Button(title="No", payload="/deny")]

    await one.remember_choices("+447700900123", yes_no)
    offered = await other.choices("+447700900123")
    await other.remember_choices("+447700900123", [])

    assert offered == yes_no
    assert await one.choices("+447700900123") == []
    assert await one.choices("+447700900999") == []


async def test_twilio_send_outcomes_are_kept_per_user(stores: Stores):
    one, other = stores.twilio(), stores.twilio()
    await one.record_delivery(TwilioDelivery("+447700900123", "sent", "SM1", 1))
    await other.record_delivery(TwilioDelivery("+447700900123", "failed", None, 3, 63016, "x"))

    assert await other.deliveries("+447700900123") == [
        TwilioDelivery("+447700900123", "sent", "SM1", 1),
        TwilioDelivery("+447700900123", "failed", None, 3, 63016, "x"),
    ]


async def test_hostile_ids_stay_data_and_never_reach_other_records(stores: Stores):
    store = stores.whatsapp()
    odd = "wamid.1' OR '1'='1 *{x}:by:"
    await store.record_status(StatusRecord(odd, "sent", "447700900123", 1, None, None))
    await store.record_status(StatusRecord("wamid.2", "sent", "447700900123", 1, None, None))

    assert [r.wamid for r in await store.statuses(odd)] == [odd]
    assert [r.wamid for r in await store.statuses("wamid.2")] == ["wamid.2"]


@pytest.fixture
def in_redis(stores: Stores) -> Stores:
    if stores.redis is None:
        pytest.skip("what Redis alone promises")
    return stores


async def test_redis_records_live_under_one_hash_tag_and_expire_with_their_retention(
    in_redis: Stores,
):
    whatsapp, twilio = in_redis.whatsapp(), in_redis.twilio()
    await whatsapp.record_status(StatusRecord("wamid.1", "sent", "447700900123", 1, None, None))
    await whatsapp.record_delivery(Delivery("447700900123", "text", "sent", "wamid.1", 1))
    await whatsapp.saw_user("447700900123", in_redis.clock.now)
    await twilio.record_delivery(TwilioDelivery("+447700900123", "sent", "SM1", 1))
    await twilio.remember_choices("+447700900123", [Button(title="Yes", payload="/affirm")])

    keys = in_redis.keys()
    ttls = {key: in_redis.ttl(key) for key in keys}

    assert len(keys) >= 10
    assert all(key.startswith(in_redis.prefix) for key in keys)
    assert in_redis.prefix.count("{") == 1 and in_redis.prefix.count("}") == 1
    assert {key: ttl for key, ttl in ttls.items() if not KEEP - 60 < ttl <= KEEP} == {}


async def test_redis_records_erased_leave_no_key_naming_the_person(in_redis: Stores):
    whatsapp, twilio = in_redis.whatsapp(), in_redis.twilio()
    await whatsapp.record_status(StatusRecord("wamid.1", "sent", "447700900123", 1, None, None))
    await whatsapp.record_delivery(Delivery("447700900123", "text", "sent", "wamid.1", 1))
    await whatsapp.saw_user("447700900123", in_redis.clock.now)
    await twilio.remember_choices("+447700900123", [Button(title="Yes", payload="/affirm")])
    person = Person(phone="+447700900123")

    assert await whatsapp.erase(person) == 3
    assert await twilio.erase(person) == 1

    assert [key for key in in_redis.keys() if "447700900123" in key] == []
    assert await whatsapp.statuses("wamid.1") == []
