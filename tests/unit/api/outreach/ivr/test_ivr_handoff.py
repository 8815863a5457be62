from __future__ import annotations

import asyncio
import json
import time

import pytest
from pydantic import SecretStr, ValidationError

from tests.unit.api.channels.whatsapp.support import eventually
from tests.unit.api.outreach.ivr.support import (
    CALLER_WA_ID,
    CONNECT_EVENT,
    RASA_TOKEN,
    TriggerRasa,
    ivr_headers,
    outreach_gateways,
)

INSTANCE = "arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555"
CONTACT_ID = "4a573372-1f28-4e26-b97b-XXXXXXXXXXX"


@pytest.fixture
async def start_gateway(settings_with, tmp_path):
    async with outreach_gateways(settings_with, tmp_path) as start:
        yield start


def plain(**fields):
    return {"caller": "+447700900123", "contact_id": "call-1", **fields}


async def test_connect_event_starts_the_callers_whatsapp_conversation(start_gateway):
    gateway = await start_gateway()

    response = await gateway.handoff(CONNECT_EVENT)

    assert response.status_code == 200
    assert response.json() == {"status": "sent"}
    assert gateway.rasa.calls == [
        {
            "conversation": f"whatsapp:{CALLER_WA_ID}",
            "token": RASA_TOKEN,
            "output_channel": "collector",
            "name": "ivr_handoff",
            "entities": {
                "phone": "+16505551234",
                "origin": "Voice",
                "contact_arn": f"{INSTANCE}/contact/{CONTACT_ID}",
                "handoff_intent": "open_case",
            },
        }
    ]


async def test_outside_the_window_the_bots_words_travel_in_the_notice_template(start_gateway):
    rasa = TriggerRasa()
    rasa.messages = lambda call: [
        {"recipient_id": "x", "text": "Hi, it's casebot.\nPicking up from your call."},
        {
            "recipient_id": "x",
            "text": "How urgent is it?",
            "buttons": [{"title": "Low", "payload": "low"}, {"title": "High", "payload": "high"}],
        },
    ]
    gateway = await start_gateway(rasa=rasa)

    await gateway.handoff(CONNECT_EVENT)

    [template] = gateway.sent()
    assert template["to"] == CALLER_WA_ID
    assert template["type"] == "template"
    assert template["template"]["name"] == "assistant_says"
    assert template["template"]["language"] == {"code": "en_US"}
    [component] = template["template"]["components"]
    assert component["parameters"] == [
        {
            "type": "text",
            "text": "Hi, it's casebot. Picking up from your call. How urgent is it? (Low; High)",
        }
    ]


async def test_inside_the_window_the_bots_messages_go_as_they_are(start_gateway):
    gateway = await start_gateway()
    store = gateway.app.state.whatsapp.store
    await store.saw_user(CALLER_WA_ID, time.time() - 60)

    await gateway.handoff(CONNECT_EVENT)

    assert [body["type"] for body in gateway.sent()] == ["text"]
    assert gateway.sent()[0]["text"]["body"] == "Hello from ivr_handoff."


async def test_without_a_notice_template_the_plain_template_is_sent(start_gateway):
    gateway = await start_gateway(whatsapp_notice_template_name=None)

    response = await gateway.handoff(CONNECT_EVENT)

    [template] = gateway.sent()
    assert template["template"]["name"] == "hello_again"
    assert "components" not in template["template"]
    assert response.json() == {"status": "sent"}


async def test_plain_body_with_a_case_reference_answers_it_as_a_flat_string_map(start_gateway):
    gateway = await start_gateway()

    response = await gateway.handoff(
        plain(intent="check_case_status", case_ref="10000001", contact_arn="arn:contact/1")
    )

    answer = response.json()
    assert answer == {"status": "sent", "case_ref": "10000001"}
    assert all(isinstance(value, str) for value in answer.values())
    [call] = gateway.rasa.calls
    assert call["conversation"] == "whatsapp:447700900123"
    assert call["entities"] == {
        "phone": "+447700900123",
        "origin": "Voice",
        "contact_arn": "arn:contact/1",
        "handoff_intent": "check_case_status",
        "case_ref": "10000001",
    }


async def test_a_reference_the_bot_did_not_accept_is_not_answered(start_gateway):
    rasa = TriggerRasa()
    # what action_ivr_handoff does with a reference that names none of the caller's cases
    rasa.slots = lambda call: {"case_ref": None}
    gateway = await start_gateway(rasa=rasa)

    response = await gateway.handoff(plain(case_ref="99999999"))

    assert response.json() == {"status": "sent"}
    assert rasa.calls[0]["entities"]["case_ref"] == "99999999"


