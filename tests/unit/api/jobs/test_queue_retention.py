"""Buried jobs kept for a while, then purged; one person's jobs erased: SQLite and Redis alike."""

from __future__ import annotations

from common.erasure import Person
from tests.unit.api.jobs import test_queue_contract as contract

# the contract's fixtures: a fresh SQLite queue and a fresh Redis one, on an injected clock
redis = contract.redis
clock = contract.clock
open_queue = contract.open_queue
queue = contract.queue

DAY = 86_400.0
ADA = Person(phone="+447700900123", email="ada@example.com")


async def bury_next(queue, reason: str = "ValueError") -> None:
    job = await queue.claim(60)
    assert job is not None
    await queue.bury(job, reason)


async def test_buried_jobs_are_purged_after_their_retention_and_recent_ones_kept(queue, clock):
    await queue.enqueue("old", "alice", {})
    await bury_next(queue)
    clock.now += 20 * DAY
    await queue.enqueue("recent", "bob", {})
    await bury_next(queue)
    await queue.enqueue("waiting", "carol", {})
    clock.now += 11 * DAY

    assert await queue.purge_buried(30 * DAY) == 1

    assert await queue.purge_buried(30 * DAY) == 0, "the recent one stays"
    clock.now += 20 * DAY
    assert await queue.purge_buried(30 * DAY) == 1
    assert await queue.pending() == 1, "a waiting job is never purged, however old"
    job = await queue.claim(60)
    assert job is not None and job.key == "waiting"


async def test_erase_removes_the_persons_jobs_by_group_or_payload_and_no_other(queue):
    await queue.enqueue("w1", "447700900123", {"text": "hi"})
    await queue.enqueue("t1", "+447700900123", {"text": "hi"})
    await queue.enqueue("n1", "webchat:abc", {"replies": ["mail ada@example.com"]})
    await queue.enqueue("b1", "447700900999", {"text": "hello"})
    await bury_next(queue)  # Ada's first job, buried: erased all the same
    await queue.enqueue("x1", "4477009001234", {"text": "someone else"})

    assert await queue.erase(ADA) == 3

    assert await queue.pending() == 2
    left = []
    while (job := await queue.claim(60)) is not None:
        left.append(job.key)
        await queue.ack(job)
    assert sorted(left) == ["b1", "x1"]


async def test_an_erased_groups_next_job_is_still_claimed(queue):
    await queue.enqueue("a1", "webchat:x", {"text": "ada@example.com"})
    await queue.enqueue("a2", "webchat:x", {"text": "something else"})

    assert await queue.erase(ADA) == 1

    job = await queue.claim(60)
    assert job is not None and job.key == "a2"
