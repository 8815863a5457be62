from __future__ import annotations

import pytest
from botocore.model import Shape
from starlette.datastructures import QueryParams

from sandbox.aws.errors import SerializationError
from sandbox.aws.wire import constraint_errors, read_input, validate_input
from sandbox.connect_cases.routes import service_model


def shape_of(operation: str) -> Shape:
    shape = service_model().operation_model(operation).input_shape
    assert shape is not None
    return shape


def test_read_input_takes_members_from_path_query_and_body() -> None:
    operation = service_model().operation_model("ListTemplates")

    params = read_input(
        operation,
        path_params={"domainId": "d1"},
        query=QueryParams("maxResults=5&status=Active&status=Inactive"),
        body=b"",
    )

    assert params == {"domainId": "d1", "maxResults": 5, "status": ["Active", "Inactive"]}


def test_read_input_keeps_unknown_body_members_so_validation_names_them() -> None:
    operation = service_model().operation_model("SearchCases")

    params = read_input(
        operation, path_params={"domainId": "d"}, query=QueryParams(""), body=b'{"x": 1}'
    )

    assert params == {"domainId": "d", "x": 1}
    assert any("x" in problem for problem in validate_input(params, operation.input_shape))


def test_body_cannot_override_a_path_member() -> None:
    operation = service_model().operation_model("SearchCases")

    params = read_input(
        operation, path_params={"domainId": "d"}, query=QueryParams(""), body=b'{"domainId": "x"}'
    )

    assert params == {"domainId": "d"}


@pytest.mark.parametrize("body", [b"[1, 2]", b"{not json"])
def test_body_that_is_not_a_json_object_is_a_serialization_error(body: bytes) -> None:
    operation = service_model().operation_model("SearchCases")

    with pytest.raises(SerializationError):
        read_input(operation, path_params={"domainId": "d"}, query=QueryParams(""), body=body)


def test_constraints_botocore_leaves_to_the_service_are_checked() -> None:
    params = {
        "domainId": "d",
        "templateId": "t",
        "fields": [{"id": "title", "value": {"stringValue": "x" * 4101}}],
        "tags": {"aws:reserved": "v"},
        "performedBy": {"customEntity": "bad entity!"},
    }

    problems = list(constraint_errors(params, shape_of("CreateCase"), ""))

    assert len(problems) == 3
    assert any("fields.1.value.stringValue" in p and "4100" in p for p in problems)
    assert any("tags.key" in p for p in problems)
    assert any("performedBy.customEntity" in p for p in problems)


def test_enums_and_list_maximums_are_checked() -> None:
    params = {
        "domainId": "d",
        "sorts": [{"fieldId": "a", "sortOrder": "Sideways"}] * 3,
    }

    problems = list(constraint_errors(params, shape_of("SearchCases"), ""))

    assert any("at most 2 items" in p for p in problems)
    assert sum("Sideways" in p for p in problems) == 3


def test_union_with_two_members_fails_validation() -> None:
    params = {
        "domainId": "d",
        "templateId": "t",
        "fields": [{"id": "title", "value": {"stringValue": "a", "doubleValue": 1.0}}],
    }

    problems = validate_input(params, shape_of("CreateCase"))

    assert problems and "value" in problems[0]


def test_valid_input_has_no_problems() -> None:
    params = {
        "domainId": "d",
        "templateId": "t",
        "fields": [{"id": "title", "value": {"stringValue": "a"}}],
        "clientToken": "tok",
        "tags": {"run": "1"},
    }

    assert validate_input(params, shape_of("CreateCase")) == []