async def test_bad_signature_returns_401_and_triggers_nothing(start_gateway):
    gateway = await start_gateway()
    raw = CONNECT_EVENT.encode()

    forged = await gateway.handoff(CONNECT_EVENT, headers=ivr_headers(raw, "not-the-secret"))
    unsigned = await gateway.handoff(CONNECT_EVENT, headers={})
    tampered = await gateway.handoff(
        CONNECT_EVENT.replace("+16505551234", "+16505559999"), headers=ivr_headers(raw)
    )

    assert [r.status_code for r in (forged, unsigned, tampered)] == [401, 401, 401]
    assert gateway.rasa.calls == []
    assert gateway.sent() == []


async def test_slow_rasa_is_answered_accepted_in_time_and_finished_after(start_gateway):
    rasa = TriggerRasa()
    rasa.delay = 3.0
    gateway = await start_gateway(rasa=rasa, ivr_answer_seconds=0.3)

    started = time.monotonic()
    response = await gateway.handoff(plain(case_ref="10000001"))
    took = time.monotonic() - started
    await eventually(lambda: len(gateway.sent()) == 1, timeout=15)
    await eventually(lambda: gateway.runtime.waiters.futures == {}, timeout=15)
    # the record is finished after the message goes out: wait for it, not for the send
    deadline = time.monotonic() + 15
    record = await gateway.runtime.records.get("ivr:call-1")
    while (record is None or record.status != "sent") and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
        record = await gateway.runtime.records.get("ivr:call-1")
    again = await gateway.handoff(plain(case_ref="10000001"))

    assert response.json() == {"status": "accepted", "case_ref": "10000001"}
    # answered at the budget, long before Rasa did
    assert took < rasa.delay - 1
    assert record is not None and record.status == "sent"
    # the same contact handed off again is answered from its record, not triggered twice
    assert again.json() == {"status": "sent", "case_ref": "10000001"}
    assert len(rasa.calls) == 1


async def test_an_intent_rasa_refuses_is_answered_failed(start_gateway):
    rasa = TriggerRasa()
    rasa.status = 404
    gateway = await start_gateway(rasa=rasa)

    response = await gateway.handoff(plain())

    assert response.json() == {"status": "failed"}
    assert gateway.sent() == []


async def test_rasa_down_is_answered_accepted_and_tried_again(start_gateway):
    rasa = TriggerRasa()
    rasa.down = True
    gateway = await start_gateway(rasa=rasa, ivr_answer_seconds=0.3)

    response = await gateway.handoff(plain())
    rasa.down = False
    await eventually(lambda: len(gateway.sent()) == 1, timeout=10)

    assert response.json() == {"status": "accepted"}
    assert len(rasa.calls) == 1


@pytest.mark.parametrize(
    "body",
    [
        plain(caller="anonymous"),
        plain(caller=None),
        plain(contact_id=""),
        plain(intent="open case; drop"),
        {"Details": {"ContactData": {"ContactId": "c1", "CustomerEndpoint": {}}}},
        ["not", "an", "object"],
    ],
)
async def test_bodies_that_name_no_caller_to_reach_return_422(start_gateway, body):
    gateway = await start_gateway()

    response = await gateway.handoff(body)

    assert response.status_code == 422
    assert gateway.rasa.calls == []


async def test_body_that_is_not_json_returns_400(start_gateway):
    gateway = await start_gateway()

    response = await gateway.handoff("{nope")

    assert response.status_code == 400


async def test_endpoint_without_the_shared_secret_returns_404(client):
    raw = json.dumps(plain()).encode()

    response = await client.post("/webhooks/ivr", content=raw, headers=ivr_headers(raw))

    assert response.status_code == 404


def test_settings_refuse_ivr_handoff_without_the_whatsapp_channel(settings_with):
    with pytest.raises(ValidationError, match="need the WhatsApp channel"):
        settings_with(ivr_shared_secret=SecretStr("s"))


async def test_the_conversation_is_named_exactly_as_the_whatsapp_channel_names_it(start_gateway):
    gateway = await start_gateway()

    await gateway.handoff(plain())

    # an escaped colon would make Rasa start a second conversation beside the user's own
    assert gateway.rasa.calls[0]["conversation"] == "whatsapp:447700900123"


async def test_a_bot_that_says_nothing_is_answered_no_reply_and_sends_nothing(start_gateway):
    rasa = TriggerRasa()
    # what Rasa answers for a conversation a person has taken over (paused)
    rasa.messages = lambda call: []
    gateway = await start_gateway(rasa=rasa)

    response = await gateway.handoff(plain())

    assert response.json() == {"status": "no_reply"}
    assert gateway.sent() == []


async def test_the_handoff_request_id_reaches_rasa_through_the_queue(start_gateway):
    gateway = await start_gateway()
    body = CONNECT_EVENT.encode()
    headers = {**ivr_headers(body), "X-Request-ID": "ivr-call-000001"}

    response = await gateway.client.post("/webhooks/ivr", content=body, headers=headers)

    assert response.status_code == 200
    assert response.headers["x-request-id"] == "ivr-call-000001"
    assert gateway.rasa.request_ids == ["ivr-call-000001"]
