"""``POST /internal/notices``: the action server has the gateway tell a user about a queued case.

The gateway runs over fakes: Rasa answers ``trigger_intent`` and the REST channel, WhatsApp
Graph and Twilio are the sandbox's stand-ins.
"""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import pytest

from tests.unit.api.channels.twilio.support import BUSINESS
from tests.unit.api.channels.whatsapp.support import eventually
from tests.unit.api.outreach.ivr.support import RASA_TOKEN
from tests.unit.api.outreach.notices.support import Gateway

WA_CONVERSATION = "whatsapp:447700900123"


def filed(conversation: str = WA_CONVERSATION, ref: str = "10000042", **extra: Any) -> Any:
    return {
        "conversation_id": conversation,
        "channel": conversation.split(":")[0],
        "event": "case_filed",
        "case_ref": ref,
        "notice_id": "submission-1",
        **extra,
    }


async def test_filed_case_is_worded_by_the_bot_and_sent_on_whatsapp(start):
    gateway = await start()

    response = await gateway.notice(filed())
    await eventually(lambda: len(gateway.whatsapp_sent()) == 1)

    assert (response.status_code, response.json()) == (202, {"status": "queued"})
    assert gateway.rasa.calls == [
        {
            "conversation": WA_CONVERSATION,
            "token": RASA_TOKEN,
            "output_channel": "collector",
            "name": "case_filed",
            "entities": {"case_ref": "10000042"},
        }
    ]
    # no message from the customer yet, so the window is closed: the notice template carries it
    [template] = gateway.whatsapp_sent()
    assert template["to"] == "447700900123"
    assert template["template"]["name"] == "assistant_says"
    assert template["template"]["components"][0]["parameters"][0]["text"] == (
        "Hello from case_filed."
    )
    await eventually(lambda: _status(gateway, "notice:submission-1:case_filed") == "sent")
    record = await gateway.runtime.records.get("notice:submission-1:case_filed")
    assert record is not None and record.case_ref == "10000042"


async def test_rejected_case_triggers_case_not_filed_without_entities(start):
    gateway = await start()

    body = {"conversation_id": WA_CONVERSATION, "event": "case_rejected", "notice_id": "s-2"}
    response = await gateway.notice(body)
    await eventually(lambda: len(gateway.whatsapp_sent()) == 1)

    assert response.status_code == 202
    assert [(c["name"], c["entities"]) for c in gateway.rasa.calls] == [("case_not_filed", {})]


async def test_the_same_notice_asked_twice_is_told_once(start):
    gateway = await start()

    first = await gateway.notice(filed())
    again = await gateway.notice(filed())
    await eventually(lambda: len(gateway.whatsapp_sent()) == 1)

    assert (first.json(), again.json()) == ({"status": "queued"}, {"status": "duplicate"})
    assert len(gateway.rasa.calls) == 1


async def test_two_submissions_of_one_conversation_are_both_told(start):
    gateway = await start()

    await gateway.notice(filed(ref="10000001", notice_id="a"))
    await gateway.notice(filed(ref="10000002", notice_id="b"))
    await eventually(lambda: len(gateway.whatsapp_sent()) == 2)

    assert [c["entities"]["case_ref"] for c in gateway.rasa.calls] == ["10000001", "10000002"]


@pytest.mark.parametrize("token", [None, "guess", ""])
async def test_wrong_or_missing_token_returns_401_before_the_body_is_read(start, token):
    gateway = await start()

    good_body = await gateway.notice(filed(), token=token)
    bad_body = await gateway.notice(None, token=token, raw=b"{not json")

    assert (good_body.status_code, bad_body.status_code) == (401, 401)
    assert gateway.rasa.calls == []
    assert await gateway.runtime.records.get("notice:submission-1:case_filed") is None


async def test_without_an_internal_token_the_endpoint_does_not_exist(start):
    gateway = await start(internal_api_token=None)

    response = await gateway.notice(filed())

    assert response.status_code == 404
    assert not hasattr(gateway.app.state, "notices")


@pytest.mark.parametrize(
    "conversation",
    ["twilio:+16505551234", "voice:+16505551234", "whatsapp:", "nochannel"],
)
async def test_a_conversation_on_no_channel_served_here_returns_404_and_is_not_queued(
    start, conversation
):
    gateway = await start()  # Twilio not configured

    response = await gateway.notice(filed(conversation))

    assert response.status_code == 404
    assert await gateway.runtime.queue.claim(1.0) is None


@pytest.mark.parametrize(
    "body",
    [
        {"conversation_id": WA_CONVERSATION, "event": "case_filed"},  # filed without reference
        {"conversation_id": WA_CONVERSATION, "event": "case_lost", "case_ref": "1"},
        {"conversation_id": WA_CONVERSATION * 50, "event": "case_rejected"},
        ["not", "an", "object"],
    ],
)
async def test_a_malformed_notice_returns_422(start, body):
    gateway = await start()

    response = await gateway.notice(body)

    assert response.status_code == 422
    assert gateway.rasa.calls == []


async def test_rasa_down_keeps_the_notice_and_tells_the_user_once_it_is_back(start):
    gateway = await start()
    gateway.rasa.down = True

    response = await gateway.notice(filed())
    await asyncio.sleep(0.5)
    assert (response.status_code, gateway.graph.sent) == (202, [])
    assert _status(gateway, "notice:submission-1:case_filed") == "accepted"
    gateway.rasa.down = False
    await eventually(lambda: len(gateway.whatsapp_sent()) == 1, timeout=15)

    assert len(gateway.rasa.calls) == 1


async def test_a_twilio_conversation_is_told_through_twilio(start):
    gateway = await start(twilio=True)

    response = await gateway.notice(filed("twilio:+16505551234"))
    await eventually(lambda: len(gateway.twilio_sent()) == 1)

    assert response.status_code == 202
    [message] = gateway.twilio_sent()
    assert (message["to"], message["from"], message["body"]) == (
        "whatsapp:+16505551234",
        BUSINESS,
        "Hello from case_filed.",
    )
    assert gateway.whatsapp_sent() == []


async def test_a_webchat_notice_waits_for_the_next_message_and_is_shown_once(start):
    gateway = await start()
    conversation = "webchat:u0123456789abcdef"

    await gateway.notice(filed(conversation))
    await eventually(lambda: len(gateway.rasa.calls) == 1)
    record_key = "notice:submission-1:case_filed"
    await eventually(lambda: _status(gateway, record_key) == "sent")
    first = await gateway.client.post(
        "/webchat/messages", json={"sender": "u0123456789abcdef", "message": "hi"}
    )
    second = await gateway.client.post(
        "/webchat/messages", json={"sender": "u0123456789abcdef", "message": "again"}
    )

    assert [reply["text"] for reply in first.json()] == ["Hello from case_filed.", "You said hi"]
    assert [reply["text"] for reply in second.json()] == ["You said again"]
    assert gateway.rasa.calls[0]["conversation"] == conversation


async def test_another_webchat_sender_does_not_get_the_notice(start):
    gateway = await start()

    await gateway.notice(filed("webchat:u0123456789abcdef"))
    await eventually(lambda: _status(gateway, "notice:submission-1:case_filed") == "sent")
    other = await gateway.client.post(
        "/webchat/messages", json={"sender": "ufedcba9876543210", "message": "hi"}
    )

    assert [reply["text"] for reply in other.json()] == ["You said hi"]


def _status(gateway: Gateway, key: str) -> str | None:
    """The record's status, read straight from the notice database."""
    path = gateway.app.state.settings.notice_queue_db
    with sqlite3.connect(path) as db:
        row = db.execute("SELECT status FROM outreach_records WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])
