"""What every ``JobQueue`` must do, run against the SQLite file and a real Redis server."""

from __future__ import annotations

import asyncio
import random
import sqlite3
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from api.jobs.queue import JobQueue
from api.jobs.redis import RedisQueue
from api.jobs.sqlite import SqliteQueue
from tests.support.services import RedisServer, redis_server


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with redis_server(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture
def clock() -> Clock:
    return Clock()


Opener = Callable[[], JobQueue]


@pytest.fixture(params=["sqlite", "redis"])
async def open_queue(request, tmp_path, clock) -> AsyncIterator[Opener]:
    """Opens connections to one fresh store, as separate gateway processes would have."""
    opened: list[JobQueue] = []
    prefix = f"test:{{{uuid.uuid4().hex}}}:"

    def open_one() -> JobQueue:
        queue: JobQueue
        if request.param == "sqlite":
            queue = SqliteQueue.open(tmp_path / "var" / "q.sqlite3", clock)
        else:
            server: RedisServer = request.getfixturevalue("redis")
            queue = RedisQueue.from_url(server.url(), prefix=prefix, clock=clock)
        opened.append(queue)
        return queue

    yield open_one
    for queue in opened:
        await queue.close()


@pytest.fixture
def queue(open_queue: Opener) -> JobQueue:
    return open_queue()


async def test_a_key_is_queued_once_even_when_offered_concurrently(open_queue):
    first, second = open_queue(), open_queue()

    results = await asyncio.gather(
        *(q.enqueue("wamid.1", "alice", {"n": i}) for i, q in enumerate([first, second] * 10))
    )

    assert results.count(True) == 1
    assert await first.pending() == 1
    assert await second.pending() == 1


async def test_only_the_head_of_a_group_is_claimable_and_other_groups_proceed(queue):
    await queue.enqueue("a1", "alice", {"text": "a1"})
    await queue.enqueue("a2", "alice", {"text": "a2"})
    await queue.enqueue("b1", "bob", {"text": "b1"})

    first = await queue.claim(60)
    second = await queue.claim(60)
    third = await queue.claim(60)

    assert (first.key, second.key) == ("a1", "b1")
    assert (first.group, first.payload, first.attempts) == ("alice", {"text": "a1"}, 1)
    assert third is None  # a2 waits behind a1, which is held
    await queue.ack(first)
    after_ack = await queue.claim(60)
    assert after_ack.key == "a2" and after_ack.payload == {"text": "a2"}


async def test_the_oldest_claimable_job_is_claimed_first(queue):
    await queue.enqueue("z1", "zoe", {})
    await queue.enqueue("a1", "alice", {})
    await queue.enqueue("z2", "zoe", {})

    first = await queue.claim(60)
    second = await queue.claim(60)
    await queue.ack(first)

    assert (first.key, second.key) == ("z1", "a1")
    assert (await queue.claim(60)).key == "z2"


async def test_an_expired_lease_makes_the_job_claimable_again(queue, clock):
    await queue.enqueue("a1", "alice", {})
    held = await queue.claim(30)

    clock.now += 29
    assert await queue.claim(30) is None
    clock.now += 2
    again = await queue.claim(30)

    assert again.id == held.id and again.attempts == 2
    assert again.lease != held.lease
    assert not await queue.extend(held, 30), "the first holder lost its lease"
    assert await queue.extend(again, 30)


async def test_a_job_claimed_again_after_its_consumer_died_says_how_far_it_got(open_queue, clock):
    dead, alive = open_queue(), open_queue()
    await dead.enqueue("a1", "alice", {})
    job = await dead.claim(lease_seconds=15)
    assert job is not None and job.progress == 0
    await dead.advance(job, 2)
    await dead.advance(job, 1)  # progress never goes back

    clock.now += 16
    again = await alive.claim(lease_seconds=15)

    assert again is not None and again.id == job.id
    assert (again.attempts, again.progress) == (2, 2)


async def test_extending_a_lease_keeps_the_job_from_others(queue, clock):
    await queue.enqueue("a1", "alice", {})
    held = await queue.claim(30)

    clock.now += 20
    assert await queue.extend(held, 30)
    clock.now += 20

    assert await queue.claim(30) is None
    clock.now += 11
    assert (await queue.claim(30)).attempts == 2


async def test_a_lease_that_ran_out_unclaimed_can_still_be_extended(queue, clock):
    await queue.enqueue("a1", "alice", {})
    held = await queue.claim(30)

    clock.now += 40
    assert await queue.extend(held, 30)

    assert await queue.claim(30) is None


async def test_retry_keeps_the_job_ahead_of_its_group_until_its_delay_passes(queue, clock):
    await queue.enqueue("a1", "alice", {})
    await queue.enqueue("a2", "alice", {})
    job = await queue.claim(60)

    await queue.retry(job, 10)

    assert await queue.claim(60) is None
    clock.now += 10
    again = await queue.claim(60)
    assert (again.key, again.attempts) == ("a1", 2)


async def test_a_lost_lease_can_neither_retry_nor_bury_the_job(queue, clock):
    await queue.enqueue("a1", "alice", {})
    await queue.enqueue("a2", "alice", {})
    stale = await queue.claim(10)
    clock.now += 11
    current = await queue.claim(60)

    await queue.retry(stale, 0)
    await queue.bury(stale, "late")

    assert await queue.claim(60) is None, "a1 is still held by its current holder"
    assert await queue.pending() == 2
    assert await queue.extend(current, 60)


async def test_a_buried_job_is_kept_out_of_the_count_and_its_group_moves_on(queue):
    await queue.enqueue("a1", "alice", {})
    await queue.enqueue("a2", "alice", {})
    job = await queue.claim(60)

    await queue.bury(job, "ValueError")

    assert (await queue.claim(60)).key == "a2"
    assert await queue.pending() == 1
    assert await queue.enqueue("a1", "alice", {}) is False, "a buried message stays deduped"


async def test_ack_by_a_holder_whose_lease_ran_out_finishes_the_job(queue, clock):
    await queue.enqueue("a1", "alice", {})
    await queue.enqueue("a2", "alice", {})
    stale = await queue.claim(10)
    clock.now += 11
    current = await queue.claim(60)

    await queue.ack(stale)

    assert not await queue.extend(current, 60), "the job is done: nobody holds it any more"
    assert (await queue.claim(60)).key == "a2"
    assert await queue.pending() == 1


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


async def test_jobs_survive_closing_and_reopening(open_queue):
    before = open_queue()
    await before.enqueue("a1", "alice", {"text": "hello"})
    await before.close()

    after = open_queue()
    job = await after.claim(60)

    assert (job.key, job.group, job.payload) == ("a1", "alice", {"text": "hello"})


async def test_consumers_on_separate_connections_keep_each_group_in_order(open_queue):
    producer = open_queue()
    groups = {f"sender{g}": [f"s{g}-m{n}" for n in range(8)] for g in range(5)}
    for n in range(8):
        for group, keys in groups.items():
            await producer.enqueue(keys[n], group, {"n": n})
    handled: dict[str, list[str]] = {group: [] for group in groups}
    in_flight: set[str] = set()
    overlaps: list[str] = []

    async def consume(queue: JobQueue) -> None:
        idle = 0
        while idle < 20:
            job = await queue.claim(60)
            if job is None:
                idle += 1
                await asyncio.sleep(0.005)
                continue
            idle = 0
            if job.group in in_flight:
                overlaps.append(job.key)
            in_flight.add(job.group)
            await asyncio.sleep(random.uniform(0, 0.003))
            handled[job.group].append(job.key)
            in_flight.discard(job.group)
            await queue.ack(job)

    consumers: list[Any] = [consume(open_queue()) for _ in range(3) for _ in range(2)]
    await asyncio.gather(*consumers)

    assert overlaps == [], "two jobs of one group ran at the same time"
    assert handled == groups
    assert await producer.pending() == 0


async def test_a_queue_file_from_before_progress_was_kept_takes_it_and_keeps_its_jobs(tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(
            "CREATE TABLE queue_keys (key TEXT PRIMARY KEY, queued_at REAL NOT NULL);"
            "CREATE TABLE queue_jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL "
            "UNIQUE, grp TEXT NOT NULL, payload TEXT NOT NULL, buried INTEGER NOT NULL DEFAULT "
            "0, available_at REAL NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, lease TEXT, "
            "reason TEXT);"
            "INSERT INTO queue_jobs (key, grp, payload, available_at) "
            "VALUES ('a1', 'alice', '{}', 0);"
        )
    db.close()
    queue = SqliteQueue.open(path)
    try:
        job = await queue.claim(lease_seconds=15)
        assert job is not None and (job.key, job.progress) == ("a1", 0)
        await queue.advance(job, 1)
        await queue.retry(job, 0)
        assert (await queue.claim(lease_seconds=15)).progress == 1
    finally:
        await queue.close()
