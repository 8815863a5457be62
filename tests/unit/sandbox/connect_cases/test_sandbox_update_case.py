from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


def get_fields(client: Any, domain: str, case_id: str, *field_ids: str) -> dict[str, Any]:
    response = client.get_case(
        domainId=domain, caseId=case_id, fields=[{"id": f} for f in field_ids]
    )
    return {item["id"]: item["value"] for item in response["fields"]}


def update(client: Any, ids: Any, case_id: str, **values: dict[str, Any]) -> None:
    client.update_case(
        domainId=ids.domain,
        caseId=case_id,
        fields=[{"id": getattr(ids, k, k), "value": v} for k, v in values.items()],
    )


def test_update_sets_values_and_bumps_last_updated(
    client: Any, ids: Any, new_case: Callable[..., str]
) -> None:
    case_id = new_case()
    before = get_fields(client, ids.domain, case_id, "created_datetime", "last_updated_datetime")
    time.sleep(0.002)

    update(client, ids, case_id, priority={"stringValue": "Critical"}, title={"stringValue": "New"})

    after = get_fields(
        client,
        ids.domain,
        case_id,
        "title",
        ids.priority,
        "created_datetime",
        "last_updated_datetime",
    )
    assert after["title"] == {"stringValue": "New"}
    assert after[ids.priority] == {"stringValue": "Critical"}
    assert after["created_datetime"] == before["created_datetime"]
    assert (
        after["last_updated_datetime"]["stringValue"]
        > before["last_updated_datetime"]["stringValue"]
    )


def test_empty_value_clears_a_field(client: Any, ids: Any, new_case: Callable[..., str]) -> None:
    case_id = new_case(**{ids.origin: {"stringValue": "Voice"}})

    update(client, ids, case_id, origin={"emptyValue": {}})

    assert ids.origin not in get_fields(client, ids.domain, case_id, ids.origin, "title")


def test_clearing_a_required_field_is_a_validation_exception(
    client: Any, ids: Any, new_case: Callable[..., str]
) -> None:
    case_id = new_case()

    with pytest.raises(ClientError) as caught:
        update(client, ids, case_id, description={"emptyValue": {}})

    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert get_fields(client, ids.domain, case_id, ids.description)


def test_update_checks_values_like_create(
    client: Any, ids: Any, new_case: Callable[..., str]
) -> None:
    case_id = new_case()

    with pytest.raises(ClientError) as caught:
        update(client, ids, case_id, priority={"stringValue": "Whenever"})

    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert get_fields(client, ids.domain, case_id, ids.priority)[ids.priority] == {
        "stringValue": "High"
    }


def test_closing_a_case_records_when_it_was_closed(
    client: Any, ids: Any, new_case: Callable[..., str]
) -> None:
    case_id = new_case()

    update(client, ids, case_id, status={"stringValue": "closed"})

    values = get_fields(
        client, ids.domain, case_id, "last_closed_datetime", "last_updated_datetime"
    )
    assert values["last_closed_datetime"] == values["last_updated_datetime"]


def test_update_of_unknown_case_is_resource_not_found(client: Any, ids: Any) -> None:
    with pytest.raises(ClientError) as caught:
        update(client, ids, "no-such-case", title={"stringValue": "x"})

    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_update_is_audited_with_old_and_new_values_and_who_did_it(
    client: Any, ids: Any, new_case: Callable[..., str]
) -> None:
    case_id = new_case()
    agent = "arn:aws:connect:us-east-1:123456789012:instance/abc/agent/u1"

    client.update_case(
        domainId=ids.domain,
        caseId=case_id,
        fields=[
            {"id": ids.priority, "value": {"stringValue": "Low"}},
            {"id": "summary", "value": {"stringValue": "short"}},
        ],
        performedBy={"userArn": agent},
    )

    events = client.get_case_audit_events(domainId=ids.domain, caseId=case_id)["auditEvents"]
    assert [event["type"] for event in events] == ["Case.Updated", "Case.Created"]
    assert events[0]["fields"] == [
        {
            "eventFieldId": ids.priority,
            "oldValue": {"stringValue": "High"},
            "newValue": {"stringValue": "Low"},
        },
        {
            "eventFieldId": "summary",
            "oldValue": {"emptyValue": {}},
            "newValue": {"stringValue": "short"},
        },
    ]
    assert events[0]["performedBy"] == {
        "iamPrincipalArn": "arn:aws:iam::123456789012:user/sandbox",
        "user": {"userArn": agent},
    }
