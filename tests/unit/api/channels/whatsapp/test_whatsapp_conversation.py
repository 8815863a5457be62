from __future__ import annotations

import asyncio
import json
import logging
import time

import pytest

from api.jobs.sqlite import SqliteQueue
from api.observability import ContextFilter
from tests.unit.api.channels.whatsapp.support import (
    TEXT_SAMPLE,
    WA_ID,
    Rasa,
    eventually,
    failed_turns,
    fresh,
    gateway_factory,
    notification,
    signed,
    text_message,
    turns,
)


@pytest.fixture
async def start_gateway(settings_with, tmp_path):
    async with gateway_factory(settings_with, tmp_path) as start:
        yield start


def queued_payload(sample: str) -> dict:
    """A queued job as the webhook stores it, for the sample's one message."""
    value = json.loads(sample)["entry"][0]["changes"][0]["value"]
    return {"message": value["messages"][0], "name": value["contacts"][0]["profile"]["name"]}


async def test_replies_inside_the_window_reach_the_user_as_text_and_buttons(start_gateway):
    rasa = Rasa()
    rasa.replies = lambda m: [
        {"recipient_id": m["sender"], "text": "I found your case CASE-12."},
        {
            "recipient_id": m["sender"],
            "text": "Anything else?",
            "buttons": [
                {"title": "Yes", "payload": "/affirm"},
                {"title": "No", "payload": "/deny"},
            ],
        },
    ]
    gateway = await start_gateway(rasa=rasa)

    await gateway.post(fresh(TEXT_SAMPLE))
    await eventually(lambda: len(gateway.sent()) == 2)

    text, buttons = gateway.sent()
    assert (text["to"], text["text"]["body"]) == (WA_ID, "I found your case CASE-12.")
    assert buttons["interactive"]["body"]["text"] == "Anything else?"
    assert [b["reply"]["id"] for b in buttons["interactive"]["action"]["buttons"]] == [
        "/affirm",
        "/deny",
    ]
    await eventually(lambda: len(gateway.graph.sent) == 2)
    deliveries = await gateway.runtime.store.deliveries(WA_ID)
    assert [(d.kind, d.outcome) for d in deliveries] == [
        ("text", "sent"),
        ("interactive", "sent"),
    ]


async def test_a_message_written_more_than_a_day_ago_is_answered_with_the_template(
    start_gateway,
):
    gateway = await start_gateway()

    # the sample was written in February 2025, long outside the 24-hour window
    await gateway.post(TEXT_SAMPLE)
    await eventually(lambda: len(gateway.sent()) == 1)

    [body] = gateway.sent()
    assert body["type"] == "template"
    assert body["template"] == {"name": "case_update", "language": {"code": "en_US"}}
    assert gateway.rasa.texts() == ["Where is my case?"]


async def test_each_sender_is_answered_in_order_while_others_proceed(start_gateway):
    rasa = Rasa()
    rasa.delays = {"alice 1": 0.3}
    gateway = await start_gateway(rasa=rasa)
    alice, bob = "15550000001", "15550000002"

    await gateway.post(
        notification(
            text_message("wamid.a1", "alice 1", sender=alice),
            text_message("wamid.b1", "bob 1", sender=bob),
        )
    )
    await gateway.post(notification(text_message("wamid.a2", "alice 2", sender=alice)))
    await gateway.post(notification(text_message("wamid.b2", "bob 2", sender=bob)))
    await eventually(lambda: len(rasa.received) == 4)

    assert rasa.texts(f"whatsapp:{alice}") == ["alice 1", "alice 2"]
    assert rasa.texts(f"whatsapp:{bob}") == ["bob 1", "bob 2"]
    events = rasa.events
    assert events.index(("end", f"whatsapp:{alice}", "alice 1")) < events.index(
        ("start", f"whatsapp:{alice}", "alice 2")
    )
    # bob's two messages were both answered while alice's first was still with Rasa
    assert events.index(("end", f"whatsapp:{bob}", "bob 2")) < events.index(
        ("end", f"whatsapp:{alice}", "alice 1")
    )
    await eventually(lambda: len(gateway.sent()) == 4)
    replies_to_alice = [b["text"]["body"] for b in gateway.sent() if b["to"] == alice]
    assert replies_to_alice == ["You said: alice 1", "You said: alice 2"]


