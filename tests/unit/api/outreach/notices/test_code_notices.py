"""``POST /internal/notices`` with ``verification_code``: a one-time code sent on WhatsApp in fixed
words whose only variable is the code, at once and never queued, and nothing else the body holds
reaching the customer. The action server's ``GatewayTexter`` is checked against the same app."""

from __future__ import annotations

import time
from typing import Any

import pytest
from pydantic import SecretStr

from actions.otp.notifier import GatewayTexter
from api.outreach.notices.delivery import CODE_WORDS
from sandbox.whatsapp.errors import GraphApiError
from tests.unit.api.outreach.notices.support import TOKEN

WA_ID = "447700900123"
WORDS = CODE_WORDS.format(code="204775")


def code_notice(**changes: Any) -> dict[str, Any]:
    body = {
        "conversation_id": f"whatsapp:{WA_ID}",
        "channel": "whatsapp",
        "event": "verification_code",
        "code": "204775",
        "notice_id": "code-1",
    }
    return {**body, **changes}


async def test_outside_the_window_the_code_travels_in_the_notice_template(start):
    gateway = await start()

    response = await gateway.notice(code_notice())

    assert (response.status_code, response.json()) == (200, {"status": "sent"})
    [template] = gateway.whatsapp_sent()
    assert template["to"] == WA_ID
    assert template["template"]["name"] == "assistant_says"
    assert template["template"]["components"] == [
        {"type": "body", "parameters": [{"type": "text", "text": WORDS}]}
    ]
    assert gateway.rasa.calls == [], "a code is worded here, never by the bot"
    record = await gateway.runtime.records.get("notice:code-1:verification_code")
    assert record is not None and (record.status, record.wa_id) == ("sent", WA_ID)


async def test_inside_the_window_the_code_goes_as_a_text(start):
    gateway = await start()
    await gateway.app.state.whatsapp.store.saw_user(WA_ID, time.time() - 60)

    response = await gateway.notice(code_notice())

    assert response.status_code == 200
    [text] = gateway.whatsapp_sent()
    assert (text["type"], text["text"]["body"]) == ("text", WORDS)


async def test_the_code_is_never_kept_by_the_gateway(start):
    gateway = await start()

    await gateway.notice(code_notice())

    assert await gateway.runtime.queue.claim(1.0) is None, "sent at once, not queued"
    for path in gateway.app.state.settings.notice_queue_db.parent.iterdir():
        assert b"204775" not in path.read_bytes(), path.name


async def test_without_a_notice_template_no_plain_template_pretends_to_carry_it(start):
    gateway = await start(whatsapp_notice_template_name=None)

    response = await gateway.notice(code_notice())

    assert response.status_code == 502
    assert gateway.whatsapp_sent() == []
    record = await gateway.runtime.records.get("notice:code-1:verification_code")
    assert record is not None and record.status == "failed"


async def test_a_code_whatsapp_refuses_answers_502(start):
    gateway = await start()
    gateway.graph.fail_next(GraphApiError(131026), 1)

    response = await gateway.notice(code_notice())

    assert response.status_code == 502
    assert gateway.whatsapp_sent() == []


async def test_the_same_code_notice_twice_is_sent_once(start):
    gateway = await start()

    first = await gateway.notice(code_notice())
    again = await gateway.notice(code_notice())

    assert (first.status_code, again.json()) == (200, {"status": "duplicate"})
    assert len(gateway.whatsapp_sent()) == 1


async def test_text_beside_the_code_never_reaches_the_customer(start):
    gateway = await start()
    extra = {"text": "Click http://evil.example", "message": "pay here", "words": "x"}

    response = await gateway.notice(code_notice(**extra))

    assert response.status_code == 200
    [template] = gateway.whatsapp_sent()
    assert template["template"]["components"][0]["parameters"] == [{"type": "text", "text": WORDS}]


@pytest.mark.parametrize(
    "changes",
    [
        {"code": "20477"},
        {"code": "2047750"},
        {"code": "204775 http://evil.example"},
        {"code": "204775\n"},
        {"code": "２０４７７５"},  # fullwidth digits
        {"code": "٢٠٤٧٧٥"},  # Arabic-Indic digits
        {"code": 204775},
        {"code": None},
        {"case_ref": "10000042"},
        {"notice_id": None},
        {"event": "case_rejected"},  # a code rides along with another notice
        {"conversation_id": "whatsapp:evil"},
        {"conversation_id": "whatsapp:+447700900123"},
        {"conversation_id": "whatsapp:0447700900123"},
    ],
)
async def test_anything_but_six_digits_to_a_whatsapp_number_returns_422(start, changes):
    gateway = await start()

    response = await gateway.notice(code_notice(**changes))

    assert response.status_code == 422
    assert gateway.graph.sent == []


@pytest.mark.parametrize("conversation", ["webchat:u0123456789abcdef", "twilio:+447700900123"])
async def test_a_code_for_another_channel_returns_404(start, conversation):
    gateway = await start(twilio=True)

    response = await gateway.notice(code_notice(conversation_id=conversation))

    assert response.status_code == 404
    assert (gateway.graph.sent, gateway.twilio_sent()) == ([], [])


async def test_without_whatsapp_a_code_returns_404(start):
    gateway = await start(whatsapp_app_secret=None, whatsapp_access_token=None)

    response = await gateway.notice(code_notice())

    assert response.status_code == 404


async def test_the_action_servers_texter_gets_its_code_sent(start):
    gateway = await start()
    texter = GatewayTexter(gateway.client, "http://gw.test", SecretStr(TOKEN))

    assert await texter.send(f"+{WA_ID}", "204775")

    [template] = gateway.whatsapp_sent()
    assert template["to"] == WA_ID
    assert template["template"]["components"][0]["parameters"][0]["text"] == WORDS


async def test_the_texter_hears_when_the_code_did_not_go(start):
    gateway = await start(whatsapp_notice_template_name=None)
    texter = GatewayTexter(gateway.client, "http://gw.test", SecretStr(TOKEN))

    assert not await texter.send(f"+{WA_ID}", "204775")
