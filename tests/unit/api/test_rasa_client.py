from __future__ import annotations

import json

import httpx
import pytest
from pydantic import SecretStr

from api.observability import correlation_id
from api.rasa import BotMessage, Button, RasaClient, RasaError, RasaUnavailable


def rasa_client(handler, base_url="http://rasa.test:5005"):
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return RasaClient(http, base_url, SecretStr("s3cret"))


#: every call that goes through the client's one request path, so one error mapping
CALLS = {
    "send_message": lambda client: client.send_message("a", "hi", {}),
    "trigger": lambda client: client.trigger("whatsapp:1", "case_updated", {"case_ref": "1"}),
    "resume": lambda client: client.resume("webchat:a"),
    "replies_to": lambda client: client.replies_to("whatsapp:1", "turn", "wamid.1"),
}
each_call = pytest.mark.parametrize("call", list(CALLS.values()), ids=list(CALLS))


def answering(status, body=None, *, content=None):
    seen: list[httpx.Request] = []

    def handler(request):
        seen.append(request)
        if content is not None:
            return httpx.Response(status, content=content)
        return httpx.Response(status, json=body)

    return handler, seen


async def test_send_message_posts_the_rest_channel_body():
    handler, seen = answering(200, [])
    client = rasa_client(handler)

    await client.send_message("webchat:a", "hello", {"channel": "webchat"})

    [request] = seen
    assert request.method == "POST"
    assert str(request.url) == "http://rasa.test:5005/webhooks/rest/webhook"
    assert json.loads(request.content) == {
        "sender": "webchat:a",
        "message": "hello",
        "metadata": {"channel": "webchat"},
    }


async def test_send_message_carries_the_token_rasas_rest_channel_requires():
    handler, seen = answering(200, [])
    client = rasa_client(handler)

    await client.send_message("webchat:a", "hello", {})

    [request] = seen
    assert request.headers["authorization"] == "Bearer s3cret"
    # in a header, never in the URL, where proxies and access logs would keep it
    assert "s3cret" not in str(request.url)


async def test_send_message_keeps_a_path_prefix_of_the_base_url():
    handler, seen = answering(200, [])
    client = rasa_client(handler, base_url="http://proxy.test/rasa/")

    await client.send_message("webchat:a", "hello", {})

    assert str(seen[0].url) == "http://proxy.test/rasa/webhooks/rest/webhook"


async def test_replies_are_typed_and_recipient_id_dropped():
    handler, _ = answering(
        200,
        [
            {"recipient_id": "webchat:a", "text": "Hi"},
            {
                "recipient_id": "webchat:a",
                "text": "Pick",
                "buttons": [{"title": "Yes", "payload": "/affirm", "type": "postback"}],
            },
            {"recipient_id": "webchat:a", "image": "https://example.com/x.png"},
            {"recipient_id": "webchat:a", "custom": {"a": [1, None]}},
        ],
    )

    replies = await rasa_client(handler).send_message("webchat:a", "hi", {})

    assert replies == [
        BotMessage(text="Hi"),
        BotMessage(text="Pick", buttons=[Button(title="Yes", payload="/affirm")]),
        BotMessage(image="https://example.com/x.png"),
        BotMessage(custom={"a": [1, None]}),
    ]
    assert all("recipient_id" not in reply.model_dump() for reply in replies)


async def test_replies_with_nothing_to_show_are_dropped():
    handler, _ = answering(200, [{"recipient_id": "a"}, {"recipient_id": "a", "text": "ok"}])

    replies = await rasa_client(handler).send_message("a", "hi", {})

    assert replies == [BotMessage(text="ok")]


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        httpx.ConnectTimeout("slow"),
        httpx.RemoteProtocolError("hung up"),
    ],
)
@each_call
async def test_transport_failures_raise_rasa_unavailable(error, call):
    def handler(request):
        raise error

    with pytest.raises(RasaUnavailable) as caught:
        await call(rasa_client(handler))
    assert caught.value.__cause__ is error


@pytest.mark.parametrize("status", [500, 502, 503, 504])
@each_call
async def test_5xx_raises_rasa_unavailable(status, call):
    handler, _ = answering(status, {"error": "x"})

    with pytest.raises(RasaUnavailable):
        await call(rasa_client(handler))


@pytest.mark.parametrize("status", [400, 401, 404, 409])
@each_call
async def test_4xx_raises_rasa_error_but_not_unavailable(status, call):
    handler, _ = answering(status, {"error": "x"})

    with pytest.raises(RasaError) as caught:
        await call(rasa_client(handler))
    assert not isinstance(caught.value, RasaUnavailable)


@pytest.mark.parametrize(
    "content",
    [b"not json", b'{"text": "not a list"}', b'[{"buttons": [{"title": "no payload"}]}]'],
)
async def test_unreadable_answer_raises_rasa_error(content):
    handler, _ = answering(200, content=content)

    with pytest.raises(RasaError) as caught:
        await rasa_client(handler).send_message("a", "hi", {})
    assert not isinstance(caught.value, RasaUnavailable)


@pytest.mark.parametrize("content", [b"not json", b'{"messages": "not a list"}'])
async def test_unreadable_trigger_answer_raises_rasa_error(content):
    handler, _ = answering(200, content=content)

    with pytest.raises(RasaError) as caught:
        await CALLS["trigger"](rasa_client(handler))
    assert not isinstance(caught.value, RasaUnavailable)


