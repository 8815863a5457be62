"""A customer's rating on a Connect Cases case, through the real adapter, on the stand-in.

The seed domain has the Number field ``Customer satisfaction``: the stand-in takes only a number
in it, as AWS does. A domain without the field gets the rating as a comment, and no write to a
field it lacks.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from cases.connect.backend import ConnectCasesBackend
from cases.rating import SATISFACTION, Rating, record_rating
from cases.template import FieldSpec
from tests.unit.sandbox.connect_cases.support import SPEC, draft, field_id, raw_case


def comments(client: Any, domain: str, case_id: str) -> list[str]:
    found = client.search_related_items(domainId=domain, caseId=case_id, filters=[{"comment": {}}])
    return [item["content"]["comment"]["body"] for item in found["relatedItems"]]


def satisfaction_id(client: Any, domain: str) -> str:
    return field_id(client, domain, "Customer satisfaction")


async def test_the_score_is_a_number_in_its_field(server: Any, ids: Any) -> None:
    client = server.client()
    backend = ConnectCasesBackend(client, ids.domain, ids.template, spec=SPEC)
    case = await backend.create_case(draft(), uuid.uuid4().hex)

    await record_rating(backend, case, Rating(2))

    raw = client.get_case(
        domainId=ids.domain,
        caseId=case.case_id,
        fields=[{"id": satisfaction_id(client, ids.domain)}],
    )
    assert raw["fields"][0]["value"] == {"doubleValue": 2.0}
    assert (await backend.get_case(case.ref)).fields[SATISFACTION] == 2.0
    assert comments(client, ids.domain, case.case_id) == []
    # the history names the change by its logical field, as a status answer tells it
    rated = [e for e in await backend.get_history(case.ref) if e.field == SATISFACTION]
    assert [(e.old, e.new) for e in rated] == [(None, "2.0")]


def test_the_field_takes_no_text_as_on_aws(server: Any, ids: Any) -> None:
    client = server.client()
    field_id = satisfaction_id(client, ids.domain)
    case_id = raw_case(client, ids.domain, ids.template)

    with pytest.raises(client.exceptions.ValidationException, match="doubleValue"):
        client.update_case(
            domainId=ids.domain,
            caseId=case_id,
            fields=[{"id": field_id, "value": {"stringValue": "4"}}],
            performedBy={"customEntity": "test"},
        )


async def test_a_domain_without_the_field_gets_the_rating_as_a_comment_only(
    server: Any, ids: Any
) -> None:
    # the template file names a field this domain does not have
    fields = dict(SPEC.fields)
    fields[SATISFACTION] = FieldSpec(field_name="Feedback score", type="Number")
    spec = SPEC.model_copy(update={"fields": fields})
    client = server.client()
    backend = ConnectCasesBackend(client, ids.domain, ids.template, spec=spec)
    case = await backend.create_case(draft(), uuid.uuid4().hex)
    with httpx.Client(base_url=server.url) as http:
        http.post("/_sandbox/calls/reset")

        held = await record_rating(backend, case, Rating(3, "fixed, took a while"))

        calls = http.get("/_sandbox/calls").json().get("connectcases", {})
    assert held is False
    assert SATISFACTION not in (await backend.get_template()).fields
    assert comments(client, ids.domain, case.case_id) == [
        "Customer rating: 3/5 - fixed, took a while"
    ]
    assert not calls.get("UpdateCase")
