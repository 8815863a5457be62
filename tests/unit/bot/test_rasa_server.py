"""How Rasa is started and what its REST channel checks, without Rasa (bot/server/)."""

from __future__ import annotations

import argparse
import logging
import warnings
from pathlib import Path

import pytest

from bot.server.run import guard_records, guard_warnings, rasa_argv, without_user_words
from bot.server.secret import bearer_matches
from tests.support.linear import LINEAR_GROWTH, settled_growth

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "rasa-api-token-for-tests-0123456789abc"


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        (f"Bearer {TOKEN}", True),
        (f"bearer {TOKEN}", True),
        (None, False),
        ("", False),
        ("Bearer", False),
        (f"Basic {TOKEN}", False),
        (f"Bearer {TOKEN[:-1]}", False),
        (f"Bearer {TOKEN}0", False),
    ],
)
def test_only_the_token_as_a_bearer_matches(header: str | None, matches: bool) -> None:
    assert bearer_matches(header, TOKEN) is matches


def test_no_token_configured_matches_nothing() -> None:
    assert bearer_matches("Bearer ", "") is False


def test_the_token_goes_to_rasa_from_the_environment_not_the_command_line() -> None:
    argv = rasa_argv(["--model", "m.tar.gz", "--enable-api"], {"RASA_API_TOKEN": TOKEN})

    assert argv == ["rasa", "run", "--model", "m.tar.gz", "--enable-api", f"--auth-token={TOKEN}"]


def test_a_token_that_starts_with_a_dash_is_read_as_the_token() -> None:
    # secrets.token_urlsafe gives such tokens; Rasa parses its command line with argparse
    token = "-" + TOKEN[1:]
    parser = argparse.ArgumentParser()
    parser.add_argument("--model")
    parser.add_argument("--auth-token")

    options = parser.parse_args(rasa_argv(["--model", "m.tar.gz"], {"RASA_API_TOKEN": token})[2:])

    assert options.auth_token == token


@pytest.mark.parametrize(
    ("argv", "environ"),
    [
        (["--auth-token", TOKEN], {"RASA_API_TOKEN": TOKEN}),
        ([f"--auth-token={TOKEN}"], {"RASA_API_TOKEN": TOKEN}),
        ([], {}),
        ([], {"RASA_API_TOKEN": "short"}),
    ],
    ids=["token-on-the-command-line", "token-on-the-command-line-with-=", "unset", "short"],
)
def test_rasa_is_not_started_with_a_token_in_sight_or_none(
    argv: list[str], environ: dict[str, str]
) -> None:
    with pytest.raises(SystemExit):
        rasa_argv(argv, environ)


def test_no_process_starts_rasa_with_its_token_on_the_command_line() -> None:
    for name in ("Procfile", "deploy/compose.yaml"):
        text = (ROOT / name).read_text()
        assert "--auth-token" not in text, name
        assert "bot.server.run" in text, name


def test_a_slash_message_s_words_stay_out_of_rasas_warnings() -> None:
    said = "Parsed an intent 'my card is 4111 1111 1111 1111' which is not defined in the domain."

    assert without_user_words(said) == (
        "Parsed an intent of 30 characters which is not defined in the domain."
    )
    entity = without_user_words("Parsed an entity 'ada@example.com' which is not defined.")
    assert "ada@example.com" not in entity


@pytest.mark.parametrize(
    "logged",
    [
        "Failed to parse arguments in line '/call me 07700900123'. Expected the intent to be "
        "one of [...] but found call me 07700900123.Continuing with given line as user text.",
        '{"event": "message.parsing.failed", "user_text": "/{call me 07700900123}"}',
        "Parsed an intent 'it's me, call 07700900123' which is not defined in the domain.",
    ],
)
def test_every_way_rasa_quotes_a_message_is_masked(logged: str) -> None:
    assert "07700900123" not in without_user_words(logged)


def test_masking_takes_time_linear_in_the_text() -> None:
    # the words Rasa writes before a quote, typed by a user over and over
    posed = "Parsed an intent '" * 20_000 + "user_text='" * 20_000

    masked = without_user_words(posed)

    assert masked.endswith("characters not logged>")
    grown = settled_growth(without_user_words, "Parsed an intent '")
    assert grown < LINEAR_GROWTH, f"grows {grown:.1f}x from 8k to 32k"


def test_log_records_are_made_without_a_users_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logging, "_logRecordFactory", logging.getLogRecordFactory())
    guard_records()
    record = logging.getLogRecordFactory()(
        "rasa", logging.WARNING, "x.py", 1, "%s", ('{"user_text": "/{call 07700900123}"}',), None
    )

    assert "07700900123" not in record.getMessage()


def test_warnings_shown_go_through_the_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(warnings, "showwarning", lambda message, *args: shown.append(str(message)))

    guard_warnings()
    warning = UserWarning("Parsed an intent 'call me on +447700900123' which is not defined")
    warnings.showwarning(warning, UserWarning, "processor.py", 1)

    assert shown == ["Parsed an intent of 24 characters which is not defined"]
