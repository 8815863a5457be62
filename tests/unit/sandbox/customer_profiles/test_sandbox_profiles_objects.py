from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

Check = Callable[[str, dict[str, Any]], None]
ACCOUNT = "123456789012"
REGION = "us-east-1"


def _arn(domain: str, profile_id: str, *, account: str = ACCOUNT) -> str:
    return f"arn:aws:profile:{REGION}:{account}:domains/{domain}/profiles/{profile_id}"


@pytest.fixture
def profile_id(profiles: Any, profiles_domain: str, phone: str) -> str:
    created: str = profiles.create_profile(DomainName=profiles_domain, PhoneNumber=phone)[
        "ProfileId"
    ]
    return created


@pytest.fixture
def case_for(new_case: Callable[..., str]) -> Callable[[str], str]:
    """Open a Connect case whose customer_id is the given profile ARN."""

    def create(arn: str) -> str:
        return new_case(customer_id={"stringValue": arn}, title={"stringValue": "Boiler leaks"})

    return create


def test_cases_naming_a_profile_are_its_case_objects(
    profiles: Any,
    profiles_domain: str,
    profile_id: str,
    case_for: Callable[[str], str],
    new_case: Callable[..., str],
    check_profiles_output: Check,
) -> None:
    first = case_for(_arn(profiles_domain, profile_id))
    second = case_for(_arn(profiles_domain, profile_id))
    new_case()  # a case without a customer belongs to no profile

    listed = profiles.list_profile_objects(
        DomainName=profiles_domain, ObjectTypeName="_case", ProfileId=profile_id
    )

    check_profiles_output("ListProfileObjects", listed)
    objects = [json.loads(item["Object"]) for item in listed["Items"]]
    assert [obj["CaseId"] for obj in objects] == [first, second]
    assert {item["ObjectTypeName"] for item in listed["Items"]} == {"_case"}
    assert objects[0]["Title"] == "Boiler leaks"
    assert objects[0]["Status"] == "open"
    assert len({item["ProfileObjectUniqueKey"] for item in listed["Items"]}) == 2


def test_case_id_filter_keeps_only_that_case(
    profiles: Any, profiles_domain: str, profile_id: str, case_for: Callable[[str], str]
) -> None:
    case_for(_arn(profiles_domain, profile_id))
    wanted = case_for(_arn(profiles_domain, profile_id))

    listed = profiles.list_profile_objects(
        DomainName=profiles_domain,
        ObjectTypeName="_case",
        ProfileId=profile_id,
        ObjectFilter={"KeyName": "_caseId", "Values": [wanted]},
    )

    assert [json.loads(item["Object"])["CaseId"] for item in listed["Items"]] == [wanted]


def test_case_objects_page_with_next_token(
    profiles: Any, profiles_domain: str, profile_id: str, case_for: Callable[[str], str]
) -> None:
    cases = [case_for(_arn(profiles_domain, profile_id)) for _ in range(3)]
    request = {"DomainName": profiles_domain, "ObjectTypeName": "_case", "ProfileId": profile_id}

    first = profiles.list_profile_objects(**request, MaxResults=2)
    second = profiles.list_profile_objects(**request, MaxResults=2, NextToken=first["NextToken"])

    seen = [json.loads(item["Object"])["CaseId"] for item in first["Items"] + second["Items"]]
    assert seen == cases
    assert "NextToken" not in second


def test_profile_is_found_by_the_id_of_its_case(
    profiles: Any, profiles_domain: str, profile_id: str, case_for: Callable[[str], str]
) -> None:
    case_id = case_for(_arn(profiles_domain, profile_id))

    found = profiles.search_profiles(
        DomainName=profiles_domain, KeyName="_caseId", Values=[case_id]
    )

    assert [item["ProfileId"] for item in found["Items"]] == [profile_id]
    assert found["Items"][0]["FoundByItems"] == [{"KeyName": "_caseId", "Values": [case_id]}]


def test_case_naming_another_account_is_no_object_of_the_profile(
    profiles: Any, profiles_domain: str, profile_id: str, case_for: Callable[[str], str]
) -> None:
    # Connect Cases refuses such a case outright: a profile must share the domain's account
    with pytest.raises(ClientError) as refused:
        case_for(_arn(profiles_domain, profile_id, account="999999999999"))

    assert refused.value.response["Error"]["Code"] == "ValidationException"
    listed = profiles.list_profile_objects(
        DomainName=profiles_domain, ObjectTypeName="_case", ProfileId=profile_id
    )

    assert listed["Items"] == []


def test_profile_without_cases_has_no_objects_of_any_standard_type(
    profiles: Any, profiles_domain: str, profile_id: str
) -> None:
    for object_type in ("_case", "_asset", "_order"):
        listed = profiles.list_profile_objects(
            DomainName=profiles_domain, ObjectTypeName=object_type, ProfileId=profile_id
        )
        assert listed["Items"] == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"ProfileId": "f" * 32}, ("ResourceNotFoundException", 404)),
        ({"ObjectTypeName": "_shoe"}, ("ResourceNotFoundException", 404)),
        (
            {"ObjectFilter": {"KeyName": "_assetId", "Values": ["a-1"]}},
            ("BadRequestException", 400),
        ),
    ],
)
def test_unknown_profile_type_or_filter_key_is_refused(
    profiles: Any,
    profiles_domain: str,
    profile_id: str,
    params: dict[str, Any],
    expected: tuple[str, int],
) -> None:
    request = {"DomainName": profiles_domain, "ObjectTypeName": "_case", "ProfileId": profile_id}

    with pytest.raises(ClientError) as exc:
        profiles.list_profile_objects(**{**request, **params})

    response = exc.value.response
    assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == expected
