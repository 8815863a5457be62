from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from sandbox.settings import SandboxSettings

Check = Callable[[str, dict[str, Any]], None]


def test_seeded_domain_describes_itself_and_counts_its_profiles(
    profiles: Any, profiles_domain: str, phone: str, check_profiles_output: Check
) -> None:
    before = profiles.get_domain(DomainName=profiles_domain)
    profiles.create_profile(DomainName=profiles_domain, PhoneNumber=phone)
    after = profiles.get_domain(DomainName=profiles_domain)

    check_profiles_output("GetDomain", after)
    assert after["DomainName"] == profiles_domain
    assert isinstance(after["CreatedAt"], datetime)
    assert after["CreatedAt"] <= after["LastUpdatedAt"]
    assert after["Stats"]["ProfileCount"] == before["Stats"]["ProfileCount"] + 1


def test_sandbox_creates_the_domain_its_settings_name(
    tmp_path: Path,
    start_sandbox: Callable[[SandboxSettings], Any],
    make_profiles_client: Callable[..., Any],
) -> None:
    settings = SandboxSettings(
        db_path=tmp_path / "sandbox.sqlite3", seed_file=None, customer_profiles_domain="support-eu"
    )
    profiles = make_profiles_client(start_sandbox(settings).url)

    described = profiles.get_domain(DomainName="support-eu")

    assert described["DomainName"] == "support-eu"
    assert described["Stats"]["ProfileCount"] == 0
    with pytest.raises(ClientError) as exc:
        profiles.get_domain(DomainName="casebot")
    assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_empty_domain_setting_starts_without_a_domain(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    start_sandbox: Callable[[SandboxSettings], Any],
    make_profiles_client: Callable[..., Any],
) -> None:
    monkeypatch.setenv("SANDBOX_CUSTOMER_PROFILES_DOMAIN", "")
    settings = SandboxSettings(db_path=tmp_path / "sandbox.sqlite3", seed_file=None)
    assert settings.customer_profiles_domain is None
    profiles = make_profiles_client(start_sandbox(settings).url)

    with pytest.raises(ClientError) as exc:
        profiles.get_domain(DomainName="casebot")

    assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_profiles_and_domain_survive_a_restart(
    tmp_path: Path,
    start_sandbox: Callable[[SandboxSettings], Any],
    make_profiles_client: Callable[..., Any],
) -> None:
    settings = SandboxSettings(
        db_path=tmp_path / "sandbox.sqlite3", seed_file=None, customer_profiles_domain="casebot"
    )
    first = start_sandbox(settings)
    profiles = make_profiles_client(first.url)
    created = profiles.create_profile(DomainName="casebot", EmailAddress="ada@example.com")
    created_at = profiles.get_domain(DomainName="casebot")["CreatedAt"]
    first.stop()

    again = make_profiles_client(start_sandbox(settings).url)
    found = again.search_profiles(
        DomainName="casebot", KeyName="_email", Values=["ada@example.com"]
    )

    assert [item["ProfileId"] for item in found["Items"]] == [created["ProfileId"]]
    assert again.get_domain(DomainName="casebot")["CreatedAt"] == created_at


def test_calls_are_counted_per_operation(
    http: httpx.Client, profiles: Any, profiles_domain: str, phone: str
) -> None:
    def counts() -> dict[str, int]:
        snapshot: dict[str, dict[str, int]] = http.get("/_sandbox/calls").json()
        return snapshot["customer-profiles"]

    before = counts()
    profiles.search_profiles(DomainName=profiles_domain, KeyName="_phone", Values=[phone])
    profiles.create_profile(DomainName=profiles_domain, PhoneNumber=phone)
    profiles.search_profiles(DomainName=profiles_domain, KeyName="_phone", Values=[phone])
    after = counts()

    def delta(operation: str) -> int:
        return after.get(operation, 0) - before.get(operation, 0)

    assert (delta("SearchProfiles"), delta("CreateProfile"), delta("GetDomain")) == (2, 1, 0)
