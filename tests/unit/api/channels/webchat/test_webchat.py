from __future__ import annotations

import json

import pytest

from api.errors import RASA_ERROR_DETAIL, RASA_UNAVAILABLE_DETAIL


async def post(client, body):
    return await client.post("/webchat/messages", json=body)


async def test_message_is_forwarded_to_rasa_in_the_webchat_namespace(client, fake_rasa):
    response = await post(client, {"sender": "abc-123", "message": "I want to open a case"})

    assert response.status_code == 200
    [request] = fake_rasa.requests
    assert request.method == "POST"
    assert str(request.url) == "http://rasa.test:5005/webhooks/rest/webhook"
    assert json.loads(request.content) == {
        "sender": "webchat:abc-123",
        "message": "I want to open a case",
        "metadata": {
            "channel": "webchat",
            "origin": "webchat",
            "role": "customer",
            "correlation_id": response.headers["x-request-id"],
        },
    }


async def test_sender_that_looks_like_another_channel_stays_in_webchat(client, fake_rasa):
    await post(client, {"sender": "whatsapp:15551234567", "message": "hi"})

    assert fake_rasa.messages()[0]["sender"] == "webchat:whatsapp:15551234567"


async def test_client_metadata_cannot_set_channel_origin_role_or_contact(client, fake_rasa):
    forged = {
        "channel": "whatsapp",
        "origin": "Voice",
        "role": "agent",
        "contact": "+15551234567",
        "page": "/pricing",
    }
    await post(client, {"sender": "abc", "message": "hi", "metadata": forged})

    metadata = fake_rasa.messages()[0]["metadata"]
    assert metadata["channel"] == "webchat"
    assert metadata["origin"] == "webchat"
    assert metadata["role"] == "customer"
    assert "contact" not in metadata
    assert metadata["client"] == forged


async def test_replies_are_mapped_to_the_rest_shape_without_recipient_id(client, fake_rasa):
    fake_rasa.replies = [
        {"recipient_id": "webchat:abc", "text": "How urgent is it?"},
        {
            "recipient_id": "webchat:abc",
            "text": "Pick one",
            "buttons": [
                {"title": "High", "payload": '/inform{"priority":"High"}'},
                {"title": "Low", "payload": '/inform{"priority":"Low"}'},
            ],
        },
        {"recipient_id": "webchat:abc", "image": "https://example.com/a.png"},
        {"recipient_id": "webchat:abc", "custom": {"kind": "case", "ref": "C-1", "note": None}},
    ]

    response = await post(client, {"sender": "abc", "message": "hi"})

    assert response.status_code == 200
    assert response.json() == [
        {"text": "How urgent is it?"},
        {
            "text": "Pick one",
            "buttons": [
                {"title": "High", "payload": '/inform{"priority":"High"}'},
                {"title": "Low", "payload": '/inform{"priority":"Low"}'},
            ],
        },
        {"image": "https://example.com/a.png"},
        {"custom": {"kind": "case", "ref": "C-1", "note": None}},
    ]


async def test_no_reply_from_rasa_returns_an_empty_list(client, fake_rasa):
    fake_rasa.replies = []

    response = await post(client, {"sender": "abc", "message": "hi"})

    assert response.status_code == 200
    assert response.json() == []


async def test_bot_text_with_markup_is_passed_through_as_data(client, fake_rasa):
    text = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    fake_rasa.replies = [{"recipient_id": "webchat:abc", "text": text}]

    response = await post(client, {"sender": "abc", "message": "hi"})

    assert response.headers["content-type"] == "application/json"
    assert response.json() == [{"text": text}]


async def test_rasa_down_returns_503_with_a_sentence_for_the_page(client, fake_rasa):
    fake_rasa.go_down()

    response = await post(client, {"sender": "abc", "message": "hi"})

    assert response.status_code == 503
    assert response.json() == {"detail": RASA_UNAVAILABLE_DETAIL}
    assert response.headers["retry-after"].isdigit()


