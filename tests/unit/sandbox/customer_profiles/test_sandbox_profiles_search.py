from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

Check = Callable[[str, dict[str, Any]], None]


def test_created_profile_is_found_by_phone_with_its_attributes(
    profiles: Any, profiles_domain: str, phone: str, check_profiles_output: Check
) -> None:
    created = profiles.create_profile(
        DomainName=profiles_domain, PhoneNumber=phone, FirstName="Ada", LastName="Lovelace"
    )
    check_profiles_output("CreateProfile", created)

    found = profiles.search_profiles(DomainName=profiles_domain, KeyName="_phone", Values=[phone])

    check_profiles_output("SearchProfiles", found)
    assert found["Items"] == [
        {
            "ProfileId": created["ProfileId"],
            "PhoneNumber": phone,
            "FirstName": "Ada",
            "LastName": "Lovelace",
            "FoundByItems": [{"KeyName": "_phone", "Values": [phone]}],
        }
    ]
    assert "NextToken" not in found


@pytest.mark.parametrize(
    ("attribute", "key_name"),
    [
        ("EmailAddress", "_email"),
        ("EmailAddress", "EmailAddress"),
        ("BusinessEmailAddress", "_email"),
        ("PersonalEmailAddress", "PersonalEmailAddress"),
    ],
)
def test_email_attributes_are_found_by_their_keys(
    profiles: Any, profiles_domain: str, email: str, attribute: str, key_name: str
) -> None:
    created = profiles.create_profile(DomainName=profiles_domain, **{attribute: email})

    found = profiles.search_profiles(DomainName=profiles_domain, KeyName=key_name, Values=[email])

    assert [item["ProfileId"] for item in found["Items"]] == [created["ProfileId"]]


@pytest.mark.parametrize(
    "attribute", ["PhoneNumber", "MobilePhoneNumber", "HomePhoneNumber", "BusinessPhoneNumber"]
)
def test_every_phone_attribute_is_found_by_phone_key_and_by_its_own_name(
    profiles: Any, profiles_domain: str, phone: str, attribute: str
) -> None:
    created = profiles.create_profile(DomainName=profiles_domain, **{attribute: phone})

    by_phone = profiles.search_profiles(
        DomainName=profiles_domain, KeyName="_phone", Values=[phone]
    )
    by_name = profiles.search_profiles(
        DomainName=profiles_domain, KeyName=attribute, Values=[phone]
    )

    assert [item["ProfileId"] for item in by_phone["Items"]] == [created["ProfileId"]]
    assert [item["ProfileId"] for item in by_name["Items"]] == [created["ProfileId"]]


def test_own_name_key_matches_only_that_attribute(
    profiles: Any, profiles_domain: str, phone: str
) -> None:
    profiles.create_profile(DomainName=profiles_domain, MobilePhoneNumber=phone)

    found = profiles.search_profiles(
        DomainName=profiles_domain, KeyName="PhoneNumber", Values=[phone]
    )

    assert found["Items"] == []


def test_profile_is_found_by_its_id(profiles: Any, profiles_domain: str, email: str) -> None:
    created = profiles.create_profile(DomainName=profiles_domain, EmailAddress=email)

    found = profiles.search_profiles(
        DomainName=profiles_domain, KeyName="_profileId", Values=[created["ProfileId"]]
    )

    assert [(item["ProfileId"], item["EmailAddress"]) for item in found["Items"]] == [
        (created["ProfileId"], email)
    ]


def test_search_without_match_returns_no_items(
    profiles: Any, profiles_domain: str, phone: str, check_profiles_output: Check
) -> None:
    found = profiles.search_profiles(DomainName=profiles_domain, KeyName="_phone", Values=[phone])

    check_profiles_output("SearchProfiles", found)
    assert found["Items"] == []
    assert "NextToken" not in found


def test_values_match_exactly_as_stored(profiles: Any, profiles_domain: str, email: str) -> None:
    profiles.create_profile(DomainName=profiles_domain, EmailAddress=email)

    found = profiles.search_profiles(
        DomainName=profiles_domain, KeyName="_email", Values=[email.upper()]
    )

    assert found["Items"] == []


