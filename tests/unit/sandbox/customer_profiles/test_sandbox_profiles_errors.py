from __future__ import annotations

from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

MISSING = "nosuchdomain"


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    response = exc.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("get_domain", {}),
        ("create_profile", {"PhoneNumber": "+447700900123"}),
        ("search_profiles", {"KeyName": "_phone", "Values": ["+447700900123"]}),
        (
            "list_profile_objects",
            {"ObjectTypeName": "_case", "ProfileId": "0" * 32},
        ),
    ],
)
def test_unknown_domain_is_resource_not_found_404(
    profiles: Any, operation: str, params: dict[str, Any]
) -> None:
    with pytest.raises(ClientError) as exc:
        getattr(profiles, operation)(DomainName=MISSING, **params)

    code, status, message = _error(exc)
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert MISSING in message


def test_modeled_error_parses_into_the_clients_exception_class(profiles: Any) -> None:
    with pytest.raises(profiles.exceptions.ResourceNotFoundException) as exc:
        profiles.get_domain(DomainName=MISSING)

    assert exc.value.response["Message"] == f"Domain {MISSING} not found"


def test_unknown_search_key_is_bad_request(profiles: Any, profiles_domain: str) -> None:
    with pytest.raises(ClientError) as exc:
        profiles.search_profiles(DomainName=profiles_domain, KeyName="_shoeSize", Values=["9"])

    code, status, message = _error(exc)
    assert (code, status) == ("BadRequestException", 400)
    assert "_shoeSize" in message


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("search_profiles", {"KeyName": "_phone", "Values": ["+1555"], "MaxResults": 101}),
        ("search_profiles", {"KeyName": "_phone", "Values": ["+1555"], "MaxResults": 0}),
        ("search_profiles", {"KeyName": "_phone"}),
        ("search_profiles", {"KeyName": "bad key!", "Values": ["x"]}),
        (
            "search_profiles",
            {
                "KeyName": "_phone",
                "Values": ["+1555"],
                "AdditionalSearchKeys": [{"KeyName": "_email", "Values": ["a@b.c"]}] * 5,
            },
        ),
        (
            "search_profiles",
            {"KeyName": "_phone", "Values": ["+1555"], "LogicalOperator": "XOR"},
        ),
        ("create_profile", {"Gender": "SOMETIMES"}),
        ("create_profile", {"PhoneNumber": ""}),
        ("list_profile_objects", {"ObjectTypeName": "_case", "ProfileId": "not-hex"}),
    ],
)
def test_input_breaking_the_model_is_bad_request_400(
    unvalidated_profiles: Any, profiles_domain: str, operation: str, params: dict[str, Any]
) -> None:
    with pytest.raises(ClientError) as exc:
        getattr(unvalidated_profiles, operation)(DomainName=profiles_domain, **params)

    assert _error(exc)[:2] == ("BadRequestException", 400)


@pytest.mark.parametrize("token", ["not-a-token", "eyJvIjogMn0="])
def test_unreadable_next_token_is_bad_request(
    profiles: Any, profiles_domain: str, token: str
) -> None:
    with pytest.raises(ClientError) as exc:
        profiles.search_profiles(
            DomainName=profiles_domain, KeyName="_phone", Values=["+1555"], NextToken=token
        )

    assert _error(exc)[:2] == ("BadRequestException", 400)


def test_next_token_of_another_search_is_bad_request(profiles: Any, profiles_domain: str) -> None:
    account = "shared-" + profiles_domain
    for _ in range(2):
        profiles.create_profile(DomainName=profiles_domain, AccountNumber=account)
    first = profiles.search_profiles(
        DomainName=profiles_domain, KeyName="_account", Values=[account], MaxResults=1
    )

    with pytest.raises(ClientError) as exc:
        profiles.search_profiles(
            DomainName=profiles_domain,
            KeyName="_phone",
            Values=["+1555"],
            NextToken=first["NextToken"],
        )

    assert _error(exc)[:2] == ("BadRequestException", 400)


def test_operation_the_sandbox_does_not_serve_answers_501(
    profiles: Any, profiles_domain: str
) -> None:
    with pytest.raises(ClientError) as exc:
        profiles.delete_profile(DomainName=profiles_domain, ProfileId="0" * 32)

    assert _error(exc)[:2] == ("NotImplemented", 501)


def test_unsigned_request_is_refused_with_403(http: httpx.Client, profiles_domain: str) -> None:
    response = http.get(f"/profiles/domains/{profiles_domain}")

    assert response.status_code == 403
    assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


SIGNED = {"Authorization": "AWS4-HMAC-SHA256 Credential=sandbox/20240101/us-east-1"}


def test_body_member_the_model_does_not_know_is_bad_request(
    http: httpx.Client, profiles_domain: str
) -> None:
    response = http.post(
        f"/profiles/domains/{profiles_domain}/profiles", json={"Shoe": "9"}, headers=SIGNED
    )

    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == "BadRequestException"
    assert "Shoe" in response.json()["Message"]


def test_error_travels_as_header_and_message_body(http: httpx.Client) -> None:
    response = http.get(f"/profiles/domains/{MISSING}", headers=SIGNED)

    assert response.status_code == 404
    assert response.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
    assert response.json() == {"Message": f"Domain {MISSING} not found"}
