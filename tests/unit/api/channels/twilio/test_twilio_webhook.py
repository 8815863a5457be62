from __future__ import annotations

import asyncio
import hashlib
import logging
from urllib.parse import urlencode

import pytest
from pydantic import SecretStr, ValidationError

from sandbox.twilio.state import Failure, TwilioState
from tests.unit.api.channels.twilio.support import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    BUSINESS,
    PUBLIC_URL,
    USER,
    form,
    signed_headers,
    twilio_gateways,
)
from tests.unit.api.channels.whatsapp.support import Rasa, eventually, failed_turns, turns


@pytest.fixture
async def start_gateway(settings_with, tmp_path):
    async with twilio_gateways(settings_with, tmp_path) as start:
        yield start


async def test_signed_message_is_answered_with_empty_twiml_and_reaches_rasa(start_gateway):
    gateway = await start_gateway()

    response = await gateway.post(form("SM0001", "Where is my case?"))
    await eventually(lambda: len(gateway.rasa.received) == 1)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    assert response.text.endswith("<Response/>")
    assert gateway.rasa.received == [
        {
            "sender": "twilio:+16505551234",
            "message": "Where is my case?",
            "metadata": {
                "channel": "twilio",
                "origin": "WhatsApp",
                "role": "customer",
                "contact": USER,
                "phone": USER,
                "name": "Sheena Nelson",
                "correlation_id": response.headers["x-request-id"],
                # the message's key: a turn tried again finds itself in the conversation by it
                "turn": "SM0001",
            },
        }
    ]


async def test_bad_signature_returns_401_and_processes_nothing(start_gateway, caplog):
    gateway = await start_gateway()
    params = form("SM0002", "my card is 4111 1111")
    caplog.set_level(logging.DEBUG)
    tampered = {**params, "Body": "my card is 5111 1111"}

    forged = await gateway.post(params, headers=signed_headers(params, token="not-the-token"))
    unsigned = await gateway.post(params, headers={})
    changed = await gateway.post(tampered, headers=signed_headers(params))
    # signed over the address the gateway sees rather than the public one Twilio posts to
    wrong_url = await gateway.post(
        params, headers=signed_headers(params, url="http://10.0.0.7:8000/webhooks/twilio")
    )

    assert [r.status_code for r in (forged, unsigned, changed, wrong_url)] == [401] * 4
    assert await gateway.runtime.queue.pending() == 0
    assert gateway.rasa.received == []
    assert "4111" not in caplog.text
    assert (await gateway.post(params)).status_code == 200


async def test_query_string_twilio_was_given_is_part_of_the_signed_url(start_gateway):
    gateway = await start_gateway()
    params = form("SM0003", "hello")

    response = await gateway.client.post(
        "/webhooks/twilio?tenant=acme",
        content=urlencode(params).encode(),
        headers=signed_headers(params, url=PUBLIC_URL + "?tenant=acme"),
    )
    await eventually(lambda: len(gateway.rasa.received) == 1)

    assert response.status_code == 200


async def test_same_message_sid_is_processed_once(start_gateway):
    gateway = await start_gateway()
    params = form("SM0004", "hello")

    first = await gateway.post(params)
    again = await gateway.post(params)
    await eventually(lambda: len(gateway.rasa.received) == 1)
    await gateway.post(form("SM0005", "second"))
    await eventually(lambda: len(gateway.rasa.received) == 2)

    assert (first.status_code, again.status_code) == (200, 200)
    assert gateway.rasa.texts() == ["hello", "second"]


async def test_replies_go_out_through_the_messages_api_with_buttons_numbered(start_gateway):
    rasa = Rasa()
    rasa.replies = lambda m: [
        {"recipient_id": m["sender"], "text": "Your case is open."},
        {
            "recipient_id": m["sender"],
            "text": "How urgent is it?",
            "buttons": [
                {"title": "Low", "payload": '/inform{"priority":"Low"}'},
                {"title": "High", "payload": '/inform{"priority":"High"}'},
            ],
        },
    ]
    gateway = await start_gateway(rasa=rasa)

    await gateway.post(form("SM0006", "open a case"))
    await eventually(lambda: len(gateway.sent()) == 2)

    first, second = gateway.sent()
    assert (first["from"], first["to"]) == (BUSINESS, f"whatsapp:{USER}")
    assert first["account_sid"] == ACCOUNT_SID
    assert first["body"] == "Your case is open."
    assert second["body"] == "How urgent is it?\n\n1. Low\n2. High"
    [delivery, _] = await gateway.runtime.store.deliveries(USER)
    assert delivery.outcome == "sent" and delivery.sid == first["sid"]


