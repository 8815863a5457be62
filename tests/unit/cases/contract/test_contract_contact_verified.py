"""Whether a case's contact was verified is recorded on the case, on both back ends.

A notice about the case may go only to a verified contact, so what the draft says must be read
back the same way: ``Yes`` or ``No``, in Connect's ``Contact verified`` field (by its logical
name) or AICC's ``contactVerified`` extension field.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from cases.backend import Case, CaseBackend, CaseDraft

Draft = Callable[..., CaseDraft]


def recorded(case: Case) -> object:
    """What the case says of its contact: Connect keys it by logical name, AICC by its field."""
    return case.fields.get("contact_verified", case.fields.get("contactVerified"))


@pytest.mark.parametrize(("verified", "said"), [(True, "Yes"), (False, "No")])
async def test_the_case_records_whether_its_contact_was_verified(
    backend: CaseBackend, new_draft: Draft, verified: bool, said: str
) -> None:
    created = await backend.create_case(
        new_draft(contact_verified=verified), f"whatsapp:{uuid.uuid4().hex}:1"
    )

    read = await backend.get_case(created.ref)

    assert recorded(read) == said


async def test_a_typed_contact_stays_on_the_case_for_agents_with_no_customer(
    backend: CaseBackend, new_draft: Draft, customer: str
) -> None:
    created = await backend.create_case(new_draft(), f"whatsapp:{uuid.uuid4().hex}:1")

    read = await backend.get_case(created.ref)

    assert read.contact == customer
    assert read.customer_id is None
    assert recorded(read) == "No"


async def test_a_contact_changed_later_says_again_whether_it_is_verified(
    backend: CaseBackend, new_draft: Draft
) -> None:
    """A case filed from the customer's own number, then given another: no longer verified."""
    created = await backend.create_case(
        new_draft(contact_verified=True), f"whatsapp:{uuid.uuid4().hex}:1"
    )

    await backend.update_case(
        created, {"contact": "someone.else@example.com", "contact_verified": "No"}
    )

    read = await backend.get_case(created.ref)
    assert read.contact == "someone.else@example.com"
    assert recorded(read) == "No"
