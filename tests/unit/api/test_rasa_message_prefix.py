"""Rasa reads at most the configured start of a message; the whole text travels beside it."""

from __future__ import annotations

import json

import httpx
import pytest
from pydantic import SecretStr

from api.conversation import Inbound, converse
from api.rasa import FULL_TEXT_KEY, RasaClient
from api.settings import GatewaySettings


def capturing(max_message_chars: int) -> tuple[RasaClient, list[dict[str, object]]]:
    bodies: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json=[{"recipient_id": "x", "text": "ok"}])

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return RasaClient(http, "http://rasa.test", SecretStr("t"), max_message_chars), bodies


async def test_a_long_message_reaches_rasa_cut_and_whole_beside_it() -> None:
    rasa, bodies = capturing(2_000)
    text = "The router restarts and every light blinks. " * 700  # 30,800 characters

    await converse(rasa, Inbound(channel="webchat", sender="s1", text=text, origin="webchat"))

    [body] = bodies
    assert body["message"] == text[:2_000]
    metadata = body["metadata"]
    assert isinstance(metadata, dict)
    assert metadata[FULL_TEXT_KEY] == text
    assert metadata["channel"] == "webchat"


@pytest.mark.parametrize("length", [0, 1, 1_999, 2_000])
async def test_a_message_rasa_reads_whole_carries_no_copy(length: int) -> None:
    rasa, bodies = capturing(2_000)

    await converse(
        rasa, Inbound(channel="webchat", sender="s1", text="x" * length, origin="webchat")
    )

    [body] = bodies
    assert body["message"] == "x" * length
    assert FULL_TEXT_KEY not in body["metadata"]  # type: ignore[operator]


def test_the_gateway_setting_defaults_to_a_few_thousand_characters() -> None:
    settings = GatewaySettings(rasa_api_token=SecretStr("t"))
    assert 1_000 <= settings.rasa_max_message_chars <= 4_096
    assert settings.rasa_max_message_chars < settings.gateway_max_message_chars


async def test_the_gateway_sends_rasa_the_start_its_setting_names(client_with, fake_rasa) -> None:
    client = await client_with(rasa_max_message_chars=100)
    text = "My parcel never came. " * 1_000

    answer = await client.post("/webchat/messages", json={"sender": "s1", "message": text})

    assert answer.status_code == 200
    [body] = fake_rasa.messages()
    assert body["message"] == text[:100]
    assert body["metadata"][FULL_TEXT_KEY] == text
