from __future__ import annotations

import pytest

from common.erasure import Person
from tests.support.linear import LINEAR_GROWTH, settled_growth

ADA = Person(phone="+447700900123", email="ada@example.com")


def test_a_person_is_known_by_their_channels_senders_and_numbers() -> None:
    assert ADA.conversations == {"whatsapp:447700900123", "twilio:+447700900123"}
    assert {"+447700900123", "447700900123", "whatsapp:+447700900123"} <= ADA.addresses
    assert ADA.names("ada@example.com")
    assert not ADA.names("webchat:ada")


def test_the_number_inside_a_longer_number_is_someone_else() -> None:
    assert ADA.found_in('{"value": "+447700900123"}')
    assert ADA.found_in("whatsapp:447700900123")
    assert not ADA.found_in('{"value": "+4477009001234"}')
    assert not ADA.found_in('{"value": "+14477009001230"}')


def test_the_address_inside_a_longer_address_is_someone_else() -> None:
    assert ADA.found_in('{"contact": "Ada@Example.com"}')
    assert ADA.found_in("write to ada@example.com.")
    assert not ADA.found_in("ada@example.com.au")
    assert not ADA.found_in("grenada@example.com")
    assert not ADA.found_in("ada@example.community")


def test_conversations_found_later_are_theirs_too() -> None:
    more = ADA.with_conversations({"webchat:abc"})
    assert more.names("webchat:abc")
    assert not ADA.names("webchat:abc")


@pytest.mark.parametrize(
    ("phone", "email"),
    [(None, None), ("07700900123", None), (None, "Ada@example.com")],
)
def test_only_normalised_contacts_make_a_person(phone: str | None, email: str | None) -> None:
    with pytest.raises(ValueError):
        Person(phone, email)


def test_finding_takes_time_linear_in_the_text() -> None:
    # digits that nearly match, over and over, must not make the search backtrack
    assert not ADA.found_in("44770090012" * 20_000)
    grown = settled_growth(ADA.found_in, "44770090012")
    assert grown < LINEAR_GROWTH, f"grows {grown:.1f}x from 8k to 32k"
