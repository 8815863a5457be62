"""The searches agents' lists need, as one call each on both back ends: a queue, a time."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from cases.backend import CaseBackend, CaseDraft, CaseFilter, InvalidCase

if TYPE_CHECKING:
    from conftest import Sandbox

Draft = Callable[..., CaseDraft]
pytestmark = pytest.mark.standin_only

#: the handoff queue: Connect's assigned_queue holds its id, AICC's queueId its name
QUEUE = {"connect": "7c3e9a51-2f4b-4d8e-a6c0-1b9d5e7f3a22", "aicc": "casebot-handoff"}


async def test_cases_on_a_queue_are_found_by_one_search(
    backend: CaseBackend, sandbox: Sandbox, new_draft: Draft, customer: str
) -> None:
    queued = await backend.create_case(new_draft(title="On the queue"), uuid.uuid4().hex)
    await backend.create_case(new_draft(title="Not on it"), uuid.uuid4().hex)
    await backend.update_case(queued, {"assigned_queue": QUEUE[sandbox.kind]})
    await sandbox.reset_calls()

    found = await backend.search_cases(
        CaseFilter(contact=customer, assigned_queue=QUEUE[sandbox.kind])
    )

    assert [case.title for case in found.cases] == ["On the queue"]
    calls = await sandbox.calls()
    assert sum(calls.values()) == 1


async def test_cases_opened_since_a_time_are_found_by_one_search(
    backend: CaseBackend, sandbox: Sandbox, new_draft: Draft, customer: str
) -> None:
    await backend.create_case(new_draft(), uuid.uuid4().hex)
    now = datetime.now(UTC)

    recent = await backend.search_cases(
        CaseFilter(contact=customer, created_after=now - timedelta(hours=1))
    )
    later = (
        await backend.search_cases(
            CaseFilter(contact=customer, created_after=now + timedelta(minutes=5))
        )
        if sandbox.kind == "connect"
        else None
    )

    assert len(recent.cases) == 1
    if later is not None:
        assert later.cases == []


async def test_aicc_says_plainly_what_its_list_cannot_do(
    backend: CaseBackend, sandbox: Sandbox, customer: str
) -> None:
    if sandbox.kind != "aicc":
        pytest.skip("Connect Cases filters by any time and by the last change")
    long_ago = datetime.now(UTC) - timedelta(days=45)

    with pytest.raises(InvalidCase, match="31 days"):
        await backend.search_cases(CaseFilter(contact=customer, created_after=long_ago))
    with pytest.raises(InvalidCase, match="last changed"):
        await backend.search_cases(CaseFilter(contact=customer, updated_after=long_ago))
