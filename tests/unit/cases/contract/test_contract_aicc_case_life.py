"""A whole case life on the AICC back end, step by step, in the calls its stand-in counts.

Every operation counted is one of Huawei's published Case 2.0 calls (the stand-in answers 404
to anything else and counts nothing); a change in any step's calls is a regression to explain.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import pytest

from cases.backend import Actor, CaseBackend, CaseDraft, CaseFilter

if TYPE_CHECKING:
    # the conftest of this folder; only its type is wanted, never a second import of it
    from conftest import Sandbox

Draft = Callable[..., CaseDraft]
#: calls are counted at the stand-in, so none of this runs live
pytestmark = pytest.mark.standin_only
HANDOFF_QUEUE = "casebot-handoff"


@pytest.mark.parametrize("backend", ["aicc"], indirect=True)
async def test_a_whole_case_life_costs_these_published_calls_step_by_step(
    backend: CaseBackend, sandbox: Sandbox, new_draft: Draft, customer: str
) -> None:
    agent = Actor(channel="webchat", conversation_id="desk", agent_id="agent-7")
    ref = ""

    async def create() -> None:
        nonlocal ref
        ref = (await backend.create_case(new_draft(), uuid.uuid4().hex)).ref

    steps: list[tuple[str, Callable[[], Awaitable[object]], dict[str, int]]] = [
        ("create", create, {"GetToken": 1, "CreateCase": 1}),
        ("find", lambda: backend.get_case(ref), {"GetCase": 1}),
        (
            "list mine",
            lambda: backend.search_cases(CaseFilter(contact=customer, status="open")),
            {"ListCases": 1},
        ),
        ("comment", lambda: backend.add_comment(ref, "Courier called."), {"ProcessCase": 1}),
        (
            "hand off",
            lambda: backend.update_case(ref, {"assigned_queue": HANDOFF_QUEUE}),
            {"TransferCase": 1, "GetCase": 1},
        ),
        (
            "change",
            lambda: backend.update_case(ref, {"priority": "Low"}, agent),
            {"GetCase": 2, "ModifyCase": 1},
        ),
        (
            "close",
            lambda: backend.update_case(ref, {"status": "closed"}, agent),
            {"GetCase": 2, "GetCaseType": 1, "UpdateStatus": 1, "CloseCase": 1},
        ),
    ]
    costs = {}
    for name, step, _ in steps:
        await sandbox.reset_calls()
        await step()
        costs[name] = await sandbox.calls()

    assert costs == {name: expected for name, _, expected in steps}
    case = await backend.get_case(ref)
    assert (case.status, case.priority, case.fields["ownerId"]) == ("closed", "Low", HANDOFF_QUEUE)
    assert await sandbox.comments(case.case_id) == ["Courier called."]
