"""A case on hold, on a stand-in whose system status is open/closed only, as on AWS.

"On hold" is the domain's custom Boolean field ``On hold``; where the domain has no such field
the back end offers no "on hold" at all, and never writes it into the system status.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from cases.backend import CaseFilter, InvalidCase
from cases.connect.backend import ConnectCasesBackend
from cases.template import FieldSpec
from tests.unit.sandbox.connect_cases.support import SPEC, draft, field_id, raw_case


def raw_values(client: Any, domain: str, case_id: str, *field_ids: str) -> dict[str, Any]:
    found = client.get_case(domainId=domain, caseId=case_id, fields=[{"id": f} for f in field_ids])
    return {field["id"]: field["value"] for field in found["fields"]}


async def test_on_hold_is_the_custom_field_and_the_system_status_stays_open(
    server: Any, ids: Any
) -> None:
    client = server.client()
    backend = ConnectCasesBackend(client, ids.domain, ids.template, spec=SPEC)
    on_hold = field_id(client, ids.domain, "On hold")
    case = await backend.create_case(draft(), uuid.uuid4().hex)

    assert (await backend.get_template()).statuses == ("open", "pending", "closed")
    held = await backend.update_case(case.ref, {"status": "pending"})

    assert held.status == "pending"
    assert (await backend.get_case(case.ref)).status == "pending"
    assert raw_values(client, ids.domain, case.case_id, "status", on_hold) == {
        "status": {"stringValue": "open"},
        on_hold: {"booleanValue": True},
    }
    found = await backend.search_cases(CaseFilter(status="pending", contact="ada@example.com"))
    assert [c.case_id for c in found.cases] == [case.case_id]
    history = await backend.get_history(case.ref)
    assert (history[0].field, history[0].old, history[0].new) == ("status", "open", "pending")

    closed = await backend.update_case(held, {"status": "closed"})

    assert closed.status == "closed"
    assert raw_values(client, ids.domain, case.case_id, "status", on_hold) == {
        "status": {"stringValue": "closed"},
        on_hold: {"booleanValue": False},
    }
    assert not (
        await backend.search_cases(CaseFilter(status="pending", contact="ada@example.com"))
    ).cases


async def test_a_domain_without_the_field_offers_no_on_hold_and_writes_none(
    server: Any, ids: Any
) -> None:
    # the template file names a field this domain does not have
    spec = SPEC.model_copy(
        update={"state_fields": {"on_hold": FieldSpec(field_name="Paused", type="Boolean")}}
    )
    backend = ConnectCasesBackend(server.client(), ids.domain, ids.template, spec=spec)
    case = await backend.create_case(draft(), uuid.uuid4().hex)

    assert (await backend.get_template()).statuses == ("open", "closed")
    with pytest.raises(InvalidCase, match="open or closed"):
        await backend.update_case(case.ref, {"status": "pending"})
    with pytest.raises(InvalidCase):
        await backend.search_cases(CaseFilter(status="pending"))
    assert (await backend.get_case(case.ref)).status == "open"


def test_the_system_status_refuses_pending_as_aws_does(server: Any, ids: Any) -> None:
    client = server.client()
    case_id = raw_case(client, ids.domain, ids.template)

    with pytest.raises(client.exceptions.ValidationException, match="option 'pending'"):
        client.update_case(
            domainId=ids.domain,
            caseId=case_id,
            fields=[{"id": "status", "value": {"stringValue": "pending"}}],
            performedBy={"customEntity": "test"},
        )
