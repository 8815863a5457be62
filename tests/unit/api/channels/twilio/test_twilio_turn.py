"""A queued Twilio message is a turn like any other: counted under its channel, traced."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from prometheus_client import REGISTRY

from tests.unit.api.channels.twilio.support import form, signed_headers, twilio_gateways
from tests.unit.api.channels.whatsapp.support import eventually


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
async def start_gateway(settings_with, tmp_path):
    async with twilio_gateways(settings_with, tmp_path) as start:
        yield start


async def test_twilio_turn_is_counted_and_timed_under_its_channel(start_gateway):
    gateway = await start_gateway()
    before_in = sample("casebot_messages_in_total", channel="twilio")
    before_out = sample("casebot_messages_out_total", channel="twilio")
    before_turns = sample("casebot_turn_seconds_count", channel="twilio")
    before_webchat = sample("casebot_messages_in_total", channel="webchat")

    await gateway.post(form("SMturn0001", "Where is my case?"))
    await eventually(lambda: len(gateway.sent()) == 1)

    assert sample("casebot_messages_in_total", channel="twilio") == before_in + 1
    assert sample("casebot_messages_out_total", channel="twilio") == before_out + 1
    assert sample("casebot_turn_seconds_count", channel="twilio") == before_turns + 1
    assert sample("casebot_messages_in_total", channel="webchat") == before_webchat


async def test_twilio_turn_failure_is_counted_under_its_channel(start_gateway):
    gateway = await start_gateway()
    gateway.rasa.down = True
    before = sample("casebot_turn_failures_total", channel="twilio", reason="rasa_unavailable")

    await gateway.post(form("SMturn0002", "Where is my case?"))

    await eventually(
        lambda: (
            sample("casebot_turn_failures_total", channel="twilio", reason="rasa_unavailable")
            > before
        )
    )


async def test_rasa_gets_the_webhook_requests_correlation_id(start_gateway):
    gateway = await start_gateway()
    params = form("SMturn0003", "Where is my case?")

    response = await gateway.client.post(
        "/webhooks/twilio",
        content=urlencode(params).encode(),
        headers={**signed_headers(params), "X-Request-ID": "twilio-hook-request-0001"},
    )
    await eventually(lambda: len(gateway.rasa.received) == 1)

    assert response.headers["x-request-id"] == "twilio-hook-request-0001"
    assert gateway.rasa.received[0]["metadata"]["correlation_id"] == "twilio-hook-request-0001"
