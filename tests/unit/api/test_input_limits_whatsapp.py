"""Signed WhatsApp webhooks whose bodies are not what Meta sends: 4xx, nothing queued."""

from __future__ import annotations

import json
import time

import pytest

from tests.unit.api.input_limits_support import text_notification, whatsapp_gateway

VALID = text_notification(("wamid.ok", "16505551234", "hi"), at=int(time.time()))


def with_message(**changes) -> dict:
    body = json.loads(json.dumps(VALID))
    message = body["entry"][0]["changes"][0]["value"]["messages"][0]
    for key, value in changes.items():
        if value is None:
            del message[key]
        else:
            message[key] = value
    return body


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"", 400),
        (b"{", 400),
        (b"not json", 400),
        (b"\xff\xfe\x00", 400),
        (b"[]", 422),
        (b"null", 422),
        (b'"text"', 422),
        (b"{}", 422),
        (b'{"object": "page", "entry": []}', 422),
        (b'{"object": "whatsapp_business_account"}', 422),
        (b'{"object": "whatsapp_business_account", "entry": {}}', 422),
        (b'{"object": "whatsapp_business_account", "entry": [{"changes": 5}]}', 422),
        (b'{"object": "whatsapp_business_account", "entry": [{"changes": [{}]}]}', 422),
        (b'{"object": "whatsapp_business_account", "entry": [1e999]}', 422),
        (json.dumps(with_message(id=None)).encode(), 422),
        (json.dumps(with_message(id="")).encode(), 422),
        (json.dumps(with_message(**{"from": 16505551234})).encode(), 422),
        (json.dumps(with_message(timestamp="yesterday")).encode(), 422),
        (json.dumps(with_message(text={"body": ["a"]})).encode(), 422),
        # a lone surrogate is no Unicode: pydantic's parser calls that invalid JSON
        (json.dumps(with_message(text={"body": "X"})).encode().replace(b'"X"', b'"\\ud800"'), 400),
        (json.dumps(with_message(location={"latitude": "north"})).encode(), 422),
    ],
)
async def test_a_signed_body_that_is_not_a_notification_gets_4xx_and_nothing_is_queued(
    settings_with, tmp_path, raw, status
):
    async with whatsapp_gateway(settings_with, tmp_path) as gateway:
        response = await gateway.post(raw)
        pending = await gateway.app.state.whatsapp.queue.pending()

    assert response.status_code == status
    assert isinstance(response.json()["detail"], str)
    assert pending == 0
    assert gateway.rasa.received == []


async def test_deep_nesting_in_a_signed_body_is_refused_not_crashed_on(settings_with, tmp_path):
    raw = b'{"object": "whatsapp_business_account", "entry": ' + b"[" * 5000 + b"]" * 5000 + b"}"

    async with whatsapp_gateway(settings_with, tmp_path) as gateway:
        response = await gateway.post(raw)

    assert response.status_code in (400, 422)


async def test_a_signed_body_over_the_byte_limit_gets_413_unread(settings_with, tmp_path):
    async with whatsapp_gateway(
        settings_with, tmp_path, gateway_max_message_chars=100, gateway_max_body_bytes=1000
    ) as gateway:
        huge = with_message(text={"body": "x" * 2000})
        response = await gateway.post(huge)
        pending = await gateway.app.state.whatsapp.queue.pending()

    assert response.status_code == 413
    assert pending == 0


async def test_unknown_fields_and_message_types_are_accepted_as_meta_adds_them(
    settings_with, tmp_path
):
    body = with_message(type="reaction", text=None, reaction={"emoji": "👍"}, novelty=[1, 2])
    body["entry"][0]["changes"][0]["value"]["brand_new"] = {"x": 1}

    async with whatsapp_gateway(settings_with, tmp_path) as gateway:
        response = await gateway.post(body)

    assert response.status_code == 200
