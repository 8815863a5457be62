"""With Connect, the erase command lists the person's Customer Profiles profiles for an agent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from common.erasure import Person
from privacy.erase import erase
from privacy.places import Places
from tests.unit.privacy.erase_places import places_in
from tests.unit.sandbox.conftest import SandboxServer, make_settings
from tests.unit.sandbox.customer_profiles.conftest import profiles_client

ADA = Person(phone="+447700900123", email="ada@example.com")


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    server = SandboxServer(make_settings(tmp_path_factory.mktemp("erase") / "db.sqlite3")).start()
    yield server
    server.stop()


def nowhere(tmp_path: Path) -> Places:
    return places_in(tmp_path / "nowhere")


async def test_the_persons_profiles_are_listed_and_no_one_elses(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    client = profiles_client(sandbox.url)
    by_phone = client.create_profile(DomainName="casebot", PhoneNumber="+447700900123")
    # as casebot makes them (cases.connect.profiles): the address lower-cased
    by_email = client.create_profile(DomainName="casebot", EmailAddress="ada@example.com")
    client.create_profile(DomainName="casebot", PhoneNumber="+4477009001234")
    client.create_profile(DomainName="casebot", EmailAddress="bob@example.com")

    report = await erase(ADA, nowhere(tmp_path), None, "", profiles=(client, "casebot"))

    assert sorted(report.profiles) == sorted([by_phone["ProfileId"], by_email["ProfileId"]])
    assert report.lines()[-1] == (
        "An agent must delete these profiles in Customer Profiles (DeleteProfile)."
    )


async def test_a_profiles_domain_that_cannot_be_searched_is_reported(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    client = profiles_client(sandbox.url)

    report = await erase(ADA, nowhere(tmp_path), None, "", profiles=(client, "no-such-domain"))

    assert report.failed == ["Customer Profiles not searched (ResourceNotFoundException)"]
