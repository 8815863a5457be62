from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from cases.backend import BackendUnavailable
from cases.connect.domain import ArnPlace
from cases.connect.profiles import ProfileResolver

ACCOUNT = "123456789012"
REGION = "us-east-1"


@pytest.fixture
def counted(http: httpx.Client) -> Callable[[], dict[str, int]]:
    """The sandbox's Customer Profiles call counts since the fixture was made."""

    def snapshot() -> dict[str, int]:
        counts: dict[str, int] = http.get("/_sandbox/calls").json()["customer-profiles"]
        return counts

    before = snapshot()

    def since() -> dict[str, int]:
        now = snapshot()
        return {op: now[op] - before.get(op, 0) for op in now if now[op] != before.get(op, 0)}

    return since


def make_resolver(profiles: Any, domain: str, **options: Any) -> ProfileResolver:
    return ProfileResolver(profiles, domain, place=ArnPlace("aws", REGION, ACCOUNT), **options)


async def test_new_customers_cost_one_search_and_one_create_and_seen_ones_nothing(
    profiles: Any,
    profiles_domain: str,
    phone: str,
    email: str,
    counted: Callable[[], dict[str, int]],
) -> None:
    resolver = make_resolver(profiles, profiles_domain)

    by_phone = [await resolver.resolve(phone) for _ in range(3)]
    by_email = [await resolver.resolve(contact) for contact in (email.upper(), email, email)]

    assert counted() == {"SearchProfiles": 2, "CreateProfile": 2}
    assert len(set(by_phone)) == len(set(by_email)) == 1
    prefix = f"arn:aws:profile:{REGION}:{ACCOUNT}:domains/{profiles_domain}/profiles/"
    for arn in (by_phone[0], by_email[0]):
        assert arn is not None and arn.startswith(prefix)
    # the profiles exist in the domain under the contact as given (email lower-cased)
    stored = profiles.search_profiles(DomainName=profiles_domain, KeyName="_email", Values=[email])
    assert [prefix + item["ProfileId"] for item in stored["Items"]] == [by_email[0]]


async def test_existing_profile_is_found_without_creating_another(
    profiles: Any, profiles_domain: str, phone: str, counted: Callable[[], dict[str, int]]
) -> None:
    existing = profiles.create_profile(DomainName=profiles_domain, PhoneNumber=phone)["ProfileId"]
    counted_before = counted()

    arn = await make_resolver(profiles, profiles_domain).resolve(phone)

    assert arn is not None and arn.endswith(f"/profiles/{existing}")
    after = counted()
    assert after["SearchProfiles"] - counted_before.get("SearchProfiles", 0) == 1
    assert after["CreateProfile"] == counted_before["CreateProfile"]


async def test_without_create_missing_nothing_is_created(
    profiles: Any, profiles_domain: str, phone: str, counted: Callable[[], dict[str, int]]
) -> None:
    resolver = make_resolver(profiles, profiles_domain, create_missing=False)

    answers = [await resolver.resolve(phone) for _ in range(2)]

    assert answers == [None, None]
    assert counted() == {"SearchProfiles": 1}


async def test_resolved_arn_is_accepted_as_a_cases_customer_and_links_the_case(
    profiles: Any,
    profiles_domain: str,
    phone: str,
    new_case: Callable[..., str],
) -> None:
    arn = await make_resolver(profiles, profiles_domain).resolve(phone)
    assert arn is not None

    case_id = new_case(customer_id={"stringValue": arn})

    listed = profiles.list_profile_objects(
        DomainName=profiles_domain, ObjectTypeName="_case", ProfileId=arn.rsplit("/", 1)[1]
    )
    assert [json.loads(item["Object"])["CaseId"] for item in listed["Items"]] == [case_id]


async def test_missing_domain_is_a_back_end_set_up_fault(profiles: Any, phone: str) -> None:
    with pytest.raises(BackendUnavailable, match="ResourceNotFoundException"):
        await make_resolver(profiles, "nosuchdomain").resolve(phone)
