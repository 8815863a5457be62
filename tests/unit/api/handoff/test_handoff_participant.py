"""The customer's side of a chat through the real boto3 client against the sandbox's stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api.handoff.participant import (
    MESSAGE_MAX_BYTES,
    ChatGone,
    ParticipantClient,
    message_parts,
    participant_client,
)
from tests.support.linear import LINEAR_GROWTH, slowest_growth
from tests.unit.sandbox.conftest import SandboxServer, make_settings
from tests.unit.sandbox.connect_chat.support import FLOW, INSTANCE, aws_client


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    server = SandboxServer(make_settings(tmp_path_factory.mktemp("p") / "db.sqlite3")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def participant(server: SandboxServer) -> ParticipantClient:
    return ParticipantClient(participant_client(f"{server.url}/connectparticipant", "us-east-1"))


def started(server: SandboxServer, flow: str = FLOW) -> dict[str, Any]:
    answer: dict[str, Any] = aws_client("connect", f"{server.url}/connect").start_chat_contact(
        InstanceId=INSTANCE,
        ContactFlowId=flow,
        ParticipantDetails={"DisplayName": "Ann"},
        InitialMessage={"ContentType": "text/plain", "Content": "Customer: hi"},
    )
    return answer


def agent(server: SandboxServer, contact_id: str, action: str, **body: str) -> dict[str, Any]:
    url = f"{server.url}/_sandbox/connect-chat/chats/{contact_id}/{action}"
    answer = httpx.post(url, json=body or None, timeout=10)
    answer.raise_for_status()
    found: dict[str, Any] = answer.json()
    return found


async def test_customer_connects_sends_and_reads_the_agents_reply_once(
    server: SandboxServer, participant: ParticipantClient
) -> None:
    chat = started(server)
    connection = await participant.connect(chat["ParticipantToken"])
    agent(server, chat["ContactId"], "accept")
    [sent] = await participant.send(connection.connection_token, "my parcel is lost")
    reply = agent(server, chat["ContactId"], "messages", content="Sorry to hear that")

    everything = await participant.transcript_after(connection.connection_token, None)
    after_mine = await participant.transcript_after(connection.connection_token, sent)

    assert connection.websocket_url.startswith("ws")
    contents = [item.content for item in everything if item.kind == "MESSAGE"]
    assert contents == ["Customer: hi", "my parcel is lost", "Sorry to hear that"]
    # from an item on: what came after it, and not the item itself
    assert [i.item_id for i in after_mine if i.kind == "MESSAGE"] == [reply["Id"]]
    [agents] = [i for i in after_mine if i.kind == "MESSAGE"]
    assert agents.role == "AGENT"


async def test_a_transcript_longer_than_a_page_is_read_whole(
    server: SandboxServer, participant: ParticipantClient
) -> None:
    chat = started(server)
    connection = await participant.connect(chat["ParticipantToken"])
    for n in range(120):
        await participant.send(connection.connection_token, f"line {n}")

    items = await participant.transcript_after(connection.connection_token, None)

    said = [i.content for i in items if i.kind == "MESSAGE" and i.role == "CUSTOMER"]
    assert said[1:] == [f"line {n}" for n in range(120)]


async def test_an_ended_chat_is_gone_and_leaving_it_again_is_no_error(
    server: SandboxServer, participant: ParticipantClient
) -> None:
    chat = started(server)
    connection = await participant.connect(chat["ParticipantToken"])
    agent(server, chat["ContactId"], "accept")
    agent(server, chat["ContactId"], "end")

    with pytest.raises(ChatGone):
        await participant.send(connection.connection_token, "hello?")
    await participant.disconnect(connection.connection_token)
    kinds = [
        i.content_type
        for i in await participant.transcript_after(connection.connection_token, None)
    ]
    assert kinds[-1].endswith("chat.ended")


async def test_a_long_message_reaches_the_agent_whole_in_parts(
    server: SandboxServer, participant: ParticipantClient
) -> None:
    chat = started(server)
    connection = await participant.connect(chat["ParticipantToken"])
    text = "é" * 20_000

    await participant.send(connection.connection_token, text)

    items = await participant.transcript_after(connection.connection_token, None)
    parts = [i.content for i in items if i.kind == "MESSAGE" and i.role == "CUSTOMER"][1:]
    assert len(parts) == 3 and "".join(parts) == text


def test_message_parts_cut_between_characters_within_the_limit() -> None:
    text = "a" + "€" * 10_000
    parts = list(message_parts(text))

    assert "".join(parts) == text
    assert all(len(part.encode()) <= MESSAGE_MAX_BYTES for part in parts)
    assert list(message_parts("")) == []


def test_cutting_a_message_takes_linear_time() -> None:
    shape, grown = slowest_growth(lambda text: list(message_parts(text, 1_000)))

    assert grown < LINEAR_GROWTH, f"grows {grown:.1f}x from 8k to 32k on {shape}"
