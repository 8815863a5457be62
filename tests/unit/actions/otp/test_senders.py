"""The senders of codes: SES by email (on the SES stand-in), the gateway for WhatsApp."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr

from actions.otp.notifier import GatewayTexter
from tests.unit.actions.otp.chat import mailer
from tests.unit.sandbox.conftest import SandboxServer, make_settings


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    server = SandboxServer(make_settings(tmp_path_factory.mktemp("ses") / "db.sqlite3")).start()
    yield server
    server.stop()


async def test_ses_mails_fixed_words_around_the_code(server: SandboxServer) -> None:
    assert await mailer(server.url).send("kim@example.org", "204775")

    [sent] = httpx.get(
        f"{server.url}/_sandbox/ses/outbound-emails", params={"to": "kim@example.org"}
    ).json()
    assert sent["FromEmailAddress"] == "casebot@example.com"
    assert sent["Subject"] == "Your one-time code"
    assert sent["Text"].startswith("Your one-time code is 204775. ")


async def test_a_refused_mail_is_logged_without_its_address_and_not_raised(
    server: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    unverified = mailer(server.url, sender="noreply@unverified.example")

    with caplog.at_level(logging.WARNING):
        assert not await unverified.send("lou@example.org", "204775")

    assert "MessageRejected" in caplog.text
    assert "lou@example.org" not in caplog.text and "204775" not in caplog.text


async def test_the_gateway_is_asked_to_send_the_code_on_whatsapp() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202, json={"status": "queued"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        texter = GatewayTexter(http, "http://gateway:8000/", SecretStr("internal-token"))
        assert await texter.send("+447700900123", "204775")

    [request] = seen
    assert str(request.url) == "http://gateway:8000/internal/notices"
    assert request.headers["authorization"] == "Bearer internal-token"
    body = json.loads(request.content)
    assert body["conversation_id"] == "whatsapp:447700900123"
    assert (body["event"], body["code"], body["channel"]) == (
        "verification_code",
        "204775",
        "whatsapp",
    )


@pytest.mark.parametrize("status", [401, 404, 422, 503])
async def test_a_notice_the_gateway_refuses_is_not_sent(status: int) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(status))
    async with httpx.AsyncClient(transport=transport) as http:
        texter = GatewayTexter(http, "http://gateway:8000", None)
        assert not await texter.send("+447700900123", "204775")