async def test_a_number_or_title_answers_the_last_buttons_with_their_payload(start_gateway):
    rasa = Rasa()
    rasa.replies = lambda m: (
        [
            {
                "recipient_id": m["sender"],
                "text": "How urgent?",
                "buttons": [
                    {"title": "Low", "payload": "priority_low"},
                    {"title": "High", "payload": "priority_high"},
                ],
            }
        ]
        if m["message"] == "open a case"
        else [{"recipient_id": m["sender"], "text": "ok"}]
    )
    gateway = await start_gateway(rasa=rasa)

    await gateway.post(form("SM0010", "open a case"))
    await eventually(lambda: len(gateway.rasa.received) == 1)
    await gateway.post(form("SM0011", " 2 "))
    await eventually(lambda: len(gateway.rasa.received) == 2)
    # the options were answered: a number now is just a number
    await gateway.post(form("SM0012", "2"))
    await eventually(lambda: len(gateway.rasa.received) == 3)

    assert gateway.rasa.texts() == ["open a case", "priority_high", "2"]


async def test_quick_reply_button_sends_its_payload(start_gateway):
    gateway = await start_gateway()

    await gateway.post(form("SM0013", "High", ButtonText="High", ButtonPayload="priority_high"))
    await eventually(lambda: len(gateway.rasa.received) == 1)

    assert gateway.rasa.texts() == ["priority_high"]


async def test_media_is_downloaded_with_basic_auth_and_described(start_gateway, tmp_path):
    twilio = TwilioState()
    picture = b"\xff\xd8\xff\xe0 a jpeg of a damaged box"
    stored = twilio.add_media(picture, "image/jpeg")
    url = (
        f"http://twilio.test/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/"
        f"{stored.message_sid}/Media/{stored.sid}"
    )
    gateway = await start_gateway(twilio=twilio)

    await gateway.post(
        form("SM0020", "", NumMedia="1", MediaUrl0=url, MediaContentType0="image/jpeg")
    )
    await eventually(lambda: len(gateway.rasa.received) == 1)

    [message] = gateway.rasa.received
    assert message["message"] == "/share_file"
    [media] = message["metadata"]["media"]
    saved = tmp_path / "var" / "media" / "SM0020-0.jpg"
    assert media == {
        "id": "SM0020-0",
        "mime_type": "image/jpeg",
        "sha256": hashlib.sha256(picture).hexdigest(),
        "filename": None,
        "path": str(saved),
    }
    assert saved.read_bytes() == picture


async def test_a_kind_of_file_no_case_takes_is_never_downloaded(start_gateway, tmp_path):
    twilio = TwilioState()
    stored = twilio.add_media(b"a long video", "video/mp4")
    gateway = await start_gateway(twilio=twilio)
    url = (
        f"http://twilio.test/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/"
        f"{stored.message_sid}/Media/{stored.sid}"
    )

    await gateway.post(
        form("SM0022", "", NumMedia="1", MediaUrl0=url, MediaContentType0="video/mp4")
    )
    await eventually(lambda: len(gateway.rasa.received) == 1)

    [media] = gateway.rasa.received[0]["metadata"]["media"]
    assert media["path"] is None
    assert media["refused"] == "type"
    assert not (tmp_path / "var" / "media").exists() or not any(
        (tmp_path / "var" / "media").iterdir()
    )


async def test_media_twilio_refuses_is_described_without_a_file(start_gateway, tmp_path):
    gateway = await start_gateway()
    missing = f"http://twilio.test/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM1/Media/ME1"

    await gateway.post(
        form("SM0021", "see photo", NumMedia="1", MediaUrl0=missing, MediaContentType0="image/png")
    )
    await eventually(lambda: len(gateway.rasa.received) == 1)

    [media] = gateway.rasa.received[0]["metadata"]["media"]
    assert gateway.rasa.texts() == ['/share_file{"caption": "see photo"}']
    assert media["path"] is None
    assert not (tmp_path / "var" / "media").exists() or not any(
        (tmp_path / "var" / "media").iterdir()
    )


