"""What ``/webchat/ws`` accepts: a bad frame gets an error frame, the socket stays usable."""

from __future__ import annotations

import httpx
import pytest

from api.app import create_app
from tests.unit.api.input_limits_support import AsgiSocket


@pytest.fixture
async def start(fake_rasa, settings_with):
    """An app over ``fake_rasa`` with its lifespan running: ``app = await start(...)``."""
    apps = []

    async def start(**overrides):
        app = create_app(settings_with(**overrides), transport=httpx.MockTransport(fake_rasa))
        context = app.router.lifespan_context(app)
        await context.__aenter__()
        apps.append(context)
        return app

    yield start
    for context in reversed(apps):
        await context.__aexit__(None, None, None)


@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        "[1, 2]",
        "null",
        '{"id": 1}',
        '{"id": 1, "sender": "has space", "message": "hi"}',
        '{"id": 1, "sender": "ann", "message": 5}',
        '{"id": 1, "sender": "ann", "message": "hi", "metadata": [1]}',
        '{"id": 1, "sender": "ann", "message": "hi\\ud800"}',
        '{"id": 1, "sender": "ann", "message": "hi", "metadata": {"v": 1e999}}',
        '{"id": 1, "sender": "ann", "message": "hi", "metadata": {"v": NaN}}',
        '{"id": 1, "sender": "ann", "message": "hi", "metadata": ' + "[" * 3000 + "]" * 3000 + "}",
    ],
)
async def test_an_unreadable_frame_gets_a_422_frame_and_the_socket_goes_on(start, fake_rasa, frame):
    app = await start()

    async with AsgiSocket(app) as socket:
        refused = await socket.exchange(frame)
        after = await socket.exchange({"id": 2, "sender": "ann", "message": "still there?"})

    assert refused["status"] == 422
    assert refused["error"] == "That message could not be read. Please try again."
    assert after == {"id": 2, "replies": [{"text": "Hello!"}]}
    assert [m["message"] for m in fake_rasa.messages()] == ["still there?"]


async def test_a_binary_frame_gets_a_415_frame_and_the_socket_goes_on(start, fake_rasa):
    app = await start()

    async with AsgiSocket(app) as socket:
        refused = await socket.exchange(b'{"sender": "ann", "message": "hi"}')
        after = await socket.exchange({"id": 2, "sender": "ann", "message": "hi"})

    assert (refused["status"], refused["id"]) == (415, None)
    assert "replies" in after
    assert len(fake_rasa.messages()) == 1


async def test_the_frame_id_is_echoed_only_when_it_is_a_string_or_number(start):
    app = await start()

    async with AsgiSocket(app) as socket:
        by_number = await socket.exchange({"id": 7, "sender": "has space", "message": "hi"})
        by_object = await socket.exchange({"id": {"x": 1}, "sender": "ann", "message": " "})

    assert (by_number["id"], by_number["status"]) == (7, 422)
    assert (by_object["id"], by_object["status"]) == (None, 422)


async def test_frame_metadata_limits_are_the_posts(start, fake_rasa):
    app = await start(webchat_max_metadata_bytes=64, webchat_max_metadata_depth=2)

    async with AsgiSocket(app) as socket:
        too_big = await socket.exchange(
            {"id": 1, "sender": "ann", "message": "hi", "metadata": {"p": "x" * 100}}
        )
        too_deep = await socket.exchange(
            {"id": 2, "sender": "ann", "message": "hi", "metadata": {"p": [[1]]}}
        )
        fits = await socket.exchange(
            {"id": 3, "sender": "ann", "message": "hi", "metadata": {"p": [1]}}
        )

    assert (too_big["status"], too_deep["status"]) == (413, 422)
    assert "at most 64 bytes" in too_big["error"]
    assert "replies" in fits
    assert [m["metadata"]["client"] for m in fake_rasa.messages()] == [{"p": [1]}]


async def test_a_message_over_the_character_limit_gets_a_413_frame(start, fake_rasa):
    app = await start(gateway_max_message_chars=10, gateway_max_body_bytes=400)

    async with AsgiSocket(app) as socket:
        refused = await socket.exchange({"id": 1, "sender": "ann", "message": "x" * 11})

    assert refused["status"] == 413
    assert "under 10 characters" in refused["error"]
    assert fake_rasa.messages() == []


@pytest.mark.parametrize("frame", ["x" * 401, b"x" * 401])
async def test_a_frame_over_the_byte_limit_closes_the_socket_with_1009(start, fake_rasa, frame):
    app = await start(gateway_max_message_chars=10, gateway_max_body_bytes=400)

    async with AsgiSocket(app) as socket:
        await socket.send(frame)
        closed = await socket.receive()

    assert closed["type"] == "websocket.close"
    assert closed["code"] == 1009
    assert fake_rasa.messages() == []
