"""The logs of a whole conversation, from every process, hold none of the user's PII."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.conftest import Stack
from tests.support.stack import running_stack

pytestmark = pytest.mark.e2e

EMAIL = "ada.lovelace.{tag}@example.com"
PHONE = "+44 7700 900{digits}"


def say(stack: Stack, sender: str, text: str) -> str:
    response = httpx.post(
        f"{stack.gateway_url}/webchat/messages",
        json={"sender": sender, "message": text},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return "\n".join(reply.get("text", "") for reply in response.json())


def test_a_whole_conversation_leaves_no_email_or_phone_number_in_any_log(stack: Stack) -> None:
    tag = uuid.uuid4().hex[:8]
    email = EMAIL.format(tag=tag)
    phone = PHONE.format(digits=f"{uuid.uuid4().int % 1000:03d}")
    sender = f"pii-{tag}"
    start = stack.log.stat().st_size

    say(stack, sender, "I want to open a case")
    say(stack, sender, "Parcel lost")
    say(stack, sender, f"Please call me on {phone} or write to {email} about parcel 4471.")
    say(stack, sender, email)
    say(stack, sender, "high")
    created = say(stack, sender, "yes")
    say(stack, sender, "status of my last case")

    assert re.search(r"\b\d{8}\b", created), created
    logged = stack.log.read_bytes()[start:].decode("utf-8", "replace")
    digits = re.sub(r"\D", "", phone)
    assert logged.strip(), "the processes logged nothing at all: the check would prove nothing"
    assert email not in logged
    assert email.split("@")[0] not in logged
    assert phone not in logged
    assert digits[-10:] not in logged


def test_words_typed_after_a_slash_stay_out_of_rasas_warnings(stack: Stack) -> None:
    # "/<words>" is parsed as an intent named <words>, which Rasa warns its domain lacks
    words = f"my card number {uuid.uuid4().hex[:10]}"
    start = stack.log.stat().st_size

    say(stack, f"slash-{uuid.uuid4().hex[:8]}", f"/{words}")

    logged = stack.log.read_bytes()[start:].decode("utf-8", "replace")
    assert "characters not logged" in logged, "Rasa gave no warning: the check would prove nothing"
    assert words not in logged


@pytest.fixture(scope="module")
def debug_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack logging at DEBUG, where the gateway's HTTP client logs every URL it calls."""
    with running_stack(tmp_path_factory.mktemp("debug-stack"), {"LOG_LEVEL": "DEBUG"}) as running:
        yield running


def test_no_log_line_of_any_process_holds_a_secret(debug_stack: Stack) -> None:
    stack = debug_stack
    # /readyz calls Rasa's HTTP API, whose token travels in the URL the HTTP client logs
    ready = httpx.get(f"{stack.gateway_url}/readyz", timeout=30)
    assert ready.status_code == 200, ready.text
    say(stack, f"secret-{uuid.uuid4().hex[:8]}", "status of my last case")

    logged = stack.log.read_text("utf-8", "replace")
    assert "/status?token=<secret>" in logged, "Rasa's status call was not logged: proves nothing"
    for name in (
        "RASA_API_TOKEN",
        "INTERNAL_API_TOKEN",
        "ACTION_SERVER_TOKEN",
        "AWS_SECRET_ACCESS_KEY",
    ):
        secret = stack.env[name]
        if len(secret) >= 8:
            assert secret not in logged, f"{name} is in the logs"