async def test_rate_limited_send_is_retried_and_a_refused_one_recorded(start_gateway):
    twilio = TwilioState()
    twilio.fail_next(Failure(429, 20429, "Too Many Requests"), 1)
    gateway = await start_gateway(twilio=twilio)

    await gateway.post(form("SM0030", "hello"))
    await eventually(lambda: len(gateway.sent()) == 1)
    twilio.fail_next(Failure(400, 63016, "Outside the allowed window"), 1)
    await gateway.post(form("SM0031", "again"))
    await eventually(lambda: len(twilio.sent) == 3)
    deliveries = await gateway.runtime.store.deliveries(USER)
    while len(deliveries) < 2:
        await asyncio.sleep(0.01)
        deliveries = await gateway.runtime.store.deliveries(USER)

    sent, refused = deliveries
    assert (sent.outcome, sent.attempts) == ("sent", 2)
    assert (refused.outcome, refused.error_code) == ("failed", 63016)


async def test_channel_without_auth_token_returns_404(client):
    params = form("SM0040", "hello")

    response = await client.post(
        "/webhooks/twilio", content=urlencode(params).encode(), headers=signed_headers(params)
    )

    assert response.status_code == 404


async def test_sender_that_is_not_a_phone_number_returns_422(start_gateway):
    gateway = await start_gateway()

    response = await gateway.post(form("SM0041", "hi", sender="+1abc"))

    assert response.status_code == 422
    assert await gateway.runtime.queue.pending() == 0


async def test_sender_without_the_whatsapp_prefix_returns_422_and_reaches_nobody(start_gateway):
    gateway = await start_gateway()
    # an SMS to another of the account's numbers: From is a bare number
    params = {**form("SM0042", "I am the agent"), "From": USER}

    response = await gateway.post(params)

    assert response.status_code == 422
    assert await gateway.runtime.queue.pending() == 0
    assert gateway.rasa.received == []


async def test_message_to_another_number_of_the_account_returns_422(start_gateway):
    gateway = await start_gateway()
    params = {**form("SM0043", "hello"), "To": "whatsapp:+14155550000"}

    response = await gateway.post(params)

    assert response.status_code == 422
    assert await gateway.runtime.queue.pending() == 0
    assert (await gateway.post(form("SM0044", "hello"))).status_code == 200


def test_settings_refuse_a_token_without_where_to_reply_from(settings_with):
    with pytest.raises(ValidationError, match="TWILIO_WEBHOOK_URL"):
        settings_with(twilio_auth_token=SecretStr(AUTH_TOKEN), twilio_account_sid=ACCOUNT_SID)


async def test_twilio_turn_is_counted_and_timed_under_its_channel(start_gateway):
    gateway = await start_gateway()
    before, webchat_before = turns("twilio"), turns("webchat")

    await gateway.post(form("SMturn0001", "Where is my case?"))
    await eventually(lambda: len(gateway.sent()) == 1)

    assert turns("twilio") == tuple(count + 1 for count in before)
    assert turns("webchat") == webchat_before


async def test_twilio_turn_that_rasa_misses_is_counted_as_failed(start_gateway):
    gateway = await start_gateway()
    gateway.rasa.down = True
    before = failed_turns("twilio")

    await gateway.post(form("SMturn0002", "Where is my case?"))

    await eventually(lambda: failed_turns("twilio") > before)


async def test_rasa_gets_the_twilio_webhook_requests_correlation_id(start_gateway):
    gateway = await start_gateway()
    params = form("SMturn0003", "Where is my case?")

    response = await gateway.post(
        params, {**signed_headers(params), "X-Request-ID": "twilio-hook-0001"}
    )
    await eventually(lambda: len(gateway.rasa.received) == 1)

    assert response.headers["x-request-id"] == "twilio-hook-0001"
    assert gateway.rasa.received[0]["metadata"]["correlation_id"] == "twilio-hook-0001"
