"""A customer's rating goes on the case on both back ends, each the way it can hold it.

Connect Cases has the ``Customer satisfaction`` Number field (the seed domain, and what
provisioning creates): the score goes there, the customer's words as a comment beside it. AICC's
published Case 2.0 calls have no such field, so the whole rating is a comment there.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from cases.backend import CaseBackend, CaseDraft
from cases.rating import SATISFACTION, Rating, record_rating

if TYPE_CHECKING:
    from conftest import Sandbox

Draft = Callable[..., CaseDraft]


def key() -> str:
    return f"whatsapp:{uuid.uuid4().hex}:1"


# comments are read back through the stand-in (AICC publishes no call that reads them)
@pytest.mark.standin_only
async def test_a_rating_with_words_is_a_field_and_a_comment_on_connect_and_a_comment_on_aicc(
    backend: CaseBackend, sandbox: Sandbox, new_draft: Draft
) -> None:
    case = await backend.create_case(new_draft(), key())

    held = await record_rating(backend, case, Rating(4, "slow but ok"))

    read = await backend.get_case(case.ref)
    comments = await sandbox.comments(case.case_id)
    assert held is (sandbox.kind == "connect")
    assert read.fields.get(SATISFACTION) == {"connect": 4.0, "aicc": None}[sandbox.kind]
    assert comments[-1] == "Customer rating: 4/5 - slow but ok"


@pytest.mark.standin_only
async def test_a_bare_score_adds_no_comment_where_a_field_holds_it(
    backend: CaseBackend, sandbox: Sandbox, new_draft: Draft
) -> None:
    case = await backend.create_case(new_draft(), key())
    before = await sandbox.comments(case.case_id)

    await record_rating(backend, case, Rating(5))

    added = (await sandbox.comments(case.case_id))[len(before) :]
    assert added == {"connect": [], "aicc": ["Customer rating: 5/5"]}[sandbox.kind]


async def test_only_connect_advertises_the_satisfaction_field(
    backend: CaseBackend, sandbox: Sandbox
) -> None:
    template = await backend.get_template()

    if sandbox.kind == "connect":
        assert template.fields[SATISFACTION].type == "Number"
    else:
        assert SATISFACTION not in template.fields
