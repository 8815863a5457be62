from __future__ import annotations

from pydantic import SecretStr

from api.channels.twilio.signature import is_signed, signature, url_spellings

# Twilio's published example: auth token 12345, this URL and these parameters
DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
DOC_PARAMS = [
    ("CallSid", "CA1234567890ABCDE"),
    ("Caller", "+14158675309"),
    ("Digits", "1234"),
    ("From", "+14158675309"),
    ("To", "+18005551212"),
]
DOC_SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_signature_matches_twilios_published_example():
    assert signature(DOC_URL, DOC_PARAMS, "12345") == DOC_SIGNATURE
    # the order parameters arrive in does not matter: Twilio sorts them by name
    assert signature(DOC_URL, list(reversed(DOC_PARAMS)), "12345") == DOC_SIGNATURE


def test_a_parameter_sent_twice_signs_each_distinct_value_in_order():
    params = [
        ("Sid", "CA123"),
        ("SidAccount", "AC123"),
        ("Digits", "5678"),
        ("Digits", "1234"),
        ("Digits", "1234"),
    ]

    assert signature(DOC_URL, params, "12345") == "IK+Dwps556ElfBT0I3Rgjkr1wJU="


def test_any_change_to_url_parameters_or_token_fails_the_check():
    token = SecretStr("12345")

    assert is_signed(DOC_URL, DOC_PARAMS, DOC_SIGNATURE, token)
    assert not is_signed(DOC_URL + "&x=1", DOC_PARAMS, DOC_SIGNATURE, token)
    assert not is_signed(DOC_URL, [*DOC_PARAMS[:-1], ("To", "+18005551213")], DOC_SIGNATURE, token)
    assert not is_signed(DOC_URL, DOC_PARAMS, DOC_SIGNATURE, SecretStr("54321"))
    assert not is_signed(DOC_URL, DOC_PARAMS, None, token)
    assert not is_signed(DOC_URL, DOC_PARAMS, "", token)


def test_the_default_port_may_be_spelled_or_not():
    with_port = "https://mycompany.com:443/myapp.php?foo=1&bar=2"
    token = SecretStr("12345")

    assert is_signed(DOC_URL, DOC_PARAMS, signature(with_port, DOC_PARAMS, "12345"), token)
    assert is_signed(with_port, DOC_PARAMS, DOC_SIGNATURE, token)
    assert url_spellings("https://h.example:8443/x") == ["https://h.example:8443/x"]
