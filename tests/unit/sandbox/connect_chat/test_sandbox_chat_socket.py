"""The participant websocket, read with a real websocket client while the agent API acts."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore import UNSIGNED
from websockets.exceptions import ConnectionClosedOK, InvalidStatus
from websockets.sync.client import connect as open_socket

from sandbox.connect_chat import protocol
from tests.unit.sandbox.connect_chat.support import (
    FLOW,
    INSTANCE,
    Chat,
    ChatSandbox,
    aws_client,
    next_item,
    subscribe,
)


def test_agent_joins_types_writes_and_ends_and_the_customer_sees_each_in_order(
    start_chat: Callable[..., Chat], agent: httpx.Client
) -> None:
    chat = start_chat()
    desk = f"/_sandbox/connect-chat/chats/{chat.contact_id}"
    with subscribe(chat.websocket_url) as socket:
        agent.post(f"{desk}/accept", json={"displayName": "Grace"}).raise_for_status()
        agent.post(f"{desk}/typing").raise_for_status()
        agent.post(f"{desk}/messages", json={"content": "Hello, I am Grace"}).raise_for_status()
        agent.post(f"{desk}/end").raise_for_status()

        items = [next_item(socket) for _ in range(5)]
        with pytest.raises(ConnectionClosedOK):
            socket.recv(timeout=5)

    assert [(item["ParticipantRole"], item["Type"], item["ContentType"]) for item in items] == [
        ("AGENT", "EVENT", protocol.JOINED),
        ("AGENT", "EVENT", protocol.TYPING),
        ("AGENT", "MESSAGE", "text/plain"),
        ("AGENT", "EVENT", protocol.LEFT),
        ("SYSTEM", "EVENT", protocol.ENDED),
    ]
    assert items[2]["Content"] == "Hello, I am Grace"
    assert items[0]["DisplayName"] == "Grace"
    assert {item["ContactId"] for item in items} == {chat.contact_id}
    assert {item["InitialContactId"] for item in items} == {chat.contact_id}
    assert len({item["Id"] for item in items}) == 5


def test_the_customers_own_message_comes_back_on_the_socket(
    start_chat: Callable[..., Chat], participant: Any
) -> None:
    chat = start_chat()
    with subscribe(chat.websocket_url) as socket:
        sent = participant.send_message(
            ConnectionToken=chat.connection_token, ContentType="text/plain", Content="hi"
        )
        item = next_item(socket)

    assert (item["Id"], item["ParticipantRole"], item["Content"]) == (sent["Id"], "CUSTOMER", "hi")


def test_nothing_is_pushed_before_the_subscription_and_a_heartbeat_is_echoed(
    start_chat: Callable[..., Chat], participant: Any
) -> None:
    chat = start_chat()
    with open_socket(chat.websocket_url) as socket:
        socket.send(json.dumps({"topic": "aws/heartbeat"}))
        assert json.loads(socket.recv(timeout=5)) == {"topic": "aws/heartbeat"}
        participant.send_message(
            ConnectionToken=chat.connection_token, ContentType="text/plain", Content="early"
        )
        with pytest.raises(TimeoutError):
            socket.recv(timeout=0.5)
        socket.send(json.dumps({"topic": "aws/subscribe", "content": {"topics": ["aws/chat"]}}))
        assert json.loads(socket.recv(timeout=5))["content"]["status"] == "success"
        # what was written since the URL was handed out is not lost by subscribing late
        assert next_item(socket)["Content"] == "early"


def test_an_unknown_socket_key_is_refused_at_the_handshake(chat_sandbox: ChatSandbox) -> None:
    url = chat_sandbox.url.replace("http", "ws", 1) + "/connect-chat/ws/not-a-key"

    with pytest.raises(InvalidStatus) as caught:
        open_socket(url, open_timeout=5)

    assert caught.value.response.status_code == 403


def test_a_reconnect_gets_a_fresh_socket_and_the_transcript_fills_the_gap(
    start_chat: Callable[..., Chat], participant: Any, agent: httpx.Client
) -> None:
    chat = start_chat()
    desk = f"/_sandbox/connect-chat/chats/{chat.contact_id}"
    agent.post(f"{desk}/accept").raise_for_status()
    with subscribe(chat.websocket_url) as socket:
        agent.post(f"{desk}/messages", json={"content": "one"}).raise_for_status()
        assert next_item(socket)["ContentType"] == protocol.JOINED
        assert next_item(socket)["Content"] == "one"
    agent.post(f"{desk}/messages", json={"content": "two, while away"}).raise_for_status()

    again = participant.create_participant_connection(
        ParticipantToken=chat.participant_token, Type=["WEBSOCKET"]
    )
    assert again["Websocket"]["Url"] != chat.websocket_url
    with subscribe(again["Websocket"]["Url"]) as socket:
        agent.post(f"{desk}/messages", json={"content": "three"}).raise_for_status()
        assert next_item(socket)["Content"] == "three"

    transcript = participant.get_transcript(
        ConnectionToken=chat.connection_token, SortOrder="ASCENDING"
    )["Transcript"]
    messages = [item["Content"] for item in transcript if item["Type"] == "MESSAGE"]
    assert messages == ["one", "two, while away", "three"]


def test_a_chat_survives_a_sandbox_restart_with_its_tokens_and_items(tmp_path: Path) -> None:
    db_path = tmp_path / "sandbox.sqlite3"
    first = ChatSandbox(db_path).start()
    try:
        started = aws_client("connect", f"{first.url}/connect").start_chat_contact(
            InstanceId=INSTANCE,
            ContactFlowId=FLOW,
            ParticipantDetails={"DisplayName": "Ada"},
            InitialMessage={"ContentType": "text/plain", "Content": "before the restart"},
        )
        token = aws_client(
            "connectparticipant", f"{first.url}/connectparticipant", signature_version=UNSIGNED
        ).create_participant_connection(
            ParticipantToken=started["ParticipantToken"], Type=["CONNECTION_CREDENTIALS"]
        )["ConnectionCredentials"]["ConnectionToken"]
    finally:
        first.stop()

    second = ChatSandbox(db_path).start()
    try:
        participant = aws_client(
            "connectparticipant", f"{second.url}/connectparticipant", signature_version=UNSIGNED
        )
        participant.send_message(ConnectionToken=token, ContentType="text/plain", Content="after")
        transcript = participant.get_transcript(ConnectionToken=token, SortOrder="ASCENDING")
        waiting = httpx.get(f"{second.url}/_sandbox/connect-chat/chats?state=WAITING").json()
    finally:
        second.stop()

    messages = [item["Content"] for item in transcript["Transcript"] if item["Type"] == "MESSAGE"]
    assert messages == ["before the restart", "after"]
    assert [chat["contactId"] for chat in waiting["chats"]] == [started["ContactId"]]


@pytest.mark.parametrize(
    "frame",
    [b"\x00\xff binary", "not json", "[1, 2]", json.dumps({"topic": "x" * 10_000}), "{}"],
)
def test_a_frame_the_stand_in_does_not_know_is_ignored_and_the_socket_goes_on(
    start_chat: Callable[..., Chat], participant: Any, frame: str | bytes
) -> None:
    chat = start_chat()
    with subscribe(chat.websocket_url) as socket:
        socket.send(frame)
        socket.send(json.dumps({"topic": "aws/heartbeat"}))
        assert json.loads(socket.recv(timeout=5)) == {"topic": "aws/heartbeat"}
        participant.send_message(
            ConnectionToken=chat.connection_token, ContentType="text/plain", Content="still here"
        )
        assert next_item(socket)["Content"] == "still here"
