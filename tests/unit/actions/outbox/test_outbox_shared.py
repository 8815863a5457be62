"""Several action servers sharing one outbox: each submission sent once, a dead one's taken over.

Every test runs on both stores (``conftest.open_outbox``); on PostgreSQL each opened outbox
has a pool of its own, as an action server on another machine has.
"""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from actions.outbox.store import Outbox, Submission
from actions.outbox.worker import OutboxWorker
from cases.backend import Case, CaseDraft
from tests.unit.actions.outbox.conftest import Clock, OpenOutbox


def draft(n: int) -> CaseDraft:
    return CaseDraft(
        title=f"Parcel {n} lost",
        description="Never arrived.",
        contact=f"+4477009{n:05d}",
        priority="High",
        origin="WhatsApp",
        conversation_id=f"whatsapp:4477009{n:05d}",
        channel="whatsapp",
    )


class CountingBackend:
    """A back end that files every create, yielding to the other worker while it does."""

    def __init__(self) -> None:
        self.creates: list[str] = []

    async def create_case(self, draft: CaseDraft, key: str) -> Case:
        self.creates.append(key)
        await asyncio.sleep(0)
        return Case(case_id=f"case-{key}", ref=key, title=draft.title, status="open")


class Told:
    async def case_filed(self, draft: CaseDraft, case_ref: str, notice_id: str) -> bool:
        return True

    async def case_rejected(self, draft: CaseDraft, notice_id: str) -> bool:
        return True


def worker(outbox: Outbox, backend: Any, batch: int = 5) -> OutboxWorker:
    return OutboxWorker(outbox, lambda: backend, Told(), batch=batch, lease_seconds=60)


async def test_two_workers_racing_for_due_submissions_send_each_once(
    open_outbox: OpenOutbox,
) -> None:
    first, second = open_outbox(), open_outbox()
    for n in range(40):
        first.put(draft(n), f"k{n}")
    backend = CountingBackend()
    workers = [worker(first, backend), worker(second, backend)]

    for _ in range(20):
        sent = await asyncio.gather(*(w.run_once() for w in workers))
        if sum(sent) == 0:
            break

    assert sorted(backend.creates) == sorted(f"k{n}" for n in range(40))
    assert first.depth() == 0
    assert {first.get(f"k{n}").state for n in range(40)} == {"filed"}  # type: ignore[union-attr]


def test_leases_taken_at_the_same_moment_never_overlap(open_outbox: OpenOutbox) -> None:
    outboxes = [open_outbox() for _ in range(6)]
    for n in range(60):
        outboxes[0].put(draft(n), f"k{n}")
    start = threading.Barrier(len(outboxes))

    def lease_all(outbox: Outbox) -> list[str]:
        start.wait()
        taken: list[str] = []
        while batch := outbox.take_due(3, lease_seconds=60):
            taken += [submission.key for submission in batch]
        return taken

    with ThreadPoolExecutor(len(outboxes)) as pool:
        leased = [key for keys in pool.map(lease_all, outboxes) for key in keys]

    assert sorted(leased) == sorted(f"k{n}" for n in range(60))


def test_the_lease_of_a_worker_that_died_is_taken_by_another(
    open_outbox: OpenOutbox, clock: Clock
) -> None:
    dead, alive = open_outbox(), open_outbox()
    dead.put(draft(1), "k1")

    [taken] = dead.take_due(10, lease_seconds=60)
    while_leased = alive.take_due(10, lease_seconds=60)
    clock.now += 61
    after = alive.take_due(10, lease_seconds=60)

    assert taken.key == "k1"
    assert while_leased == []
    assert [s.key for s in after] == ["k1"]


def test_a_worker_whose_lease_ran_out_cannot_undo_what_the_next_one_recorded(
    open_outbox: OpenOutbox, clock: Clock
) -> None:
    slow, next_one = open_outbox(), open_outbox()
    slow.put(draft(1), "k1")
    slow.take_due(10, lease_seconds=60)
    clock.now += 61
    next_one.take_due(10, lease_seconds=60)
    next_one.filed("k1", "C-1")

    # the slow one's own try ends late, refused or to be retried
    slow.rejected("k1", "InvalidCase: stale")
    slow.retry_later("k1", 10, "BackendUnavailable: stale")

    kept = next_one.get("k1")
    assert kept == Submission(key="k1", draft=draft(1), state="filed", attempts=1, case_ref="C-1")
    assert next_one.unnotified(10) == [kept]


class SlowOutbox:
    """An outbox whose every call blocks, as a database far away does."""

    def __init__(self, inner: Outbox, seconds: float) -> None:
        self._inner = inner
        self._seconds = seconds

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._inner, name)

        def slow(*args: Any) -> Any:
            time.sleep(self._seconds)
            return method(*args)

        return slow


async def test_a_pass_over_a_slow_store_leaves_the_event_loop_free(outbox: Outbox) -> None:
    outbox.put(draft(1), "k1")
    pump = worker(SlowOutbox(outbox, 0.1), CountingBackend())  # type: ignore[arg-type]
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    await pump.run_once()
    ticker.cancel()

    # take_due, filed, unnotified and notified each held the store 0.1 s
    assert outbox.get("k1").notified is True  # type: ignore[union-attr]
    assert ticks >= 20
