from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from typing import Any

import pytest

from sandbox.whatsapp.state import GraphState
from tests.unit.api.channels.whatsapp.support import (
    APP_SECRET,
    BUTTON_REPLY_SAMPLE,
    IMAGE_SAMPLE,
    STATUS_SAMPLE,
    TEXT_SAMPLE,
    VERIFY_TOKEN,
    WA_ID,
    Rasa,
    eventually,
    fresh,
    gateway_factory,
    notification,
    signed,
    text_message,
)


@pytest.fixture
async def start_gateway(settings_with, tmp_path):
    async with gateway_factory(settings_with, tmp_path) as start:
        yield start


HANDSHAKE = {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": ""}


async def test_handshake_with_the_verify_token_echoes_the_challenge(start_gateway):
    gateway = await start_gateway()

    response = await gateway.client.get(
        "/webhooks/whatsapp", params={**HANDSHAKE, "hub.verify_token": VERIFY_TOKEN}
    )

    assert response.status_code == 200
    assert response.text == "1158201444"
    assert response.headers["content-type"].startswith("text/plain")


async def test_handshake_with_a_wrong_token_or_mode_returns_403(start_gateway):
    gateway = await start_gateway()

    wrong_token = await gateway.client.get(
        "/webhooks/whatsapp", params={**HANDSHAKE, "hub.verify_token": "guess"}
    )
    wrong_mode = await gateway.client.get(
        "/webhooks/whatsapp",
        params={**HANDSHAKE, "hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN},
    )
    no_params = await gateway.client.get("/webhooks/whatsapp")

    assert [r.status_code for r in (wrong_token, wrong_mode, no_params)] == [403, 403, 403]
    assert "1158201444" not in wrong_token.text


async def test_channel_without_app_secret_returns_404(client, tmp_path, settings):
    raw = TEXT_SAMPLE.encode()

    get = await client.get("/webhooks/whatsapp", params=HANDSHAKE)
    post = await client.post("/webhooks/whatsapp", content=raw, headers=signed(raw))

    assert (get.status_code, post.status_code) == (404, 404)
    assert settings.whatsapp_app_secret is None


async def test_bad_signature_returns_401_and_processes_nothing(start_gateway, caplog):
    gateway = await start_gateway()
    raw = json.dumps(notification(text_message("wamid.secret1", "my card is 4111 1111"))).encode()
    caplog.set_level(logging.DEBUG)

    forged = await gateway.post(raw, headers=signed(raw, secret="not-the-app-secret"))
    unsigned = await gateway.post(raw, headers={"Content-Type": "application/json"})
    tampered = await gateway.post(raw.replace(b"4111", b"5111"), headers=signed(raw))

    assert [r.status_code for r in (forged, unsigned, tampered)] == [401, 401, 401]
    assert await gateway.runtime.queue.pending() == 0
    assert gateway.rasa.received == []
    assert "4111" not in caplog.text and "wamid.secret1" not in caplog.text
    # the very same bytes pass once signed with the App Secret
    assert (await gateway.post(raw, headers=signed(raw, APP_SECRET))).status_code == 200


async def test_body_that_is_not_json_returns_400_and_wrong_shape_422(start_gateway):
    gateway = await start_gateway()

    not_json = await gateway.post(b"{nope")
    wrong_object = await gateway.post({"object": "page", "entry": []})
    message_without_id = await gateway.post(
        notification({"from": WA_ID, "type": "text", "text": {"body": "hi"}})
    )

    assert not_json.status_code == 400
    assert wrong_object.status_code == 422
    assert message_without_id.status_code == 422
    assert await gateway.runtime.queue.pending() == 0


async def test_text_sample_reaches_rasa_with_whatsapp_metadata(start_gateway):
    gateway = await start_gateway()

    response = await gateway.post(TEXT_SAMPLE)
    await eventually(lambda: len(gateway.rasa.received) == 1)

    assert response.status_code == 200
    assert gateway.rasa.received == [
        {
            "sender": "whatsapp:16505551234",
            "message": "Where is my case?",
            "metadata": {
                "channel": "whatsapp",
                "origin": "WhatsApp",
                "role": "customer",
                "contact": "+16505551234",
                "phone": "+16505551234",
                "name": "Sheena Nelson",
                "correlation_id": response.headers["x-request-id"],
                # the message's key: a turn tried again finds itself in the conversation by it
                "turn": json.loads(TEXT_SAMPLE)["entry"][0]["changes"][0]["value"]["messages"][0][
                    "id"
                ],
            },
        }
    ]


async def test_button_reply_sample_sends_the_buttons_payload(start_gateway):
    gateway = await start_gateway()

    await gateway.post(BUTTON_REPLY_SAMPLE)
    await eventually(lambda: len(gateway.rasa.received) == 1)

    assert gateway.rasa.texts() == ["priority_high"]


async def test_list_reply_sends_the_rows_id(start_gateway):
    gateway = await start_gateway()
    message = {
        "from": WA_ID,
        "id": "wamid.list1",
        "type": "interactive",
        "interactive": {
            "type": "list_reply",
            "list_reply": {"id": '/inform{"priority":"Low"}', "title": "Low", "description": ""},
        },
    }

    await gateway.post(notification(message))
    await eventually(lambda: len(gateway.rasa.received) == 1)

    assert gateway.rasa.texts() == ['/inform{"priority":"Low"}']


async def test_image_sample_is_downloaded_and_described_to_rasa(start_gateway, tmp_path):
    graph = GraphState()
    picture = b"\xff\xd8\xff\xe0 a jpeg of a damaged box"
    graph.add_media(picture, "image/jpeg", media_id="2754859441498128")
    body = fresh(IMAGE_SAMPLE)
    image = body["entry"][0]["changes"][0]["value"]["messages"][0]["image"]
    image["sha256"] = hashlib.sha256(picture).hexdigest()
    gateway = await start_gateway(graph=graph)

    await gateway.post(body)
    await eventually(lambda: len(gateway.rasa.received) == 1)

    [message] = gateway.rasa.received
    # a file is Rasa's share_file intent, the caption its entity, never text to classify
    assert message["message"] == '/share_file{"caption": "the damaged box"}'
    [media] = message["metadata"]["media"]
    assert media["id"] == "2754859441498128"
    assert media["mime_type"] == "image/jpeg"
    assert media["sha256"] == hashlib.sha256(picture).hexdigest()
    assert media["filename"] is None
    saved = tmp_path / "var" / "media" / "2754859441498128.jpg"
    assert media["path"] == str(saved)
    assert saved.read_bytes() == picture
    assert gateway.graph_calls[:2] == ["GetMedia", "DownloadMedia"]


async def test_document_without_caption_is_shared_without_one_and_keeps_its_filename(start_gateway):
    graph = GraphState()
    stored = graph.add_media(b"%PDF-1.7 invoice", "application/pdf")
    gateway = await start_gateway(graph=graph)
    message = {
        "from": WA_ID,
        "id": "wamid.doc1",
        "type": "document",
        "document": {
            "id": stored.id,
            "mime_type": "application/pdf",
            "sha256": stored.sha256,
            "filename": "../../etc/invoice.pdf",
        },
    }

    await gateway.post(notification(message))
    await eventually(lambda: len(gateway.rasa.received) == 1)

    [message_to_rasa] = gateway.rasa.received
    [media] = message_to_rasa["metadata"]["media"]
    assert message_to_rasa["message"] == "/share_file"
    assert media["filename"] == "../../etc/invoice.pdf"
    assert media["path"].endswith(f"/var/media/{stored.id}.pdf")


async def test_media_whose_sha256_differs_is_discarded(start_gateway, tmp_path):
    graph = GraphState()
    graph.add_media(b"not the picture", "image/jpeg", media_id="2754859441498128")
    gateway = await start_gateway(graph=graph)

    await gateway.post(IMAGE_SAMPLE)
    await eventually(lambda: len(gateway.rasa.received) == 1)

    [media] = gateway.rasa.received[0]["metadata"]["media"]
    assert media["path"] is None
    assert list((tmp_path / "var" / "media").glob("*")) == []


def document(stored_id: str, mime_type: str, sha256: str) -> dict[str, object]:
    return {
        "from": WA_ID,
        "id": f"wamid.{stored_id}",
        "type": "document",
        "document": {"id": stored_id, "mime_type": mime_type, "sha256": sha256},
    }


async def test_a_kind_of_file_no_case_takes_is_never_downloaded(start_gateway, tmp_path):
    graph = GraphState()
    stored = graph.add_media(b"\x00\x00\x00\x18ftypmp4 a long video", "video/mp4")
    gateway = await start_gateway(graph=graph)

    await gateway.post(notification(document(stored.id, "video/mp4", stored.sha256)))
    await eventually(lambda: len(gateway.rasa.received) == 1)

    [media] = gateway.rasa.received[0]["metadata"]["media"]
    assert media["path"] is None
    assert media["refused"] == "type"
    assert "DownloadMedia" not in gateway.graph_calls
    assert list((tmp_path / "var" / "media").glob("*")) == []


async def test_a_file_graph_says_is_too_large_is_never_downloaded(start_gateway, tmp_path):
    graph = GraphState()
    stored = graph.add_media(b"%PDF-1.7 " + b"x" * 200, "application/pdf")
    gateway = await start_gateway(graph=graph, whatsapp_media_max_bytes=100)

    await gateway.post(notification(document(stored.id, "application/pdf", stored.sha256)))
    await eventually(lambda: len(gateway.rasa.received) == 1)

    [media] = gateway.rasa.received[0]["metadata"]["media"]
    assert media["path"] is None
    assert media["refused"] == "size"
    assert gateway.graph_calls[:1] == ["GetMedia"]
    assert "DownloadMedia" not in gateway.graph_calls


async def test_location_becomes_a_line_of_text(start_gateway):
    gateway = await start_gateway()
    located = {
        "from": WA_ID,
        "id": "wamid.loc1",
        "type": "location",
        "location": {
            "latitude": 52.37,
            "longitude": 4.89,
            "name": "Depot",
            "address": "Dam 1, Amsterdam",
        },
    }
    bare = {
        "from": WA_ID,
        "id": "wamid.loc2",
        "type": "location",
        "location": {"latitude": -33.9, "longitude": 18.4},
    }

    await gateway.post(notification(located, bare))
    await eventually(lambda: len(gateway.rasa.received) == 2)

    assert gateway.rasa.texts() == [
        "Location: 52.37, 4.89 (Depot, Dam 1, Amsterdam)",
        "Location: -33.9, 18.4",
    ]


async def test_agent_numbers_are_marked_as_agents(start_gateway):
    gateway = await start_gateway(agent_whatsapp_numbers="+15550001111, +1 555 000 2222")

    await gateway.post(
        notification(
            text_message("wamid.a1", "status of CASE-1?", sender="15550002222"),
            text_message("wamid.c1", "hello", sender="15550003333"),
        )
    )
    await eventually(lambda: len(gateway.rasa.received) == 2)

    roles = {m["sender"]: m["metadata"]["role"] for m in gateway.rasa.received}
    assert roles == {"whatsapp:15550002222": "agent", "whatsapp:15550003333": "customer"}


async def test_redelivered_message_is_handled_once(start_gateway):
    gateway = await start_gateway()

    first = await gateway.post(TEXT_SAMPLE)
    again = await gateway.post(TEXT_SAMPLE)
    await eventually(lambda: len(gateway.rasa.received) == 1)
    await gateway.post(notification(text_message("wamid.next", "and now?")))
    await eventually(lambda: len(gateway.rasa.received) == 2)

    assert (first.status_code, again.status_code) == (200, 200)
    assert gateway.rasa.texts() == ["Where is my case?", "and now?"]


async def test_status_receipts_are_recorded_and_failures_logged_without_numbers(
    start_gateway, caplog
):
    gateway = await start_gateway()
    failed = json.loads(STATUS_SAMPLE)
    status = failed["entry"][0]["changes"][0]["value"]["statuses"][0]
    status.update(
        status="failed",
        id="wamid.failed1",
        errors=[{"code": 131026, "title": "Message undeliverable"}],
    )
    caplog.set_level(logging.INFO)

    delivered = await gateway.post(STATUS_SAMPLE)
    failing = await gateway.post(failed)

    assert (delivered.status_code, failing.status_code) == (200, 200)
    store = gateway.runtime.store
    [receipt] = await store.statuses("wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA")
    assert (receipt.status, receipt.recipient, receipt.timestamp) == (
        "delivered",
        WA_ID,
        1739321100,
    )
    [failure] = await store.statuses("wamid.failed1")
    assert (failure.error_code, failure.error_title) == (131026, "Message undeliverable")
    assert "131026" in caplog.text and "Message undeliverable" in caplog.text
    assert WA_ID not in caplog.text
    assert gateway.rasa.received == []


def test_samples_are_the_reference_payloads() -> Any:
    # the embedded samples parse as what Meta documents: one message or one status each
    for sample in (TEXT_SAMPLE, BUTTON_REPLY_SAMPLE, IMAGE_SAMPLE):
        value = json.loads(sample)["entry"][0]["changes"][0]["value"]
        assert len(value["messages"]) == 1 and value["contacts"][0]["wa_id"] == WA_ID
    assert json.loads(STATUS_SAMPLE)["entry"][0]["changes"][0]["value"]["statuses"]


async def test_webhook_answers_before_rasa_has_answered(start_gateway):
    rasa = Rasa()
    rasa.block = asyncio.Event()
    gateway = await start_gateway(rasa=rasa)

    response = await asyncio.wait_for(gateway.post(TEXT_SAMPLE), timeout=2)
    await eventually(lambda: len(rasa.events) == 1)

    assert response.status_code == 200
    assert rasa.received == []
    rasa.block.set()
    await eventually(lambda: len(rasa.received) == 1)