async def test_trigger_posts_the_intent_with_the_token_and_returns_messages_and_slots():
    answer = {
        "tracker": {"slots": {"case_ref": "10000042"}},
        "messages": [{"recipient_id": "x", "text": "Your case moved."}, {"recipient_id": "x"}],
    }
    handler, seen = answering(200, answer)

    triggered = await rasa_client(handler, base_url="http://proxy.test/rasa/").trigger(
        "whatsapp:+1650", "case_updated", {"case_ref": "10000042"}
    )

    [request] = seen
    assert request.url.path == "/rasa/conversations/whatsapp:+1650/trigger_intent"
    assert request.url.params["token"] == "s3cret"
    assert request.url.params["output_channel"] == "collector"
    assert json.loads(request.content) == {
        "name": "case_updated",
        "entities": {"case_ref": "10000042"},
    }
    assert triggered.messages == [BotMessage(text="Your case moved.")]
    assert triggered.slots == {"case_ref": "10000042"}


async def test_is_ready_asks_status_with_the_token():
    handler, seen = answering(200, {"model_id": "m"})

    assert await rasa_client(handler).is_ready() is True
    assert seen[0].url.path == "/status"
    assert seen[0].url.params["token"] == "s3cret"


@pytest.mark.parametrize("status", [401, 409, 500])
async def test_is_ready_is_false_when_status_is_not_200(status):
    handler, _ = answering(status, {})

    assert await rasa_client(handler).is_ready() is False


async def test_is_ready_is_false_when_rasa_cannot_be_reached():
    def handler(request):
        raise httpx.ConnectError("refused")

    assert await rasa_client(handler).is_ready() is False


@each_call
async def test_every_call_carries_the_current_correlation_id_as_x_request_id(call):
    seen: list[httpx.Request] = []

    def handler(request):
        seen.append(request)
        if request.method == "GET":
            return httpx.Response(200, json={"events": []})
        trigger = request.url.path.endswith("/trigger_intent")
        return httpx.Response(200, json={"tracker": {}, "messages": []} if trigger else [])

    client = rasa_client(handler)
    token = correlation_id.set("turn-0000-0001")
    try:
        await call(client)
    finally:
        correlation_id.reset(token)
    await call(client)
    assert [request.headers.get("x-request-id") for request in seen] == ["turn-0000-0001", None]


async def test_resume_posts_the_resume_event_to_the_conversation_with_the_token():
    handler, seen = answering(200, {"sender_id": "whatsapp:+44 1", "paused": False})

    await rasa_client(handler, base_url="http://proxy.test/rasa/").resume("whatsapp:+44 1")

    [request] = seen
    assert request.method == "POST"
    assert request.url.raw_path.startswith(b"/rasa/conversations/whatsapp:+44%201/tracker/events?")
    assert request.url.params["token"] == "s3cret"
    assert json.loads(request.content) == {"event": "resume"}


def turn(key, text, *bot):
    """A user event marked with ``key``, then the bot's events and what Rasa logs between."""
    events = [{"event": "user", "text": text, "metadata": {"turn": key, "channel": "whatsapp"}}]
    events.append({"event": "action", "name": "case_form"})
    events.extend(bot)
    events.append({"event": "action", "name": "action_listen"})
    return events


async def test_replies_to_reads_what_the_bot_answered_the_message_with_that_key():
    buttons = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
    events = [
        {"event": "action", "name": "action_session_start"},
        *turn("wamid.1", "open a case", {"event": "bot", "text": "What is it about?", "data": {}}),
        *turn(
            "wamid.2",
            "Boiler broken",
            {"event": "bot", "text": "Describe it.", "data": {"buttons": None}},
            {"event": "slot", "name": "title", "value": "Boiler broken"},
            {"event": "bot", "text": "Shall I?", "data": {"buttons": buttons, "image": None}},
        ),
        *turn("wamid.3", "yes", {"event": "bot", "text": "Done.", "data": {}}),
    ]
    handler, seen = answering(200, {"sender_id": "whatsapp:+44 1", "events": events})
    client = rasa_client(handler, base_url="http://proxy.test/rasa/")

    replies = await client.replies_to("whatsapp:+44 1", "turn", "wamid.2")

    assert replies == [
        BotMessage(text="Describe it."),
        BotMessage(text="Shall I?", buttons=[Button(**b) for b in buttons]),
    ]
    [request] = seen
    assert request.method == "GET"
    assert request.url.raw_path.startswith(b"/rasa/conversations/whatsapp:+44%201/tracker?")
    assert request.url.params["token"] == "s3cret"
    assert await client.replies_to("whatsapp:+44 1", "turn", "wamid.3") == [
        BotMessage(text="Done.")
    ]


async def test_replies_to_is_none_for_a_message_the_conversation_does_not_have():
    events = turn("wamid.1", "hi", {"event": "bot", "text": "Hello!", "data": {}})
    handler, _ = answering(200, {"events": events})

    assert await rasa_client(handler).replies_to("whatsapp:1", "turn", "wamid.9") is None
    # a message answered with nothing was still answered
    handler, _ = answering(200, {"events": turn("wamid.9", "ok")})
    assert await rasa_client(handler).replies_to("whatsapp:1", "turn", "wamid.9") == []
