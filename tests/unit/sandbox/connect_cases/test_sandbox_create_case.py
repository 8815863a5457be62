from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

FieldsFactory = Callable[..., list[dict[str, Any]]]


def error_of(exc_info: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    response: Any = exc_info.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


def get_fields(client: Any, domain: str, case_id: str, *field_ids: str) -> dict[str, Any]:
    response = client.get_case(
        domainId=domain, caseId=case_id, fields=[{"id": f} for f in field_ids]
    )
    return {item["id"]: item["value"] for item in response["fields"]}


def create(client: Any, ids: Any, fields: list[dict[str, Any]], **extra: Any) -> Any:
    return client.create_case(domainId=ids.domain, templateId=ids.template, fields=fields, **extra)


def test_created_case_gets_arn_status_reference_number_and_timestamps(
    client: Any, ids: Any, new_case: Callable[..., str]
) -> None:
    case_id = new_case()

    values = get_fields(
        client,
        ids.domain,
        case_id,
        "status",
        "reference_number",
        "created_datetime",
        "last_updated_datetime",
        "last_closed_datetime",
    )

    assert values["status"] == {"stringValue": "open"}
    assert re.fullmatch(r"\d{8}", values["reference_number"]["stringValue"])
    iso = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
    assert re.fullmatch(iso, values["created_datetime"]["stringValue"])
    assert values["last_updated_datetime"] == values["created_datetime"]
    assert "last_closed_datetime" not in values


def test_reference_numbers_are_sequential_and_unique(
    client: Any, ids: Any, new_case: Callable[..., str]
) -> None:
    numbers = [
        int(
            get_fields(client, ids.domain, new_case(), "reference_number")["reference_number"][
                "stringValue"
            ]
        )
        for _ in range(3)
    ]

    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]
    assert numbers[0] >= 10000001


def test_case_arn_names_region_account_domain_and_case(
    client: Any, ids: Any, valid_fields: FieldsFactory
) -> None:
    response = create(client, ids, valid_fields())

    assert response["caseArn"] == (
        f"arn:aws:cases:us-east-1:123456789012:domain/{ids.domain}/case/{response['caseId']}"
    )


def test_get_case_returns_only_requested_fields_that_have_values_with_template_and_tags(
    client: Any, ids: Any, new_case: Callable[..., str], run_tag: dict[str, str]
) -> None:
    case_id = new_case()

    response = client.get_case(
        domainId=ids.domain,
        caseId=case_id,
        fields=[{"id": "title"}, {"id": "summary"}, {"id": ids.priority}],
    )

    assert response["fields"] == [
        {"id": "title", "value": {"stringValue": "Printer on fire"}},
        {"id": ids.priority, "value": {"stringValue": "High"}},
    ]
    assert response["templateId"] == ids.template
    assert response["tags"] == run_tag


def test_missing_required_fields_are_named_in_a_validation_exception(
    client: Any, ids: Any, valid_fields: FieldsFactory
) -> None:
    fields = valid_fields(**{ids.contact: None, ids.priority: None})

    with pytest.raises(ClientError) as caught:
        create(client, ids, fields)

    code, status, message = error_of(caught)
    assert (code, status) == ("ValidationException", 400)
    assert "Contact" in message and ids.priority in message


def test_title_is_required_even_when_the_template_does_not_list_it(
    client: Any, ids: Any, valid_fields: FieldsFactory
) -> None:
    with pytest.raises(ClientError) as caught:
        create(client, ids, valid_fields(title=None))

    assert error_of(caught)[0] == "ValidationException"
    assert "title" in error_of(caught)[2]


def test_unknown_field_id_is_a_validation_exception(
    client: Any, ids: Any, valid_fields: FieldsFactory
) -> None:
    with pytest.raises(ClientError) as caught:
        create(client, ids, valid_fields(**{"no-such-field": {"stringValue": "x"}}))

    code, _, message = error_of(caught)
    assert code == "ValidationException"
    assert "no-such-field" in message


@pytest.mark.parametrize(
    ("field", "value", "hint"),
    [
        ("priority", {"stringValue": "Urgent"}, "option"),
        ("priority", {"doubleValue": 1.0}, "stringValue"),
        ("title", {"booleanValue": True}, "stringValue"),
        ("title", {"stringValue": "x" * 4101}, "4100"),
        ("summary", {"stringValue": "x" * 3001}, "3000"),
        ("customer_id", {"stringValue": "profile-123"}, "arn:aws:profile"),
        ("assigned_user", {"stringValue": "bob"}, "userArnValue"),
        ("reference_number", {"stringValue": "1"}, "maintained by the service"),
        ("status", {"stringValue": "archived"}, "option"),
    ],
)
def test_value_that_does_not_suit_its_field_is_a_validation_exception(
    unvalidated_client: Any,
    ids: Any,
    valid_fields: FieldsFactory,
    field: str,
    value: dict[str, Any],
    hint: str,
) -> None:
    field_id = getattr(ids, field, field)

    with pytest.raises(ClientError) as caught:
        create(unvalidated_client, ids, valid_fields(**{field_id: value}))

    code, status, message = error_of(caught)
    assert (code, status) == ("ValidationException", 400)
    assert hint in message


