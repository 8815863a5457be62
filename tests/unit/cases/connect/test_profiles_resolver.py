from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from cases.backend import BackendUnavailable, InvalidCase, Throttled
from cases.connect.domain import ArnPlace
from cases.connect.profiles import ProfileResolver, profile_arn

DOMAIN = "casebot"
ACCOUNT = "111122223333"
REGION = "eu-west-2"
PHONE = "+447700900123"
PROFILE_ID = "0123456789abcdef0123456789abcdef"
NEW_ID = "fedcba9876543210fedcba9876543210"
ARN = f"arn:aws:profile:{REGION}:{ACCOUNT}:domains/{DOMAIN}/profiles/{PROFILE_ID}"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class ProfileStubs:
    """Stubbed Customer Profiles answers that also record every operation the client is asked."""

    def __init__(self, stubber: Stubber) -> None:
        self.stubber = stubber
        self.calls: list[str] = []
        stubber.client.meta.events.register("provide-client-params.customer-profiles", self._seen)

    def _seen(self, model: Any, **_: Any) -> None:
        self.calls.append(model.name)

    def search(self, key_name: str, value: str, found: str | None) -> None:
        items = [] if found is None else [{"ProfileId": found}]
        self.stubber.add_response(
            "search_profiles",
            {"Items": items},
            {"DomainName": DOMAIN, "KeyName": key_name, "Values": [value], "MaxResults": 1},
        )

    def create(self, attribute: str, value: str, profile_id: str = NEW_ID) -> None:
        self.stubber.add_response(
            "create_profile",
            {"ProfileId": profile_id},
            {"DomainName": DOMAIN, attribute: value},
        )

    def fail(self, operation: str, code: str, status: int) -> None:
        self.stubber.add_client_error(operation, code, "it went wrong", status)