def test_create_profile_never_merges_into_a_profile_with_the_same_phone(
    profiles: Any, profiles_domain: str, phone: str
) -> None:
    first = profiles.create_profile(DomainName=profiles_domain, PhoneNumber=phone)["ProfileId"]
    second = profiles.create_profile(DomainName=profiles_domain, PhoneNumber=phone)["ProfileId"]

    found = profiles.search_profiles(DomainName=profiles_domain, KeyName="_phone", Values=[phone])

    assert first != second
    assert [item["ProfileId"] for item in found["Items"]] == [first, second]


def test_additional_keys_combine_with_or_unless_and_is_asked(
    profiles: Any, profiles_domain: str, phone: str, email: str
) -> None:
    both = profiles.create_profile(
        DomainName=profiles_domain, PhoneNumber=phone, EmailAddress=email
    )["ProfileId"]
    phone_only = profiles.create_profile(DomainName=profiles_domain, PhoneNumber=phone)["ProfileId"]
    search = {
        "DomainName": profiles_domain,
        "KeyName": "_phone",
        "Values": [phone],
        "AdditionalSearchKeys": [{"KeyName": "_email", "Values": [email]}],
    }

    either = profiles.search_profiles(**search)["Items"]
    all_of = profiles.search_profiles(**search, LogicalOperator="AND")["Items"]

    assert [item["ProfileId"] for item in either] == [both, phone_only]
    assert [item["FoundByItems"] for item in either] == [
        [{"KeyName": "_phone", "Values": [phone]}, {"KeyName": "_email", "Values": [email]}],
        [{"KeyName": "_phone", "Values": [phone]}],
    ]
    assert [item["ProfileId"] for item in all_of] == [both]


def test_search_pages_through_every_match_once_in_creation_order(
    profiles: Any, profiles_domain: str, check_profiles_output: Check
) -> None:
    account = uuid.uuid4().hex
    created = [
        profiles.create_profile(DomainName=profiles_domain, AccountNumber=account)["ProfileId"]
        for _ in range(5)
    ]
    search = {"DomainName": profiles_domain, "KeyName": "_account", "Values": [account]}

    seen: list[str] = []
    first = profiles.search_profiles(**search, MaxResults=2)
    check_profiles_output("SearchProfiles", first)
    seen += [item["ProfileId"] for item in first["Items"]]
    # a profile created while paging shows up in a new search, never in the pages being read
    late = profiles.create_profile(DomainName=profiles_domain, AccountNumber=account)["ProfileId"]
    token = first["NextToken"]
    pages = 1
    while token:
        page = profiles.search_profiles(**search, MaxResults=2, NextToken=token)
        check_profiles_output("SearchProfiles", page)
        seen += [item["ProfileId"] for item in page["Items"]]
        token = page.get("NextToken")
        pages += 1

    assert seen == created
    assert pages == 3
    fresh = profiles.search_profiles(**search)
    assert [item["ProfileId"] for item in fresh["Items"]] == [*created, late]


def test_default_page_holds_twenty_profiles(profiles: Any, profiles_domain: str) -> None:
    account = uuid.uuid4().hex
    for _ in range(21):
        profiles.create_profile(DomainName=profiles_domain, AccountNumber=account)

    first = profiles.search_profiles(
        DomainName=profiles_domain, KeyName="AccountNumber", Values=[account]
    )

    assert len(first["Items"]) == 20
    assert "NextToken" in first


def test_profiles_are_found_by_full_name(profiles: Any, profiles_domain: str) -> None:
    last = f"Hopper{uuid.uuid4().hex[:8]}"
    created = profiles.create_profile(
        DomainName=profiles_domain, FirstName="Grace", MiddleName="Brewster", LastName=last
    )

    found = profiles.search_profiles(
        DomainName=profiles_domain, KeyName="_fullName", Values=[f"Grace Brewster {last}"]
    )

    assert [item["ProfileId"] for item in found["Items"]] == [created["ProfileId"]]
