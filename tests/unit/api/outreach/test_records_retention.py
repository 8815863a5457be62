"""Outreach records: purged past their retention, erased per person; case statuses stay.

Every test runs against the SQLite records and the Redis ones (the ``stores`` fixture).
"""

from __future__ import annotations

from api.outreach.records import Record
from common.erasure import Person

DAY = 86_400.0
ADA = Person(phone="+447700900123", email="ada@example.com")


async def test_records_last_changed_past_retention_go_and_recent_ones_stay(stores):
    records, clock = stores.records(), stores.clock
    await records.add(Record("contact-1", "ivr", "accepted", wa_id="447700900999"))
    await records.add(Record("contact-2", "ivr", "accepted", wa_id="447700900888"))
    await records.swap_case_status("case-1", "open", "2020-01-01T00:00:00Z")
    clock.now += 25 * DAY
    await records.finish("contact-2", "sent")
    clock.now += 10 * DAY

    assert await records.purge(30 * DAY) == 1

    assert await records.get("contact-1") is None
    assert await records.get("contact-2") is not None
    # the last status of a case names no one, and tells a late event from news
    assert await records.swap_case_status("case-1", "closed", "2019-12-31T00:00:00Z") == (
        "open",
        False,
    )


async def test_erase_takes_the_records_of_the_persons_number_only(stores):
    records = stores.records()
    await records.add(Record("contact-1", "ivr", "sent", wa_id="447700900123"))
    await records.add(Record("event-1", "case_event", "skipped", detail="447700900123 unverified"))
    await records.add(Record("contact-2", "ivr", "sent", wa_id="4477009001234"))

    assert await records.erase(ADA) == 2

    assert await records.get("contact-1") is None
    assert await records.get("event-1") is None
    assert await records.get("contact-2") is not None
