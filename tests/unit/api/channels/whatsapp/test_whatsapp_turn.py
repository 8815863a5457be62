"""A queued WhatsApp message is a turn like any other: counted under its channel, traced."""

from __future__ import annotations

import logging

import pytest
from prometheus_client import REGISTRY

from api.observability import ContextFilter
from tests.unit.api.channels.whatsapp.support import (
    TEXT_SAMPLE,
    eventually,
    fresh,
    gateway_factory,
    signed,
)


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
async def start_gateway(settings_with, tmp_path):
    async with gateway_factory(settings_with, tmp_path) as start:
        yield start


async def test_whatsapp_turn_is_counted_and_timed_under_its_channel(start_gateway):
    gateway = await start_gateway()
    before_in = sample("casebot_messages_in_total", channel="whatsapp")
    before_out = sample("casebot_messages_out_total", channel="whatsapp")
    before_turns = sample("casebot_turn_seconds_count", channel="whatsapp")
    before_webchat = sample("casebot_messages_in_total", channel="webchat")

    await gateway.post(fresh(TEXT_SAMPLE))
    await eventually(lambda: len(gateway.sent()) == 1)

    assert sample("casebot_messages_in_total", channel="whatsapp") == before_in + 1
    assert sample("casebot_messages_out_total", channel="whatsapp") == before_out + 1
    assert sample("casebot_turn_seconds_count", channel="whatsapp") == before_turns + 1
    assert sample("casebot_messages_in_total", channel="webchat") == before_webchat


async def test_whatsapp_turn_failure_is_counted_under_its_channel(start_gateway):
    gateway = await start_gateway()
    gateway.rasa.down = True
    before = sample("casebot_turn_failures_total", channel="whatsapp", reason="rasa_unavailable")

    await gateway.post(fresh(TEXT_SAMPLE))

    await eventually(
        lambda: (
            sample("casebot_turn_failures_total", channel="whatsapp", reason="rasa_unavailable")
            > before
        )
    )


async def test_rasa_and_the_workers_logs_get_the_webhook_requests_correlation_id(
    start_gateway, caplog
):
    gateway = await start_gateway()
    body = TEXT_SAMPLE.encode()
    stamped = ContextFilter(redact_pii=False)
    caplog.handler.addFilter(stamped)
    caplog.set_level(logging.INFO, logger="api.channels.whatsapp")
    try:
        response = await gateway.client.post(
            "/webhooks/whatsapp",
            content=body,
            headers={**signed(body), "X-Request-ID": "wa-hook-request-0001"},
        )
        await eventually(lambda: len(gateway.rasa.received) == 1)
        # an empty reply logs nothing; a second message of no kind Rasa takes is logged
        ignored = body.replace(b'"type":"text","text":{"body":"Where is my case?"}', b'"type":"x"')
        ignored = ignored.replace(b"wamid.HBgL", b"wamid.OTHER")
        await gateway.client.post(
            "/webhooks/whatsapp",
            content=ignored,
            headers={**signed(ignored), "X-Request-ID": "wa-hook-request-0002"},
        )
        await eventually(lambda: any("ignored" in r.getMessage() for r in caplog.records))
    finally:
        caplog.handler.removeFilter(stamped)

    assert response.headers["x-request-id"] == "wa-hook-request-0001"
    assert gateway.rasa.received[0]["metadata"]["correlation_id"] == "wa-hook-request-0001"
    [line] = [r for r in caplog.records if "ignored" in r.getMessage()]
    assert getattr(line, "correlation_id", None) == "wa-hook-request-0002"
