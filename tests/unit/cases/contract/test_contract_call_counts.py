"""What a warm create and a status check cost in API calls on each back end, as counted by
the sandbox; a change in either is a regression to explain, not noise.

Warm means the first create has run: Connect's template is cached, AICC's token is held.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from cases.backend import CaseBackend, CaseDraft

if TYPE_CHECKING:
    # the conftest of this folder; only its type is wanted, never a second import of it
    from conftest import Sandbox

Draft = Callable[..., CaseDraft]
#: calls are counted at the stand-in, so none of this runs live
pytestmark = pytest.mark.standin_only

#: CreateCase answers only ids, so Connect reads the case back with GetCase for its reference
#: number; AICC's create answers the caseId, which is the reference, and nothing is read back
WARM_CREATE = {
    "connect": {"CreateCase": 1, "GetCase": 1},
    "aicc": {"CreateCase": 1},
}
#: a reference is found by one search (Connect) or one ``GET /case/{id}`` (AICC)
STATUS_CHECK = {"connect": {"SearchCases": 1}, "aicc": {"GetCase": 1}}
#: the case read as above, then its history (Connect knows the case id by then); AICC's
#: history is the ``caseTrace`` of the same ``GET /case/{id}``, read again
STATUS_CHECK_WITH_HISTORY = {
    "connect": {"SearchCases": 1, "GetCaseAuditEvents": 1},
    "aicc": {"GetCase": 2},
}


async def test_a_warm_create_costs_a_create_and_on_connect_a_read_back(
    backend: CaseBackend, sandbox: Sandbox, new_draft: Draft
) -> None:
    await backend.create_case(new_draft(title="Warming up"), uuid.uuid4().hex)
    await sandbox.reset_calls()

    case = await backend.create_case(new_draft(), uuid.uuid4().hex)

    assert await sandbox.calls() == WARM_CREATE[sandbox.kind]
    assert case.title == "Parcel lost"


async def test_a_repeated_create_with_the_same_key_costs_no_more_than_a_warm_create(
    backend: CaseBackend, sandbox: Sandbox, new_draft: Draft
) -> None:
    """Connect sends CreateCase again (its clientToken answers the same case); AICC finds the
    key in its own store and only reads the case back.
    """
    idempotency_key = uuid.uuid4().hex
    first = await backend.create_case(new_draft(), idempotency_key)
    await sandbox.reset_calls()

    again = await backend.create_case(new_draft(), idempotency_key)

    assert again.case_id == first.case_id
    expected = {"connect": {"CreateCase": 1, "GetCase": 1}, "aicc": {"GetCase": 1}}
    assert await sandbox.calls() == expected[sandbox.kind]


async def test_a_status_check_costs_one_call(
    backend: CaseBackend, sandbox: Sandbox, new_draft: Draft
) -> None:
    case = await backend.create_case(new_draft(), uuid.uuid4().hex)
    await sandbox.reset_calls()

    found = await backend.get_case(case.ref)

    assert await sandbox.calls() == STATUS_CHECK[sandbox.kind]
    assert found.status == "open"


async def test_a_status_check_with_history_costs_two_calls_a_read_and_the_history(
    backend: CaseBackend, sandbox: Sandbox, new_draft: Draft
) -> None:
    """What ``action_check_case_status`` asks of a back end for a case named by reference."""
    case = await backend.create_case(new_draft(), uuid.uuid4().hex)
    await backend.update_case(case.ref, {"status": "pending"})
    await sandbox.reset_calls()

    found = await backend.get_case(case.ref)
    history = await backend.get_history(found.ref)

    assert await sandbox.calls() == STATUS_CHECK_WITH_HISTORY[sandbox.kind]
    assert (history[0].field, history[0].new) == ("status", "pending")


#: the case at hand is known by its id (a slot keeps it): read it, and for a change, write it
KNOWN_STATUS_CHECK = {
    "connect": {"GetCase": 1, "GetCaseAuditEvents": 1},
    "aicc": {"GetCase": 2},
}
KNOWN_CHANGE = {"connect": {"GetCase": 1, "UpdateCase": 1}, "aicc": {"GetCase": 2, "ModifyCase": 1}}


async def test_the_case_at_hand_costs_no_search_to_check_or_change(
    backend: CaseBackend, sandbox: Sandbox, new_draft: Draft
) -> None:
    """SearchCases (2 requests a second on AWS) is only for a reference named afresh."""
    case = await backend.create_case(new_draft(), uuid.uuid4().hex)
    await sandbox.reset_calls()

    found = await backend.get_case(case.ref, case.case_id)
    await backend.get_history(found)

    assert await sandbox.calls() == KNOWN_STATUS_CHECK[sandbox.kind]
    await sandbox.reset_calls()

    read = await backend.get_case(case.ref, case.case_id)
    changed = await backend.update_case(read, {"priority": "Low"})

    assert changed.priority == "Low"
    assert await sandbox.calls() == KNOWN_CHANGE[sandbox.kind]


async def test_the_statuses_offered_are_the_tenants(
    backend: CaseBackend, sandbox: Sandbox, new_draft: Draft
) -> None:
    """The stand-ins' tenants both have "on hold": Connect's custom field, AICC's flow step."""
    case = await backend.create_case(new_draft(), uuid.uuid4().hex)

    assert (await backend.get_template()).statuses == ("open", "pending", "closed")
    held = await backend.update_case(case.ref, {"status": "pending"})
    assert held.status == "pending"
    assert (await backend.update_case(held, {"status": "open"})).status == "open"