@pytest.fixture
def profiles_client(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return boto3.client(
        "customer-profiles",
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def stubs(profiles_client: Any) -> Iterator[ProfileStubs]:
    with Stubber(profiles_client) as stubber:
        yield ProfileStubs(stubber)
        stubber.assert_no_pending_responses()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def resolver(client: Any, clock: Clock, **options: Any) -> ProfileResolver:
    return ProfileResolver(
        client,
        DOMAIN,
        place=ArnPlace("aws", REGION, ACCOUNT),
        cache_seconds=3600,
        clock=clock,
        **options,
    )


async def test_known_phone_resolves_to_the_full_profile_arn(
    profiles_client: Any, stubs: ProfileStubs, clock: Clock
) -> None:
    stubs.search("_phone", PHONE, PROFILE_ID)

    arn = await resolver(profiles_client, clock).resolve(PHONE)

    assert arn == ARN
    assert stubs.calls == ["SearchProfiles"]


def test_profile_arn_has_the_form_connect_cases_wants() -> None:
    assert profile_arn("us-east-1", "123456789012", "support", PROFILE_ID) == (
        "arn:aws:profile:us-east-1:123456789012:domains/support/profiles/" + PROFILE_ID
    )


async def test_unknown_phone_gets_a_new_profile(
    profiles_client: Any, stubs: ProfileStubs, clock: Clock
) -> None:
    stubs.search("_phone", PHONE, None)
    stubs.create("PhoneNumber", PHONE)

    arn = await resolver(profiles_client, clock).resolve(PHONE)

    assert arn == f"arn:aws:profile:{REGION}:{ACCOUNT}:domains/{DOMAIN}/profiles/{NEW_ID}"
    assert stubs.calls == ["SearchProfiles", "CreateProfile"]


async def test_email_is_searched_and_created_lower_case(
    profiles_client: Any, stubs: ProfileStubs, clock: Clock
) -> None:
    stubs.search("_email", "ada.lovelace@example.com", None)
    stubs.create("EmailAddress", "ada.lovelace@example.com")
    profiles = resolver(profiles_client, clock)

    first = await profiles.resolve(" Ada.Lovelace@Example.COM ")
    # the same address in another case is the same customer: no further call
    second = await profiles.resolve("ada.lovelace@example.com")

    assert first == second
    assert first is not None and first.endswith(f"/profiles/{NEW_ID}")
    assert stubs.calls == ["SearchProfiles", "CreateProfile"]


async def test_without_create_missing_an_unknown_contact_has_no_profile(
    profiles_client: Any, stubs: ProfileStubs, clock: Clock
) -> None:
    stubs.search("_phone", PHONE, None)

    arn = await resolver(profiles_client, clock, create_missing=False).resolve(PHONE)

    assert arn is None
    assert stubs.calls == ["SearchProfiles"]


async def test_no_profile_is_remembered_only_briefly(
    profiles_client: Any, stubs: ProfileStubs, clock: Clock
) -> None:
    profiles = resolver(profiles_client, clock, create_missing=False, miss_cache_seconds=60)
    stubs.search("_phone", PHONE, None)
    assert await profiles.resolve(PHONE) is None

    clock.now += 59
    assert await profiles.resolve(PHONE) is None
    assert stubs.calls == ["SearchProfiles"]

    # created elsewhere meanwhile: found once the short memory has lapsed
    clock.now += 2
    stubs.search("_phone", PHONE, PROFILE_ID)
    assert await profiles.resolve(PHONE) == ARN
    assert stubs.calls == ["SearchProfiles", "SearchProfiles"]


async def test_seen_contact_costs_no_call_until_the_cache_expires(
    profiles_client: Any, stubs: ProfileStubs, clock: Clock
) -> None:
    profiles = resolver(profiles_client, clock)
    stubs.search("_phone", PHONE, PROFILE_ID)
    await profiles.resolve(PHONE)

    clock.now += 3599
    assert await profiles.resolve(PHONE) == ARN
    assert stubs.calls == ["SearchProfiles"]

    clock.now += 2
    stubs.search("_phone", PHONE, NEW_ID)
    assert await profiles.resolve(PHONE) == ARN.replace(PROFILE_ID, NEW_ID)
    assert stubs.calls == ["SearchProfiles", "SearchProfiles"]


async def test_each_new_contact_costs_its_own_search(
    profiles_client: Any, stubs: ProfileStubs, clock: Clock
) -> None:
    profiles = resolver(profiles_client, clock)
    stubs.search("_phone", PHONE, PROFILE_ID)
    stubs.search("_phone", "+14155550100", NEW_ID)

    first = await profiles.resolve(PHONE)
    second = await profiles.resolve("+14155550100")

    assert (first, second) == (ARN, ARN.replace(PROFILE_ID, NEW_ID))
    assert stubs.calls == ["SearchProfiles", "SearchProfiles"]


async def test_concurrent_resolves_of_one_contact_share_one_lookup(
    profiles_client: Any, stubs: ProfileStubs, clock: Clock
) -> None:
    stubs.search("_phone", PHONE, None)
    stubs.create("PhoneNumber", PHONE)
    profiles = resolver(profiles_client, clock)

    answers = await asyncio.gather(*(profiles.resolve(PHONE) for _ in range(5)))

    assert len(set(answers)) == 1
    assert answers[0] is not None and answers[0].endswith(NEW_ID)
    assert stubs.calls == ["SearchProfiles", "CreateProfile"]


async def test_one_waiter_giving_up_does_not_cancel_the_others_lookup(
    profiles_client: Any, stubs: ProfileStubs, clock: Clock
) -> None:
    stubs.search("_phone", PHONE, PROFILE_ID)
    profiles = resolver(profiles_client, clock)

    impatient = asyncio.ensure_future(profiles.resolve(PHONE))
    patient = asyncio.ensure_future(profiles.resolve(PHONE))
    await asyncio.sleep(0)
    impatient.cancel()

    assert await patient == ARN
    assert impatient.cancelled()
    assert stubs.calls == ["SearchProfiles"]


@pytest.mark.parametrize(
    ("operation", "code", "status", "expected"),
    [
        ("search_profiles", "ThrottlingException", 429, Throttled),
        ("search_profiles", "BadRequestException", 400, InvalidCase),
        # the domain is missing: the set-up is wrong, not the case
        ("search_profiles", "ResourceNotFoundException", 404, BackendUnavailable),
        ("search_profiles", "AccessDeniedException", 403, BackendUnavailable),
        ("search_profiles", "InternalServerException", 500, BackendUnavailable),
        ("create_profile", "ThrottlingException", 429, Throttled),
        ("create_profile", "BadRequestException", 400, InvalidCase),
    ],
)
async def test_service_errors_become_back_end_errors(
    profiles_client: Any,
    stubs: ProfileStubs,
    clock: Clock,
    operation: str,
    code: str,
    status: int,
    expected: type[Exception],
) -> None:
    if operation == "create_profile":
        stubs.search("_phone", PHONE, None)
    stubs.fail(operation, code, status)

    with pytest.raises(expected) as exc:
        await resolver(profiles_client, clock).resolve(PHONE)

    assert type(exc.value) is expected
    assert str(exc.value).startswith("Customer Profiles ")
    assert code in str(exc.value)


async def test_failure_is_not_remembered(
    profiles_client: Any, stubs: ProfileStubs, clock: Clock
) -> None:
    profiles = resolver(profiles_client, clock)
    stubs.fail("search_profiles", "ThrottlingException", 429)
    stubs.search("_phone", PHONE, PROFILE_ID)

    with pytest.raises(Throttled):
        await profiles.resolve(PHONE)
    arn = await profiles.resolve(PHONE)

    assert arn == ARN
    assert stubs.calls == ["SearchProfiles", "SearchProfiles"]


@pytest.mark.parametrize("contact", ["07700 900123", "447700900123", "ada at example", "", "+0123"])
async def test_contact_that_is_neither_phone_nor_email_is_refused_without_a_call(
    profiles_client: Any, stubs: ProfileStubs, clock: Clock, contact: str
) -> None:
    with pytest.raises(InvalidCase):
        await resolver(profiles_client, clock).resolve(contact)

    assert stubs.calls == []


async def test_oldest_answer_is_dropped_when_the_cache_is_full(
    profiles_client: Any, stubs: ProfileStubs, clock: Clock
) -> None:
    profiles = resolver(profiles_client, clock, max_entries=2)
    contacts = ["+447700900001", "+447700900002", "+447700900003"]
    for contact in contacts:
        stubs.search("_phone", contact, PROFILE_ID)
        await profiles.resolve(contact)

    stubs.search("_phone", contacts[0], PROFILE_ID)
    await profiles.resolve(contacts[2])
    await profiles.resolve(contacts[0])

    assert stubs.calls == ["SearchProfiles"] * 4
