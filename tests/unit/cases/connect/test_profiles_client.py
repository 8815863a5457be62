from __future__ import annotations

from collections.abc import Iterator

import pytest
from botocore.stub import Stubber

from cases.connect.profiles import build_profile_resolver, get_profiles_client
from cases.connect.settings import get_connect_settings

ENDPOINT = "http://127.0.0.1:8081/profiles"


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "sandbox")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "sandbox")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    monkeypatch.setenv("CUSTOMER_PROFILES_ENDPOINT_URL", ENDPOINT)
    monkeypatch.setenv("CUSTOMER_PROFILES_DOMAIN", "support")
    monkeypatch.setenv("AWS_ACCOUNT_ID", "111122223333")
    for cached in (get_connect_settings, get_profiles_client):
        cached.cache_clear()
    yield
    for cached in (get_connect_settings, get_profiles_client):
        cached.cache_clear()


def test_client_points_at_the_endpoint_with_adaptive_retries_and_timeouts() -> None:
    client = get_profiles_client()

    assert client.meta.service_model.service_name == "customer-profiles"
    assert client.meta.endpoint_url == ENDPOINT
    assert client.meta.region_name == "eu-west-2"
    # botocore counts the first attempt too: max_attempts=5 retries is 6 attempts in all
    assert client.meta.config.retries == {"mode": "adaptive", "total_max_attempts": 6}
    assert (
        client.meta.config.connect_timeout == get_connect_settings().connect_cases_connect_timeout
    )
    assert client.meta.config.read_timeout == get_connect_settings().connect_cases_read_timeout
    assert get_profiles_client() is client


async def test_resolver_is_built_for_the_domain_account_and_region_of_the_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CUSTOMER_PROFILES_CREATE_MISSING", "false")
    get_connect_settings.cache_clear()
    client = get_profiles_client()
    resolver = build_profile_resolver(get_connect_settings(), client)
    assert resolver is not None
    profile_id = "ab" * 16

    with Stubber(client) as stubber:
        stubber.add_response(
            "search_profiles",
            {"Items": [{"ProfileId": profile_id}]},
            {
                "DomainName": "support",
                "KeyName": "_phone",
                "Values": ["+447700900123"],
                "MaxResults": 1,
            },
        )
        # create_missing is off: a miss is None, and no CreateProfile is stubbed
        stubber.add_response(
            "search_profiles",
            {"Items": []},
            {
                "DomainName": "support",
                "KeyName": "_email",
                "Values": ["nobody@example.com"],
                "MaxResults": 1,
            },
        )
        found = await resolver.resolve("+447700900123")
        missing = await resolver.resolve("nobody@example.com")
        stubber.assert_no_pending_responses()

    assert found == f"arn:aws:profile:eu-west-2:111122223333:domains/support/profiles/{profile_id}"
    assert missing is None


def test_no_resolver_without_a_domain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CUSTOMER_PROFILES_DOMAIN")
    get_connect_settings.cache_clear()

    assert build_profile_resolver(get_connect_settings(), get_profiles_client()) is None
