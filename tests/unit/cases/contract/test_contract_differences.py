"""Where the two back ends answer differently by design, each answer is pinned here.

Every test names the difference and why it is kept, so a change on either side shows up.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from cases.backend import CaseBackend, CaseDraft, CaseFilter, InvalidCase

if TYPE_CHECKING:
    # the conftest of this folder; only its type is wanted, never a second import of it
    from conftest import Sandbox

Draft = Callable[..., CaseDraft]


def key() -> str:
    return f"whatsapp:{uuid.uuid4().hex}:1"


async def test_an_empty_origin_is_left_out_on_connect_and_taken_from_the_channel_on_aicc(
    backend: CaseBackend, sandbox: Sandbox, new_draft: Draft
) -> None:
    """Connect's Origin field is optional and left empty; AICC's adapter fills it from the
    channel (``aicc_fields.CHANNEL_ORIGIN``). The form asks for an origin only when the
    channel gives none, so cases filed through it carry one on both.
    """
    case = await backend.create_case(new_draft(origin="", channel="whatsapp"), key())

    assert case.origin == {"connect": "", "aicc": "WhatsApp"}[sandbox.kind]


async def test_a_search_for_a_status_no_case_can_have_is_empty_on_connect_and_refused_on_aicc(
    backend: CaseBackend, sandbox: Sandbox, new_draft: Draft, customer: str
) -> None:
    """Connect filters on the value as given and finds nothing, as the service does; AICC's
    adapter must translate a status into AICC's state names and refuses one it cannot.
    """
    await backend.create_case(new_draft(), key())
    wanted = CaseFilter(contact=customer, status="bogus")

    if sandbox.kind == "connect":
        page = await backend.search_cases(wanted)
        assert (page.cases, page.next_token) == ([], None)
    else:
        with pytest.raises(InvalidCase, match="bogus"):
            await backend.search_cases(wanted)


# the profile ARN filed on Connect is made up, in the stand-in's account
@pytest.mark.standin_only("connect")
async def test_a_customer_id_is_a_profile_arn_on_connect_and_any_id_on_aicc(
    backend: CaseBackend, sandbox: Sandbox, new_draft: Draft
) -> None:
    """Connect's customer_id field takes only a Customer Profiles profile ARN; AICC keeps the
    customer id in an extension field and takes any id that fits it.
    """
    draft = new_draft(customer_id="cust-1")

    if sandbox.kind == "connect":
        with pytest.raises(InvalidCase):
            await backend.create_case(draft, key())
        arn = f"arn:aws:profile:us-east-1:123456789012:domains/casebot/profiles/{uuid.uuid4().hex}"
        assert (await backend.create_case(new_draft(customer_id=arn), key())).customer_id == arn
    else:
        assert (await backend.create_case(draft, key())).customer_id == "cust-1"


async def test_an_update_returns_the_last_change_time_as_read_before_on_connect_and_after_on_aicc(
    backend: CaseBackend, sandbox: Sandbox, new_draft: Draft
) -> None:
    """UpdateCase answers nothing, so Connect's adapter returns the case it read before the
    change with the changes applied, saving a GetCase: its ``updated_at`` is the old one
    until the case is read again. AICC's adapter reads the case back after every update.
    No action uses the returned case's ``updated_at``; what a user is shown comes from a read.
    """
    case = await backend.create_case(new_draft(), key())
    before = await backend.get_case(case.ref)

    after = await backend.update_case(case.ref, {"priority": "Low"})
    read = await backend.get_case(case.ref)

    assert after.priority == read.priority == "Low"
    assert before.updated_at is not None and read.updated_at is not None
    assert read.updated_at >= before.updated_at
    if sandbox.kind == "connect":
        assert after.updated_at == before.updated_at
    else:
        assert after.updated_at == read.updated_at
