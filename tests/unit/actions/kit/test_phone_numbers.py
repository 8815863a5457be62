import pytest

from actions.kit.normalise import normalise_phone


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        # reserved for fiction, so libphonenumber calls it "invalid": still a dialable length
        ("+44 7700 900123", "+447700900123"),
        ("07700 900456", "+447700900456"),
        ("call me on +1 202 555 0147 please", "+12025550147"),
        ("+44 (0)20 7946 0958", "+442079460958"),
    ],
)
def test_phone_with_dialable_length_is_normalised_to_e164(typed: str, e164: str) -> None:
    assert normalise_phone(typed, "GB") == e164


@pytest.mark.parametrize("typed", ["12345678", "10000001", "123", "+44 123", "call me maybe"])
def test_too_short_or_local_only_number_is_refused(typed: str) -> None:
    assert normalise_phone(typed, "GB") is None
