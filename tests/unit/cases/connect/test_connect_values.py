from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

import pytest

from cases.backend import Actor
from cases.connect.files import UNNAMED_FILE, file_name
from cases.connect.values import client_token, performed_by, tag_value, when


def test_agent_with_a_user_arn_is_recorded_as_that_user() -> None:
    arn = "arn:aws:connect:us-east-1:1:instance/i/agent/a"
    actor = Actor(channel="webchat", conversation_id="c", agent_id=arn)

    assert performed_by("casebot", actor) == {"userArn": arn}


def test_agent_known_only_by_a_number_is_named_in_a_custom_entity() -> None:
    actor = Actor(channel="whatsapp", conversation_id="c", agent_id="+447700900123")

    assert performed_by("casebot", actor) == {"customEntity": "agent -447700900123 via whatsapp"}


def test_assistant_names_itself_and_the_channel_without_forbidden_characters() -> None:
    actor = Actor(channel="web<chat>", conversation_id="c")

    assert performed_by("case bot!", actor) == {"customEntity": "case bot- via web-chat-"}
    assert performed_by("casebot", None) == {"customEntity": "casebot"}


def test_long_idempotency_keys_are_hashed_not_cut() -> None:
    a, b = "k" * 64 + "a", "k" * 64 + "b"

    assert client_token("short-key") == "short-key"
    assert len(client_token(a)) == 64
    assert client_token(a) != client_token(b)


def test_tag_values_lose_characters_tags_may_not_hold() -> None:
    assert tag_value("whatsapp:+44 7700<x>") == "whatsapp:+44 7700_x_"
    assert len(tag_value("x" * 300)) == 256


def test_date_times_are_read_as_aware_instants() -> None:
    expected = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)

    assert when("2026-11-22T10:00:00Z") == expected
    assert when("2026-11-22T10:00:00") == expected
    assert when(expected.timestamp() * 1000) == expected
    assert when("not a date") is None
    assert when(None) is None


@pytest.mark.parametrize(
    ("name", "sent"),
    [
        ("photo.jpg", "photo.jpg"),
        ("résumé 2024 – final.pdf", "résumé 2024 – final.pdf"),
        ("bill\u200f\u202egnp.exe", "billgnp.exe"),
        ("\ufeff\u2060a\u00adb\u0080.txt", "ab.txt"),
        ("\u200b\u200c\u200d", UNNAMED_FILE),
    ],
)
def test_file_names_lose_every_character_connect_refuses(name: str, sent: str) -> None:
    assert file_name(name) == sent
    assert not any(unicodedata.category(char).startswith("C") for char in file_name(name))
