"""A queued AICC case whose first action server died between AICC's answer and the outbox's
mark is filed once: the next server's retry finds the case under its idempotency key.

On both stores (``conftest.database_url``): on PostgreSQL the two action servers share the
keys and the outbox from two machines, each through its own pool.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from actions.outbox.store import Outbox
from actions.outbox.worker import OutboxWorker
from cases.aicc.idempotency import IdempotencyStore, SqliteIdempotencyStore
from cases.aicc.idempotency_postgres import PostgresIdempotencyStore
from cases.backend import CaseDraft
from common.postgres import Pool
from tests.unit.actions.outbox.conftest import Clock, OpenOutbox
from tests.unit.cases.aicc.aicc_fake import FakeAicc, backend, draft


class Told:
    def __init__(self) -> None:
        self.filed: list[str] = []

    async def case_filed(self, draft: CaseDraft, case_ref: str, notice_id: str) -> bool:
        self.filed.append(case_ref)
        return True

    async def case_rejected(self, draft: CaseDraft, notice_id: str) -> bool:
        raise AssertionError("the case was filed")


async def test_a_create_retried_after_a_crash_before_the_outbox_mark_makes_one_case(
    database_url: str | None,
    new_pool: Callable[[], Pool],
    open_outbox: OpenOutbox,
    clock: Clock,
    tmp_path: Path,
) -> None:
    def keys() -> IdempotencyStore:
        if database_url is None:
            return SqliteIdempotencyStore(tmp_path / "keys.sqlite3")
        return PostgresIdempotencyStore(new_pool())

    aicc = FakeAicc()
    first: tuple[Outbox, IdempotencyStore] = (open_outbox(), keys())
    second: tuple[Outbox, IdempotencyStore] = (open_outbox(), keys())
    first[0].put(draft(), "key-1")
    # the first action server leases it, AICC files it, and the server dies before the mark
    [leased] = first[0].take_due(10, lease_seconds=60)
    filed = await backend(aicc, tmp_path, store=first[1]).create_case(leased.draft, leased.key)
    clock.now += 61
    told = Told()
    retry = OutboxWorker(
        second[0], lambda: backend(aicc, tmp_path, store=second[1]), told, lease_seconds=60
    )

    assert await retry.run_once() == 1

    assert [body["caseInfo"]["title"] for body in aicc.sent("create")] == [draft().title]
    kept = second[0].get("key-1")
    assert kept is not None
    assert (kept.state, kept.case_ref) == ("filed", filed.ref)
    assert told.filed == [filed.ref]
