"""What the outbox and its worker do, on each store (``conftest.open_outbox``)."""

from __future__ import annotations

from typing import Any

import pytest

from actions.outbox.store import Outbox
from actions.outbox.worker import OutboxWorker
from cases.backend import BackendUnavailable, CaseDraft, InvalidCase, Throttled
from tests.unit.actions.outbox.conftest import Clock, OpenOutbox

DRAFT = CaseDraft(
    title="Parcel lost",
    description="Never arrived.",
    contact="+447700900123",
    priority="High",
    origin="WhatsApp",
    conversation_id="whatsapp:447700900123",
    channel="whatsapp",
)


class Notices:
    def __init__(self) -> None:
        self.filed: list[tuple[str, str]] = []
        self.rejected: list[str] = []
        self.deliverable = True
        self.notice_ids: list[str] = []

    async def case_filed(self, draft: CaseDraft, case_ref: str, notice_id: str) -> bool:
        self.notice_ids.append(notice_id)
        if not self.deliverable:
            return False
        self.filed.append((draft.conversation_id, case_ref))
        return True

    async def case_rejected(self, draft: CaseDraft, notice_id: str) -> bool:
        self.rejected.append(draft.conversation_id)
        return True


@pytest.fixture
def notices() -> Notices:
    return Notices()


def worker(outbox: Outbox, backend: Any, notices: Notices) -> OutboxWorker:
    # jitter 1.0: the full back-off, so the delays are exact
    return OutboxWorker(
        outbox, lambda: backend, notices, base_delay=2, max_delay=60, jitter=lambda: 1.0
    )


def test_a_key_is_kept_once(outbox: Outbox) -> None:
    assert outbox.put(DRAFT, "k1") is True
    assert outbox.put(DRAFT, "k1") is False

    assert outbox.depth() == 1


def test_a_leased_submission_is_not_taken_twice_until_its_lease_runs_out(
    outbox: Outbox, clock: Clock
) -> None:
    outbox.put(DRAFT, "k1")

    first = outbox.take_due(10, lease_seconds=30)
    meanwhile = outbox.take_due(10, lease_seconds=30)
    clock.now += 31
    after_the_lease = outbox.take_due(10, lease_seconds=30)

    assert [s.key for s in first] == ["k1"]
    assert meanwhile == []
    assert [s.key for s in after_the_lease] == ["k1"]


def test_submissions_survive_a_restart(open_outbox: OpenOutbox) -> None:
    open_outbox().put(DRAFT, "k1")

    reopened = open_outbox()

    [kept] = reopened.take_due(10, lease_seconds=30)
    assert kept.draft == DRAFT
    assert kept.state == "pending"


async def test_down_back_end_is_retried_with_the_same_key_until_the_case_is_filed(
    outbox: Outbox, clock: Clock, notices: Notices, backend: Any
) -> None:
    backend.failures.extend([BackendUnavailable("down"), Throttled("slow down")])
    outbox.put(DRAFT, "k1")
    pump = worker(outbox, backend, notices)

    await pump.run_once()
    clock.now += 2
    await pump.run_once()
    clock.now += 4
    await pump.run_once()

    assert [key for _, key in backend.creates] == ["k1", "k1", "k1"]
    done = outbox.get("k1")
    assert done is not None
    assert done.state == "filed"
    assert done.attempts == 3
    assert notices.filed == [("whatsapp:447700900123", done.case_ref)]
    assert outbox.depth() == 0


async def test_back_off_doubles_and_nothing_is_sent_before_it_ends(
    outbox: Outbox, clock: Clock, notices: Notices, backend: Any
) -> None:
    backend.failures.extend([BackendUnavailable("down")] * 8)
    outbox.put(DRAFT, "k1")
    pump = worker(outbox, backend, notices)
    await pump.run_once()
    waits = []

    for _ in range(7):
        sent = len(backend.creates)
        wait = 0
        while len(backend.creates) == sent:
            clock.now += 1
            wait += 1
            await pump.run_once()
        waits.append(wait)

    assert waits == [2, 4, 8, 16, 32, 60, 60]


async def test_a_case_the_back_end_refuses_is_kept_as_rejected_and_the_user_told(
    outbox: Outbox, notices: Notices, backend: Any
) -> None:
    backend.failures.append(InvalidCase("no"))
    outbox.put(DRAFT, "k1")

    await worker(outbox, backend, notices).run_once()
    await worker(outbox, backend, notices).run_once()

    assert outbox.get("k1").state == "rejected"  # type: ignore[union-attr]
    assert len(backend.creates) == 1
    assert notices.rejected == ["whatsapp:447700900123"]


async def test_a_notice_tried_again_carries_the_same_notice_id_so_the_gateway_tells_once(
    outbox: Outbox, notices: Notices, backend: Any
) -> None:
    outbox.put(DRAFT, "k1")
    pump = worker(outbox, backend, notices)
    notices.deliverable = False

    await pump.run_once()
    notices.deliverable = True
    await pump.run_once()
    await pump.run_once()

    assert len(backend.creates) == 1
    assert len(notices.filed) == 1
    assert notices.notice_ids == ["k1", "k1"]
    assert outbox.get("k1").notified is True  # type: ignore[union-attr]