def test_valid_optional_values_of_every_type_are_stored(
    client: Any, ids: Any, new_case: Callable[..., str]
) -> None:
    profile = "arn:aws:profile:us-east-1:123456789012:domains/casebot/profiles/p1"
    user = "arn:aws:connect:us-east-1:123456789012:instance/abc/agent/u1"
    case_id = new_case(
        customer_id={"stringValue": profile},
        assigned_user={"userArnValue": user},
        status={"stringValue": "closed"},
        **{ids.origin: {"stringValue": "WhatsApp"}},
    )

    values = get_fields(
        client, ids.domain, case_id, "customer_id", "assigned_user", "status", ids.origin
    )

    assert values == {
        "customer_id": {"stringValue": profile},
        "assigned_user": {"userArnValue": user},
        "status": {"stringValue": "closed"},
        ids.origin: {"stringValue": "WhatsApp"},
    }


def test_status_takes_open_or_closed_only_as_on_aws(
    client: Any, ids: Any, new_case: Callable[..., str]
) -> None:
    """AWS's system status has no "pending": a case on hold needs a custom field."""
    with pytest.raises(client.exceptions.ValidationException, match="option 'pending'"):
        new_case(status={"stringValue": "pending"})


def test_field_given_twice_is_a_validation_exception(
    client: Any, ids: Any, valid_fields: FieldsFactory
) -> None:
    fields = [*valid_fields(), {"id": "title", "value": {"stringValue": "again"}}]

    with pytest.raises(ClientError) as caught:
        create(client, ids, fields)

    assert error_of(caught)[0] == "ValidationException"


def test_unknown_template_is_a_validation_exception(
    client: Any, ids: Any, valid_fields: FieldsFactory
) -> None:
    with pytest.raises(ClientError) as caught:
        client.create_case(
            domainId=ids.domain, templateId="no-such-template", fields=valid_fields()
        )

    code, _, message = error_of(caught)
    assert code == "ValidationException"
    assert "no-such-template" in message


def test_unknown_domain_is_resource_not_found(client: Any, valid_fields: FieldsFactory) -> None:
    with pytest.raises(ClientError) as caught:
        client.create_case(domainId="no-such-domain", templateId="t", fields=valid_fields())

    assert error_of(caught)[:2] == ("ResourceNotFoundException", 404)
    assert caught.value.response["resourceType"] == "Domain"  # type: ignore[typeddict-item]


def test_same_client_token_and_body_returns_the_same_case_without_a_second_one(
    client: Any, ids: Any, valid_fields: FieldsFactory, run_tag: dict[str, str]
) -> None:
    token = uuid.uuid4().hex
    first = create(client, ids, valid_fields(), clientToken=token, tags=run_tag)
    again = create(client, ids, valid_fields(), clientToken=token, tags=run_tag)

    found = client.search_cases(
        domainId=ids.domain, filter={"tag": {"equalTo": {"key": "run", "value": run_tag["run"]}}}
    )

    assert (again["caseId"], again["caseArn"]) == (first["caseId"], first["caseArn"])
    assert [case["caseId"] for case in found["cases"]] == [first["caseId"]]


def test_same_client_token_with_another_body_is_a_conflict(
    client: Any, ids: Any, valid_fields: FieldsFactory
) -> None:
    token = uuid.uuid4().hex
    create(client, ids, valid_fields(), clientToken=token)

    with pytest.raises(ClientError) as caught:
        create(client, ids, valid_fields(title={"stringValue": "Other"}), clientToken=token)

    assert error_of(caught)[:2] == ("ConflictException", 409)


def test_requests_without_a_token_from_boto3_make_distinct_cases(
    client: Any, ids: Any, valid_fields: FieldsFactory
) -> None:
    # boto3 fills in a fresh clientToken itself when none is given
    first = create(client, ids, valid_fields())
    second = create(client, ids, valid_fields())

    assert first["caseId"] != second["caseId"]


def test_unknown_case_is_resource_not_found_naming_the_case(client: Any, ids: Any) -> None:
    with pytest.raises(ClientError) as caught:
        client.get_case(domainId=ids.domain, caseId="no-such-case", fields=[{"id": "title"}])

    assert error_of(caught)[:2] == ("ResourceNotFoundException", 404)
    response: Any = caught.value.response
    assert (response["resourceId"], response["resourceType"]) == ("no-such-case", "Case")


def test_concurrent_retries_with_one_token_make_one_case(
    client: Any, ids: Any, valid_fields: FieldsFactory
) -> None:
    token = uuid.uuid4().hex

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(
                lambda _: create(client, ids, valid_fields(), clientToken=token)["caseId"], range(8)
            )
        )

    assert len(set(answers)) == 1


def test_concurrent_creates_get_distinct_reference_numbers(
    client: Any, ids: Any, new_case: Callable[..., str]
) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        case_ids = list(pool.map(lambda _: new_case(), range(8)))

    numbers = {
        get_fields(client, ids.domain, case_id, "reference_number")["reference_number"][
            "stringValue"
        ]
        for case_id in case_ids
    }
    assert len(numbers) == 8
