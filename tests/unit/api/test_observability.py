from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from prometheus_client import REGISTRY

from api.observability import ContextFilter, JsonFormatter, correlation_id, redact
from common.logsafe import mask_secrets


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_metrics_count_messages_turns_and_failures_per_channel(
    client: Any, fake_rasa: Any
) -> None:
    fake_rasa.replies = [{"recipient_id": "x", "text": "a"}, {"recipient_id": "x", "text": "b"}]
    before_in = sample("casebot_messages_in_total", channel="webchat")
    before_out = sample("casebot_messages_out_total", channel="webchat")
    before_turns = sample("casebot_turn_seconds_count", channel="webchat")
    before_failed = sample(
        "casebot_turn_failures_total", channel="webchat", reason="rasa_unavailable"
    )

    await client.post("/webchat/messages", json={"sender": "m1", "message": "hi"})
    fake_rasa.go_down()
    await client.post("/webchat/messages", json={"sender": "m1", "message": "hi again"})
    scraped = await client.get("/metrics")

    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    assert 'casebot_messages_in_total{channel="webchat"}' in scraped.text
    assert sample("casebot_messages_in_total", channel="webchat") == before_in + 2
    assert sample("casebot_messages_out_total", channel="webchat") == before_out + 2
    assert sample("casebot_turn_seconds_count", channel="webchat") == before_turns + 1
    failed = sample("casebot_turn_failures_total", channel="webchat", reason="rasa_unavailable")
    assert failed == before_failed + 1


async def test_sane_request_id_is_kept_answered_and_passed_to_rasa(
    client: Any, fake_rasa: Any
) -> None:
    response = await client.post(
        "/webchat/messages",
        json={"sender": "c1", "message": "hi"},
        headers={"X-Request-ID": "req-12345678"},
    )

    assert response.headers["x-request-id"] == "req-12345678"
    assert fake_rasa.messages()[0]["metadata"]["correlation_id"] == "req-12345678"


@pytest.mark.parametrize("given", [None, "short", "bad id with spaces", "x" * 200])
async def test_missing_or_odd_request_id_is_replaced_by_a_fresh_one(
    client: Any, fake_rasa: Any, given: str | None
) -> None:
    headers = {"X-Request-ID": given} if given else {}

    response = await client.post(
        "/webchat/messages", json={"sender": "c2", "message": "hi"}, headers=headers
    )

    fresh = response.headers["x-request-id"]
    assert fresh != given
    assert len(fresh) == 32
    assert fake_rasa.messages()[0]["metadata"]["correlation_id"] == fresh


async def test_refused_body_still_answers_with_a_correlation_id(client_with: Any) -> None:
    gateway = await client_with(gateway_max_body_bytes=4_000, gateway_max_message_chars=1_000)

    response = await gateway.post(
        "/webchat/messages", content=b"x" * 5_000, headers={"content-type": "application/json"}
    )

    assert response.status_code == 413
    assert len(response.headers["x-request-id"]) == 32


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("mail ada.lovelace+cases@example.co.uk now", "mail <email> now"),
        ("call +44 7700 900123 today", "call <phone> today"),
        ("call 07700-900-123", "call <phone>"),
        ("wa_id 447700900123 sent", "wa_id <phone> sent"),
        ("case 10000001 for (415) 555-0100", "case <phone> for <phone>"),
        ("status 200 in 35 ms, chat webchat:ab12", "status 200 in 35 ms, chat webchat:ab12"),
    ],
)  # fmt: skip
def test_redact_masks_emails_and_phone_numbers(text: str, masked: str) -> None:
    assert redact(text) == masked


def record(message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("casebot.test", logging.INFO, __file__, 1, message, args, None)


def test_filter_masks_arguments_and_stamps_the_correlation_id() -> None:
    token = correlation_id.set("corr-1234")
    try:
        entry = record("message from %s: %s", "+447700900123", "write to bob@example.com")
        ContextFilter(redact_pii=True).filter(entry)
    finally:
        correlation_id.reset(token)

    line = json.loads(JsonFormatter().format(entry))
    assert line["message"] == "message from <phone>: write to <email>"
    assert line["correlation_id"] == "corr-1234"
    assert line["level"] == "info"
    assert line["logger"] == "casebot.test"


def test_filter_leaves_messages_alone_when_redaction_is_off() -> None:
    entry = record("from %s", "+447700900123")

    ContextFilter(redact_pii=False).filter(entry)

    assert entry.getMessage() == "from +447700900123"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (
            'HTTP Request: GET http://127.0.0.1:5005/status?token=4gi12jc5NH5t "HTTP/1.1 200 OK"',
            'HTTP Request: GET http://127.0.0.1:5005/status?token=<secret> "HTTP/1.1 200 OK"',
        ),
        (
            "POST /x?output_channel=collector&token=abc.def",
            "POST /x?output_channel=collector&token=<secret>",
        ),
        ("GET /media?id=1&access_token=EAAG-1_2", "GET /media?id=1&access_token=<secret>"),
        ("Authorization: Bearer eyJhbGciOi.J9x-y_z", "Authorization: Bearer <secret>"),
        ("no secret in ?tokens=1 or token_count=3", "no secret in ?tokens=1 or token_count=3"),
    ],
)
def test_secrets_are_masked(text: str, masked: str) -> None:
    assert mask_secrets(text) == masked


@pytest.mark.parametrize("redact_pii", [True, False])
def test_secrets_are_masked_even_when_pii_redaction_is_off(redact_pii: bool) -> None:
    entry = record("GET %s", "http://rasa/status?token=s3cr3t-value")

    ContextFilter(redact_pii=redact_pii).filter(entry)

    assert entry.getMessage() == "GET http://rasa/status?token=<secret>"