async def test_a_message_in_flight_when_the_process_died_is_handled_after_restart(
    start_gateway, tmp_path
):
    # what a gateway that died mid-message leaves behind: the job claimed, never finished
    an_hour_ago = time.time() - 3600
    crashed = SqliteQueue.open(tmp_path / "var" / "queue.sqlite3", clock=lambda: an_hour_ago)
    await crashed.enqueue("wamid.inflight", WA_ID, queued_payload(TEXT_SAMPLE))
    assert await crashed.claim(lease_seconds=60) is not None
    await crashed.close()

    gateway = await start_gateway()
    await eventually(lambda: len(gateway.rasa.received) == 1)

    assert gateway.rasa.texts(f"whatsapp:{WA_ID}") == ["Where is my case?"]
    await eventually(lambda: len(gateway.sent()) == 1)
    # the job is finished just after its reply is sent
    for _ in range(100):
        if await gateway.runtime.queue.pending() == 0:
            break
        await asyncio.sleep(0.05)
    assert await gateway.runtime.queue.pending() == 0


async def test_a_message_rasa_answered_before_its_gateway_died_is_answered_not_run_again(
    start_gateway, tmp_path
):
    # the gateway that died had sent the message to Rasa, which answered and kept the turn;
    # the replies never went out and the job was never finished
    rasa = Rasa()
    # written just now, so the reply goes as text inside the service window
    payload = queued_payload(json.dumps(fresh(TEXT_SAMPLE)))
    metadata = {"channel": "whatsapp", "turn": "wamid.answered"}
    rasa.received.append(
        {"sender": f"whatsapp:{WA_ID}", "message": "Where is my case?", "metadata": metadata}
    )
    an_hour_ago = time.time() - 3600
    crashed = SqliteQueue.open(tmp_path / "var" / "queue.sqlite3", clock=lambda: an_hour_ago)
    await crashed.enqueue("wamid.answered", WA_ID, payload)
    assert await crashed.claim(lease_seconds=60) is not None
    await crashed.close()

    gateway = await start_gateway(rasa=rasa)
    await eventually(lambda: len(gateway.sent()) == 1)
    await asyncio.sleep(0.2)

    # Rasa got the message once, from the gateway that died; its reply reached the user once
    assert len(rasa.received) == 1
    assert [body["text"]["body"] for body in gateway.sent()] == ["You said: Where is my case?"]


async def test_a_gateway_that_died_mid_reply_leaves_only_the_rest_to_send(start_gateway, tmp_path):
    rasa = Rasa()
    rasa.replies = lambda m: [
        {"recipient_id": m["sender"], "text": "First part."},
        {"recipient_id": m["sender"], "text": "Second part."},
    ]
    rasa.received.append(
        {
            "sender": f"whatsapp:{WA_ID}",
            "message": "Where is my case?",
            "metadata": {"turn": "wamid.half"},
        }
    )
    an_hour_ago = time.time() - 3600
    crashed = SqliteQueue.open(tmp_path / "var" / "queue.sqlite3", clock=lambda: an_hour_ago)
    await crashed.enqueue("wamid.half", WA_ID, queued_payload(json.dumps(fresh(TEXT_SAMPLE))))
    job = await crashed.claim(lease_seconds=60)
    assert job is not None
    # the dead gateway had sent the first reply, and recorded so, before it died
    await crashed.advance(job, 1)
    await crashed.close()

    gateway = await start_gateway(rasa=rasa)
    await eventually(lambda: len(gateway.sent()) == 1)
    await asyncio.sleep(0.2)

    assert [body["text"]["body"] for body in gateway.sent()] == ["Second part."]
    assert len(rasa.received) == 1


