from __future__ import annotations

import time

from api.ratelimit import SKIPPED_NOTICE
from tests.unit.api.input_limits_support import eventually, text_notification, whatsapp_gateway

ANN = "16505551234"
BOB = "16505550000"


async def test_a_flooding_sender_is_told_once_and_rasa_hears_only_what_the_limit_allows(
    settings_with, tmp_path
):
    now = int(time.time())
    async with whatsapp_gateway(
        settings_with, tmp_path, rate_limit_per_sender="10/minute", rate_limit_sender_burst=2
    ) as gateway:
        flood = text_notification(
            *[(f"wamid.ann{i}", ANN, f"message {i}") for i in range(5)],
            ("wamid.bob0", BOB, "hello"),
            at=now,
        )

        answer = await gateway.post(flood)
        await eventually(lambda: gateway.texts_sent().count("Noted.") == 3)
        await eventually(lambda: SKIPPED_NOTICE in gateway.texts_sent())

    assert answer.status_code == 200  # Meta must never see a refusal, or it redelivers
    heard = [(m["sender"], m["message"]) for m in gateway.rasa.received]
    # senders are handled side by side; each one's messages in order
    assert [text for sender, text in heard if sender == f"whatsapp:{ANN}"] == [
        "message 0",
        "message 1",
    ]
    assert [text for sender, text in heard if sender == f"whatsapp:{BOB}"] == ["hello"]
    notices = [e["body"] for e in gateway.graph.sent if e["body"].get("type") == "text"]
    told = [body["to"] for body in notices if body["text"]["body"] == SKIPPED_NOTICE]
    assert told == [ANN]  # one notice for three skipped messages, and none for Bob


async def test_without_a_sender_limit_every_message_reaches_rasa(settings_with, tmp_path):
    now = int(time.time())
    async with whatsapp_gateway(settings_with, tmp_path) as gateway:
        await gateway.post(
            text_notification(*[(f"wamid.n{i}", ANN, f"m{i}") for i in range(8)], at=now)
        )
        await eventually(lambda: len(gateway.rasa.received) == 8)

    assert SKIPPED_NOTICE not in gateway.texts_sent()
