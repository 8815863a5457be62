"""What outreach and notice records must do, in SQLite and in Redis, seen from two gateways.

A handoff or case event delivered to two gateways at once is recorded once, and the outcome
one gateway's worker records is what a webhook on another reads. Both implementations run
every test (the ``stores`` fixture).
"""

from __future__ import annotations

import asyncio

import pytest

from api.outreach.records import Record
from tests.unit.api.stores import KEEP, Stores


async def test_a_key_offered_by_two_gateways_at_once_is_recorded_once(stores: Stores):
    gateways = [stores.records() for _ in range(4)]

    for round_ in range(10):
        key = f"ivr:contact-{round_}"
        earlier = await asyncio.gather(
            *(
                gateway.add(Record(key, "ivr_handoff", "accepted", wa_id=f"4477009001{i}"))
                for i, gateway in enumerate(gateways)
            )
        )

        firsts = [found for found in earlier if found is None]
        kept = await gateways[0].get(key)
        assert len(firsts) == 1
        assert kept is not None
        assert all(found == kept for found in earlier if found is not None)


async def test_an_outcome_recorded_by_one_gateway_is_read_by_another(stores: Stores):
    one, other = stores.records(), stores.records()
    await one.add(Record("ivr:c1", "ivr_handoff", "accepted", "447700900123", "C-1", "x"))

    await other.finish("ivr:c1", "sent")
    after_sent = await one.get("ivr:c1")
    await other.finish("ivr:c1", "failed", "C-2", detail="Rasa refused")
    after_failed = await one.get("ivr:c1")
    await other.finish("ivr:c1", "no_reply", None, replace_ref=True)

    assert after_sent == Record("ivr:c1", "ivr_handoff", "sent", "447700900123", "C-1", None)
    assert after_failed == Record(
        "ivr:c1", "ivr_handoff", "failed", "447700900123", "C-2", "Rasa refused"
    )
    assert await one.get("ivr:c1") == Record("ivr:c1", "ivr_handoff", "no_reply", "447700900123")


async def test_finishing_a_record_nobody_kept_keeps_nothing(stores: Stores):
    records = stores.records()

    await records.finish("ivr:unknown", "sent", "C-1")

    assert await records.get("ivr:unknown") is None


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        # the form case events give (``CaseEvent.changed_at``)
        ("2024-03-01T10:00:00.000000+00:00", "2024-03-01T10:00:01.000000+00:00"),
        ("2024-03-01T10:00:00.000000+00:00", "2024-03-01T10:00:00.000001+00:00"),
        ("2024-03-01T09:59:59.999999+00:00", "2024-03-01T10:00:00.000000+00:00"),
        ("2023-12-31T23:59:59.999999+00:00", "2024-01-01T00:00:00.000000+00:00"),
    ],
)
async def test_a_case_status_changes_only_for_a_newer_event_compared_as_text(
    stores: Stores, earlier: str, later: str
):
    one, other = stores.records(), stores.records()

    first = await one.swap_case_status("case-1", "open", earlier)
    newer = await other.swap_case_status("case-1", "closed", later)
    late = await one.swap_case_status("case-1", "open", earlier)

    assert first == (None, True)
    assert newer == ("open", True)
    assert late == ("closed", False)


async def test_redis_records_expire_with_their_retention_but_case_statuses_stay(
    stores: Stores,
):
    if stores.redis is None:
        pytest.skip("what Redis alone promises")
    records = stores.records()
    await records.add(Record("ivr:c1", "ivr_handoff", "accepted", "447700900123"))
    await records.finish("ivr:c1", "sent")
    await records.swap_case_status("case-1", "open", "2024-03-01T10:00:00Z")

    ttls = {key.removeprefix(stores.prefix): stores.ttl(key) for key in stores.keys()}

    assert ttls.pop("case:case-1") == -1
    assert set(ttls) == {"r:ivr:c1", "at"}
    assert all(KEEP - 60 < ttl <= KEEP for ttl in ttls.values())