async def test_a_job_another_process_holds_is_left_alone_until_its_lease_ends(
    start_gateway, tmp_path
):
    live = SqliteQueue.open(tmp_path / "var" / "queue.sqlite3")
    await live.enqueue("wamid.held", WA_ID, queued_payload(TEXT_SAMPLE))
    assert await live.claim(lease_seconds=600) is not None

    gateway = await start_gateway()
    await asyncio.sleep(0.3)

    assert gateway.rasa.received == []
    await live.close()


async def test_a_message_queued_at_shutdown_is_handled_once_by_the_next_process(start_gateway):
    first_rasa = Rasa()
    first_rasa.block = asyncio.Event()  # Rasa never answers the first process
    first = await start_gateway(rasa=first_rasa)
    await first.post(notification(text_message("wamid.s1", "still there?")))
    await eventually(lambda: len(first_rasa.events) == 1)
    await first.stop()

    second = await start_gateway()
    await eventually(lambda: len(second.rasa.received) == 1)
    await second.post(notification(text_message("wamid.s1", "still there?")))
    await asyncio.sleep(0.1)

    assert second.rasa.texts() == ["still there?"]
    assert first_rasa.received == []


async def test_rasa_being_down_keeps_the_message_until_it_is_back(start_gateway):
    rasa = Rasa()
    rasa.down = True
    gateway = await start_gateway(rasa=rasa)

    await gateway.post(notification(text_message("wamid.d1", "hello?")))
    await asyncio.sleep(0.2)

    assert await gateway.runtime.queue.pending() == 1
    assert gateway.graph.sent == []
    rasa.down = False
    await eventually(lambda: rasa.texts() == ["hello?"], timeout=10)
    await eventually(lambda: len(gateway.sent()) == 1)


async def test_whatsapp_turn_is_counted_and_timed_under_its_channel(start_gateway):
    gateway = await start_gateway()
    before, webchat_before = turns("whatsapp"), turns("webchat")

    await gateway.post(fresh(TEXT_SAMPLE))
    await eventually(lambda: len(gateway.sent()) == 1)

    assert turns("whatsapp") == tuple(count + 1 for count in before)
    assert turns("webchat") == webchat_before


async def test_whatsapp_turn_that_rasa_misses_is_counted_as_failed(start_gateway):
    gateway = await start_gateway()
    gateway.rasa.down = True
    before = failed_turns("whatsapp")

    await gateway.post(fresh(TEXT_SAMPLE))

    await eventually(lambda: failed_turns("whatsapp") > before)


async def test_rasa_and_the_workers_logs_get_the_webhook_requests_correlation_id(
    start_gateway, caplog
):
    gateway = await start_gateway()
    body = TEXT_SAMPLE.encode()
    # a message of a kind Rasa is not asked about is logged by the worker
    ignored = body.replace(b'"type":"text","text":{"body":"Where is my case?"}', b'"type":"x"')
    ignored = ignored.replace(b"wamid.HBgL", b"wamid.OTHER")
    stamped = ContextFilter(redact_pii=False)
    caplog.handler.addFilter(stamped)
    caplog.set_level(logging.INFO, logger="api.channels.whatsapp")
    try:
        response = await gateway.post(body, {**signed(body), "X-Request-ID": "wa-hook-0001"})
        await eventually(lambda: len(gateway.rasa.received) == 1)
        await gateway.post(ignored, {**signed(ignored), "X-Request-ID": "wa-hook-0002"})
        await eventually(lambda: any("ignored" in r.getMessage() for r in caplog.records))
    finally:
        caplog.handler.removeFilter(stamped)

    assert response.headers["x-request-id"] == "wa-hook-0001"
    assert gateway.rasa.received[0]["metadata"]["correlation_id"] == "wa-hook-0001"
    [line] = [r for r in caplog.records if "ignored" in r.getMessage()]
    assert getattr(line, "correlation_id", None) == "wa-hook-0002"
