from __future__ import annotations

import json

import httpx
import pytest
from pydantic import SecretStr

from actions.outbox.notifier import GatewayNotifier
from cases.backend import CaseDraft

DRAFT = CaseDraft(
    title="t",
    description="d",
    contact="+447700900123",
    priority="High",
    origin="WhatsApp",
    conversation_id="whatsapp:447700900123",
    channel="whatsapp",
)


def notifier(handler: object) -> tuple[GatewayNotifier, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)  # type: ignore[operator,no-any-return]

    http = httpx.AsyncClient(transport=httpx.MockTransport(record))
    return GatewayNotifier(http, "http://gateway.test/", SecretStr("internal-token")), seen


async def test_filed_notice_names_the_conversation_channel_and_reference() -> None:
    sender, seen = notifier(lambda request: httpx.Response(202))

    delivered = await sender.case_filed(DRAFT, "10000042", "key-1")

    assert delivered is True
    [request] = seen
    assert str(request.url) == "http://gateway.test/internal/notices"
    assert request.headers["authorization"] == "Bearer internal-token"
    assert json.loads(request.content) == {
        "conversation_id": "whatsapp:447700900123",
        "channel": "whatsapp",
        "event": "case_filed",
        "case_ref": "10000042",
        "notice_id": "key-1",
    }


async def test_a_notice_goes_to_the_conversation_never_to_a_typed_contact_or_with_the_title():
    sender, seen = notifier(lambda request: httpx.Response(202))
    typed = DRAFT.model_copy(
        update={"contact": "+447700900999", "title": "Pay at evil.example", "description": "x"}
    )

    await sender.case_filed(typed, "10000042", "key-1")

    [request] = seen
    body = json.loads(request.content)
    assert body["conversation_id"] == "whatsapp:447700900123"
    assert "447700900999" not in request.content.decode()
    assert "evil.example" not in request.content.decode()


@pytest.mark.parametrize("status", [500, 503, 429, 408])
async def test_gateway_trouble_means_try_again_later(status: int) -> None:
    sender, _ = notifier(lambda request: httpx.Response(status))

    assert await sender.case_rejected(DRAFT, "key-1") is False


async def test_unreachable_gateway_means_try_again_later() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    sender, _ = notifier(refuse)

    assert await sender.case_filed(DRAFT, "1", "key-1") is False


@pytest.mark.parametrize("status", [400, 401, 404])
async def test_a_refused_notice_is_not_retried_for_ever(status: int) -> None:
    sender, _ = notifier(lambda request: httpx.Response(status))

    assert await sender.case_filed(DRAFT, "1", "key-1") is True
