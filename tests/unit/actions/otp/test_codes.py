"""The code itself: how it is made, hashed, found in what people type, and masked."""

from __future__ import annotations

import pytest

from actions.otp import codes as codes_module
from actions.otp.codes import digest, mask, new_code, typed_code
from tests.support.linear import LINEAR_GROWTH, slowest_growth


def test_a_new_code_is_six_digits_drawn_from_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[int] = []

    def randbelow(n: int) -> int:
        drawn.append(n)
        return 42

    monkeypatch.setattr(codes_module.secrets, "randbelow", randbelow)

    assert new_code() == "000042"
    assert drawn == [1_000_000]


def test_codes_differ_from_one_to_the_next() -> None:
    made = {new_code() for _ in range(200)}

    assert all(len(code) == 6 and code.isdigit() for code in made)
    assert len(made) > 190


def test_the_hash_is_keyed_and_bound_to_the_conversation() -> None:
    key = b"k" * 32

    kept = digest(key, "webchat:a", "123456")

    assert kept == digest(key, "webchat:a", "123456")
    assert kept != digest(key, "webchat:b", "123456")
    assert kept != digest(b"x" * 32, "webchat:a", "123456")
    assert b"123456" not in kept


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("123456", "123456"),
        ("the code is 123 456", "123456"),
        ("code: 123456", "123456"),
        ("12-34-56", "123456"),
        ("the cod is 55 66 77", "556677"),
        ("its 904311.", "904311"),
        ("got it 👍 190344 thx", "190344"),
        ("1234567", None),
        ("12345", None),
        ("call 07700 900123", None),
        ("my ref is 10000042", None),
        ("no code yet", None),
    ],
)
def test_the_code_is_read_from_what_people_type(typed: str, code: str | None) -> None:
    assert typed_code(typed) == code


def test_reading_a_code_takes_time_linear_in_the_message() -> None:
    shape, grown = slowest_growth(typed_code)

    assert grown < LINEAR_GROWTH, f"grows {grown:.1f}x from 8k to 32k on {shape}"


@pytest.mark.parametrize(
    ("contact", "masked"),
    [
        ("jane.doe@example.com", "j***@example.com"),
        ("a@b.io", "a***@b.io"),
        ("+447700900123", "+44*******123"),
        ("+15555", "+15***555"),
    ],
)
def test_a_contact_is_shown_masked(contact: str, masked: str) -> None:
    assert mask(contact) == masked