async def test_rasa_failing_with_500_returns_503(client, fake_rasa):
    fake_rasa.webhook_status = 500

    response = await post(client, {"sender": "abc", "message": "hi"})

    assert response.status_code == 503
    assert response.json() == {"detail": RASA_UNAVAILABLE_DETAIL}


async def test_unusable_answer_from_rasa_returns_502(client, fake_rasa):
    fake_rasa.replies = {"not": "a list"}

    response = await post(client, {"sender": "abc", "message": "hi"})

    assert response.status_code == 502
    assert response.json() == {"detail": RASA_ERROR_DETAIL}


async def test_message_at_the_limit_is_forwarded(client_with, fake_rasa):
    client = await client_with(gateway_max_message_chars=10, gateway_max_body_bytes=4096)

    response = await post(client, {"sender": "abc", "message": "é" * 10})

    assert response.status_code == 200
    assert fake_rasa.messages()[0]["message"] == "é" * 10


async def test_message_over_the_limit_returns_413_and_never_reaches_rasa(client_with, fake_rasa):
    client = await client_with(gateway_max_message_chars=10, gateway_max_body_bytes=4096)

    response = await post(client, {"sender": "abc", "message": "x" * 11})

    assert response.status_code == 413
    assert response.json() == {
        "detail": "Your message is too long (11 characters). Please keep it under 10 characters."
    }
    assert fake_rasa.requests == []


async def test_body_over_the_byte_limit_returns_413_and_never_reaches_rasa(client_with, fake_rasa):
    client = await client_with(gateway_max_message_chars=10, gateway_max_body_bytes=100)

    response = await post(
        client, {"sender": "abc", "message": "hi", "metadata": {"pad": "x" * 200}}
    )

    assert response.status_code == 413
    assert "too large" in response.json()["detail"]
    assert fake_rasa.requests == []


@pytest.mark.parametrize(
    "sender",
    ["", "x" * 129, "has space", "<script>", "line\n", "ümlaut", "a/b", "a#b"],
)
async def test_bad_sender_returns_422_and_never_reaches_rasa(client, fake_rasa, sender):
    response = await post(client, {"sender": sender, "message": "hi"})

    assert response.status_code == 422
    assert fake_rasa.requests == []


@pytest.mark.parametrize("sender", ["a", "x" * 128, "A-z_0.9:x", "550e8400-e29b-41d4-a716"])
async def test_good_sender_is_accepted(client, sender):
    response = await post(client, {"sender": sender, "message": "hi"})

    assert response.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"sender": "abc"},
        {"message": "hi"},
        {"sender": "abc", "message": ""},
        {"sender": "abc", "message": "   \n\t"},
        {"sender": "abc", "message": 42},
        {"sender": "abc", "message": ["hi"]},
        {"sender": "abc", "message": None},
        {"sender": 42, "message": "hi"},
        {"sender": None, "message": "hi"},
        {"sender": "abc", "message": "hi", "metadata": ["not", "an", "object"]},
        {"sender": "abc", "message": "hi", "metadata": "x"},
        ["sender", "message"],
        "hello",
        None,
    ],
)
async def test_wrong_shape_or_types_return_422_and_never_reach_rasa(client, fake_rasa, body):
    response = await post(client, body)

    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)
    assert fake_rasa.requests == []


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b'{"sender": "abc", "message": "hi"', b"", b"\xff\xfe", b"null", b"[]"],
)
async def test_malformed_json_returns_422_and_never_reaches_rasa(client, fake_rasa, raw):
    response = await client.post(
        "/webchat/messages", content=raw, headers={"content-type": "application/json"}
    )

    assert response.status_code == 422
    assert fake_rasa.requests == []


async def test_form_encoded_body_returns_422(client, fake_rasa):
    response = await client.post("/webchat/messages", data={"sender": "abc", "message": "hi"})

    assert response.status_code == 422
    assert fake_rasa.requests == []
