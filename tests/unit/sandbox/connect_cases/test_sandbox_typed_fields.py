"""Number, Boolean, DateTime and Url fields, on a domain seeded with one field of each type."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from botocore.exceptions import ClientError

from sandbox.settings import SandboxSettings

DOMAIN = "typed-domain"
TEMPLATE = "typed-template"
SEED = {
    "domain": {"domainId": DOMAIN, "name": "typed"},
    "system_fields": [
        {"fieldId": "title", "name": "Title", "type": "Text"},
        {"fieldId": "status", "name": "Status", "type": "SingleSelect", "options": ["open"]},
    ],
    "custom_fields": [
        {"fieldId": "amount", "name": "Amount", "type": "Number"},
        {"fieldId": "urgent", "name": "Urgent", "type": "Boolean"},
        {"fieldId": "due", "name": "Due", "type": "DateTime"},
        {"fieldId": "link", "name": "Link", "type": "Url"},
    ],
    "template": {"templateId": TEMPLATE, "name": "Typed", "required": ["Title"]},
}


@pytest.fixture(scope="module")
def typed(
    tmp_path_factory: pytest.TempPathFactory,
    start_sandbox: Callable[[SandboxSettings], Any],
    sandbox_settings: Callable[..., SandboxSettings],
) -> Any:
    folder: Path = tmp_path_factory.mktemp("typed")
    seed = folder / "domain.yaml"
    seed.write_text(yaml.safe_dump(SEED), encoding="utf-8")
    return start_sandbox(sandbox_settings(folder / "db.sqlite3", seed)).client(
        parameter_validation=False
    )


def create(typed: Any, **values: dict[str, Any]) -> str:
    fields = [{"id": "title", "value": {"stringValue": "t"}}]
    fields += [{"id": k, "value": v} for k, v in values.items()]
    case_id: str = typed.create_case(domainId=DOMAIN, templateId=TEMPLATE, fields=fields)["caseId"]
    return case_id


@pytest.fixture(scope="module")
def numbered(typed: Any) -> dict[float, str]:
    return {
        amount: create(
            typed,
            amount={"doubleValue": amount},
            due={"stringValue": f"2030-01-0{int(amount)}T00:00:00Z"},
            urgent={"booleanValue": amount == 2.0},
        )
        for amount in (1.0, 2.0, 3.0)
    }


def search(typed: Any, op: str, field_id: str, value: dict[str, Any]) -> set[str]:
    response = typed.search_cases(
        domainId=DOMAIN, filter={"field": {op: {"id": field_id, "value": value}}}
    )
    return {case["caseId"] for case in response["cases"]}


@pytest.mark.parametrize(
    ("op", "expected"),
    [
        ("greaterThan", {3.0}),
        ("greaterThanOrEqualTo", {2.0, 3.0}),
        ("lessThan", {1.0}),
        ("lessThanOrEqualTo", {1.0, 2.0}),
        ("equalTo", {2.0}),
    ],
)
def test_order_operators_compare_numbers(
    typed: Any, numbered: dict[float, str], op: str, expected: set[float]
) -> None:
    matched = search(typed, op, "amount", {"doubleValue": 2.0})

    assert matched == {numbered[amount] for amount in expected}


@pytest.mark.parametrize(
    ("op", "bound", "expected"),
    [
        ("greaterThan", {"stringValue": "2030-01-02T00:00:00.000Z"}, {3.0}),
        ("lessThanOrEqualTo", {"stringValue": "2030-01-02T01:00:00+01:00"}, {1.0, 2.0}),
        ("lessThan", {"doubleValue": 1893542400.0}, {1.0}),  # 2030-01-02T00:00:00Z
        ("equalTo", {"stringValue": "2030-01-03T00:00:00Z"}, {3.0}),
    ],
)
def test_order_operators_compare_date_times_as_instants(
    typed: Any,
    numbered: dict[float, str],
    op: str,
    bound: dict[str, Any],
    expected: set[float],
) -> None:
    matched = search(typed, op, "due", bound)

    assert matched == {numbered[amount] for amount in expected}


def test_boolean_equal_to(typed: Any, numbered: dict[float, str]) -> None:
    assert search(typed, "equalTo", "urgent", {"booleanValue": True}) == {numbered[2.0]}


def test_sort_by_number_descending(typed: Any, numbered: dict[float, str]) -> None:
    response = typed.search_cases(
        domainId=DOMAIN, sorts=[{"fieldId": "amount", "sortOrder": "Desc"}]
    )

    ordered = [case["caseId"] for case in response["cases"]]
    assert ordered[:3] == [numbered[3.0], numbered[2.0], numbered[1.0]]


@pytest.mark.parametrize(
    ("field_id", "value"),
    [
        ("amount", {"stringValue": "12"}),
        ("urgent", {"stringValue": "yes"}),
        ("due", {"stringValue": "next tuesday"}),
        ("due", {"booleanValue": True}),
        ("link", {"stringValue": "not a url"}),
    ],
)
def test_value_of_the_wrong_kind_is_a_validation_exception(
    typed: Any, field_id: str, value: dict[str, Any]
) -> None:
    with pytest.raises(ClientError) as caught:
        create(typed, **{field_id: value})

    assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_values_of_every_type_round_trip(typed: Any) -> None:
    values: dict[str, dict[str, Any]] = {
        "amount": {"doubleValue": 12.5},
        "urgent": {"booleanValue": False},
        "due": {"doubleValue": 1893456000.0},
        "link": {"stringValue": "https://example.com/case"},
    }
    case_id = create(typed, **values)

    response = typed.get_case(
        domainId=DOMAIN, caseId=case_id, fields=[{"id": field_id} for field_id in values]
    )

    assert {item["id"]: item["value"] for item in response["fields"]} == values


def test_contains_on_a_number_field_is_a_validation_exception(typed: Any) -> None:
    with pytest.raises(ClientError) as caught:
        search(typed, "contains", "amount", {"doubleValue": 1.0})

    assert caught.value.response["Error"]["Code"] == "ValidationException"
