from __future__ import annotations

import asyncio
import sqlite3
import time

import pytest

from api.jobs.queue import Job
from api.jobs.sqlite import SqliteQueue
from api.jobs.worker import QueueWorker, RetryLater, WorkerPolicy, advance

FAST = WorkerPolicy(concurrency=4, lease_seconds=5, poll_seconds=0.02, retry_base_seconds=0.01)


async def until(check, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


@pytest.fixture
async def queue(tmp_path):
    opened = SqliteQueue.open(tmp_path / "q.sqlite3")
    yield opened
    await opened.close()


@pytest.fixture
async def run_worker():
    workers: list[QueueWorker] = []

    def start(queue, handler, policy=FAST) -> QueueWorker:
        worker = QueueWorker(queue, handler, policy)
        worker.start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        await worker.stop()


async def test_each_sender_in_order_while_senders_run_side_by_side(queue, run_worker):
    events: list[tuple[str, str]] = []
    slow_started = asyncio.Event()

    async def handle(job: Job) -> None:
        text = str(job.payload["text"])
        events.append(("start", text))
        if text == "a1":
            slow_started.set()
            await asyncio.sleep(0.3)
        events.append(("end", text))

    for key, group in [("a1", "alice"), ("a2", "alice"), ("a3", "alice"), ("b1", "bob")]:
        await queue.enqueue(key, group, {"text": key})
    worker = run_worker(queue, handle)
    worker.wake()
    await until(lambda: len(events) == 8)

    alice = [text for kind, text in events if kind == "start" and text.startswith("a")]
    assert alice == ["a1", "a2", "a3"]
    # a2 never starts before a1 has ended
    assert events.index(("end", "a1")) < events.index(("start", "a2"))
    # bob was not held up behind alice's slow message
    assert events.index(("end", "b1")) < events.index(("end", "a1"))


async def test_a_job_that_asks_to_retry_runs_again_and_others_wait_for_it(queue, run_worker):
    calls: list[str] = []

    async def handle(job: Job) -> None:
        calls.append(job.key)
        if job.key == "a1" and job.attempts < 3:
            raise RetryLater("Rasa is down")

    await queue.enqueue("a1", "alice", {})
    await queue.enqueue("a2", "alice", {})
    run_worker(queue, handle).wake()
    await until(lambda: "a2" in calls)

    assert calls == ["a1", "a1", "a1", "a2"]
    for _ in range(200):
        if await queue.pending() == 0:
            break
        await asyncio.sleep(0.01)
    assert await queue.pending() == 0


async def test_retries_are_bounded_and_a_failing_job_does_not_block_its_sender(queue, run_worker):
    calls: list[str] = []

    async def handle(job: Job) -> None:
        calls.append(job.key)
        if job.key == "a1":
            raise RetryLater("still down")
        if job.key == "a2":
            raise ValueError("cannot handle this")

    for key in ("a1", "a2", "a3"):
        await queue.enqueue(key, "alice", {})
    policy = WorkerPolicy(poll_seconds=0.02, retry_base_seconds=0.001, max_attempts=3)
    run_worker(queue, handle, policy).wake()
    await until(lambda: "a3" in calls)

    assert calls == ["a1", "a1", "a1", "a2", "a3"]


async def test_stopping_hands_a_running_job_back_at_once(queue, run_worker):
    started = asyncio.Event()

    async def hang(job: Job) -> None:
        started.set()
        await asyncio.Event().wait()

    await queue.enqueue("a1", "alice", {"text": "hello"})
    worker = run_worker(queue, hang, WorkerPolicy(lease_seconds=600, poll_seconds=0.02))
    await asyncio.wait_for(started.wait(), 5)

    await worker.stop()

    job = await queue.claim(60)
    assert job is not None and job.key == "a1" and job.attempts == 2


async def test_a_long_job_keeps_its_lease(queue, run_worker):
    runs: list[int] = []

    async def slow(job: Job) -> None:
        runs.append(job.attempts)
        await asyncio.sleep(0.5)

    await queue.enqueue("a1", "alice", {})
    # leases of 0.15 s renewed every 0.05 s: nobody may claim the job while it runs
    run_worker(queue, slow, WorkerPolicy(lease_seconds=0.15, poll_seconds=0.01)).wake()
    await until(lambda: bool(runs))
    await asyncio.sleep(0.3)

    assert await queue.claim(60) is None
    assert runs == [1]


async def test_a_queue_failure_while_finishing_is_logged_and_the_worker_goes_on(
    queue, run_worker, caplog
):
    handled: list[str] = []
    real_ack = queue.ack
    failures = iter([sqlite3.OperationalError("database is locked")])

    async def flaky_ack(job: Job) -> None:
        error = next(failures, None)
        if error is not None:
            raise error
        await real_ack(job)

    async def handle(job: Job) -> None:
        handled.append(job.key)

    queue.ack = flaky_ack
    await queue.enqueue("a1", "alice", {})
    await queue.enqueue("b1", "bob", {})
    run_worker(queue, handle).wake()
    await until(lambda: sorted(handled) == ["a1", "b1"])

    assert "Finishing a job failed" in caplog.text
    assert "database is locked" in caplog.text


async def test_how_far_a_job_got_reaches_the_next_claim_of_it(queue, run_worker):
    seen: list[tuple[int, int]] = []

    async def handle(job: Job) -> None:
        seen.append((job.attempts, job.progress))
        if job.attempts == 1:
            await advance(job, 2)
            raise RetryLater("Graph is down")

    await queue.enqueue("a1", "alice", {})
    worker = run_worker(queue, handle)
    worker.wake()
    await until(lambda: len(seen) == 2)

    assert seen == [(1, 0), (2, 2)]
