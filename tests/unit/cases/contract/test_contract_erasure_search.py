"""The erase command lists a person's cases on both back ends: every case of theirs, no other."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from cases.backend import CaseBackend
from common.erasure import Person
from privacy.cases import case_references


async def test_every_case_of_the_contact_is_listed_and_no_other(
    backend: CaseBackend, new_draft: Callable[..., Any], customer: str
) -> None:
    mine = [
        await backend.create_case(new_draft(title=f"Parcel {n}"), uuid.uuid4().hex)
        for n in range(2)
    ]
    other = f"c{uuid.uuid4().hex[:12]}@example.com"
    theirs = await backend.create_case(new_draft(contact=other), uuid.uuid4().hex)

    found = await case_references(backend, Person(email=customer.lower()))

    assert sorted(found) == sorted(case.ref for case in mine)
    assert theirs.ref not in found
