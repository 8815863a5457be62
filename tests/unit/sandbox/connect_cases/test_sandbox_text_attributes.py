"""Single-line and multi-line Text fields: 500 characters against 4,100, as Connect Cases has it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


def test_the_seeded_description_is_multi_line_and_takes_4100_characters(
    client: Any, ids: Any, new_case: Callable[..., str]
) -> None:
    field = client.batch_get_field(domainId=ids.domain, fields=[{"id": ids.description}])

    assert field["fields"][0]["attributes"] == {"text": {"isMultiline": True}}
    case_id = new_case(**{ids.description: {"stringValue": "x" * 4100}})
    found = client.get_case(domainId=ids.domain, caseId=case_id, fields=[{"id": ids.description}])
    assert found["fields"][0]["value"]["stringValue"] == "x" * 4100


def test_501_characters_in_a_single_line_text_field_are_a_validation_exception(
    client: Any, ids: Any, new_case: Callable[..., str]
) -> None:
    summary = client.list_fields(domainId=ids.domain, maxResults=100)["fields"]
    contact = next(f for f in summary if f["fieldId"] == ids.contact)
    assert contact["attributes"] == {"text": {"isMultiline": False}}
    new_case(**{ids.contact: {"stringValue": "x" * 500}})

    with pytest.raises(ClientError) as caught:
        new_case(**{ids.contact: {"stringValue": "x" * 501}})

    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "single-line" in caught.value.response["Error"]["Message"]


def test_an_update_past_a_single_line_field_is_refused_too(
    client: Any, ids: Any, new_case: Callable[..., str]
) -> None:
    case_id = new_case()

    with pytest.raises(ClientError) as caught:
        client.update_case(
            domainId=ids.domain,
            caseId=case_id,
            fields=[{"id": "title", "value": {"stringValue": "t" * 501}}],
        )

    assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_create_field_keeps_is_multiline_and_update_field_changes_it(client: Any) -> None:
    domain = client.create_domain(name=f"attributes-{uuid.uuid4().hex[:8]}")["domainId"]
    field_id = client.create_field(
        domainId=domain, name="Notes", type="Text", attributes={"text": {"isMultiline": True}}
    )["fieldId"]
    created = client.batch_get_field(domainId=domain, fields=[{"id": field_id}])["fields"][0]
    assert created["attributes"] == {"text": {"isMultiline": True}}

    client.update_field(
        domainId=domain, fieldId=field_id, attributes={"text": {"isMultiline": False}}
    )

    after = client.batch_get_field(domainId=domain, fields=[{"id": field_id}])["fields"][0]
    assert after["attributes"] == {"text": {"isMultiline": False}}


def test_text_attributes_on_a_number_field_are_a_validation_exception(client: Any) -> None:
    domain = client.create_domain(name=f"attributes-{uuid.uuid4().hex[:8]}")["domainId"]

    with pytest.raises(ClientError) as caught:
        client.create_field(
            domainId=domain,
            name="Amount",
            type="Number",
            attributes={"text": {"isMultiline": True}},
        )

    assert caught.value.response["Error"]["Code"] == "ValidationException"
