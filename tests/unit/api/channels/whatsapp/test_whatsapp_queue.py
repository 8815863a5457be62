from __future__ import annotations

import asyncio
import sqlite3

import pytest

from api.jobs.sqlite import SqliteQueue


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def queue(tmp_path, clock):
    opened = SqliteQueue.open(tmp_path / "var" / "q.sqlite3", clock)
    yield opened
    await opened.close()


async def test_a_key_is_queued_once_even_when_offered_concurrently(tmp_path, clock):
    path = tmp_path / "q.sqlite3"
    # two connections, as two gateway processes on one machine would have
    first, second = SqliteQueue.open(path, clock), SqliteQueue.open(path, clock)

    results = await asyncio.gather(
        *(q.enqueue("wamid.1", "alice", {"n": i}) for i, q in enumerate([first, second] * 10))
    )

    assert results.count(True) == 1
    assert await first.pending() == 1
    await first.close()
    await second.close()


async def test_only_the_head_of_a_group_is_claimable_and_other_groups_proceed(queue):
    await queue.enqueue("a1", "alice", {"text": "a1"})
    await queue.enqueue("a2", "alice", {"text": "a2"})
    await queue.enqueue("b1", "bob", {"text": "b1"})

    first = await queue.claim(60)
    second = await queue.claim(60)
    third = await queue.claim(60)

    assert (first.key, second.key) == ("a1", "b1")
    assert third is None  # a2 waits behind a1, which is held
    await queue.ack(first)
    after_ack = await queue.claim(60)
    assert after_ack.key == "a2" and after_ack.payload == {"text": "a2"}


async def test_an_expired_lease_makes_the_job_claimable_again(queue, clock):
    await queue.enqueue("a1", "alice", {})
    held = await queue.claim(30)

    clock.now += 29
    assert await queue.claim(30) is None
    clock.now += 2
    again = await queue.claim(30)

    assert again.id == held.id and again.attempts == 2
    assert not await queue.extend(held, 30), "the first holder lost its lease"
    assert await queue.extend(again, 30)


async def test_retry_keeps_the_job_ahead_of_its_group_until_its_delay_passes(queue, clock):
    await queue.enqueue("a1", "alice", {})
    await queue.enqueue("a2", "alice", {})
    job = await queue.claim(60)

    await queue.retry(job, 10)

    assert await queue.claim(60) is None
    clock.now += 10
    assert (await queue.claim(60)).key == "a1"


async def test_a_buried_job_is_kept_and_its_group_moves_on(queue, tmp_path):
    await queue.enqueue("a1", "alice", {})
    await queue.enqueue("a2", "alice", {})
    job = await queue.claim(60)

    await queue.bury(job, "ValueError")

    assert (await queue.claim(60)).key == "a2"
    assert await queue.pending() == 1
    with sqlite3.connect(tmp_path / "var" / "q.sqlite3") as db:
        assert db.execute("SELECT key, reason FROM queue_jobs WHERE buried = 1").fetchall() == [
            ("a1", "ValueError")
        ]


async def test_acked_keys_still_refuse_redelivery_until_pruned(queue, clock):
    await queue.enqueue("a1", "alice", {})
    await queue.ack(await queue.claim(60))
    await queue.enqueue("b1", "bob", {})  # still waiting when pruned

    clock.now += 100
    refused = await queue.enqueue("a1", "alice", {})
    pruned = await queue.prune_keys(50)

    assert refused is False
    assert pruned == 1
    assert await queue.enqueue("a1", "alice", {}) is True
    assert await queue.enqueue("b1", "bob", {}) is False


async def test_jobs_survive_closing_and_reopening_the_file(tmp_path, clock):
    path = tmp_path / "q.sqlite3"
    before = SqliteQueue.open(path, clock)
    await before.enqueue("a1", "alice", {"text": "hello"})
    await before.close()

    after = SqliteQueue.open(path, clock)
    job = await after.claim(60)
    await after.close()

    assert (job.key, job.group, job.payload) == ("a1", "alice", {"text": "hello"})
