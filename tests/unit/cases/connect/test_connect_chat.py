"""StartChatContact through the real boto3 ``connect`` client against the sandbox's stand-in."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from cases.backend import BackendUnavailable
from cases.connect.chat import (
    MESSAGE_MAX_BYTES,
    ChatUnavailable,
    ConnectChat,
    fit_initial_message,
)
from cases.connect.domain import ArnPlace
from tests.support.linear import LINEAR_GROWTH, slowest_growth
from tests.unit.sandbox.conftest import SandboxServer, make_settings
from tests.unit.sandbox.connect_chat.support import FLOW, INSTANCE, aws_client

PLACE = ArnPlace(partition="aws", region="eu-west-2", account="111122223333")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    server = SandboxServer(make_settings(tmp_path_factory.mktemp("chat") / "db.sqlite3")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def connect(server: SandboxServer) -> Any:
    return aws_client("connect", f"{server.url}/connect")


async def place() -> ArnPlace:
    return PLACE


def chat_on(connect: Any, flow: str = FLOW, instance: str = INSTANCE) -> ConnectChat:
    return ConnectChat(connect, instance, flow, place)


def agent_view(server: SandboxServer, contact_id: str) -> dict[str, Any]:
    answer = httpx.get(f"{server.url}/_sandbox/connect-chat/chats/{contact_id}", timeout=10)
    answer.raise_for_status()
    found: dict[str, Any] = answer.json()
    return found


async def test_started_chat_waits_for_an_agent_with_the_transcript_and_attributes(
    server: SandboxServer, connect: Any
) -> None:
    attributes = {"caseReference": "12345678", "channel": "webchat", "conversationId": "webchat:a"}

    start = await chat_on(connect).start(
        "  Ada\n Lovelace ", attributes, "Customer: hi\ncasebot: Hello", uuid.uuid4().hex
    )

    seen = agent_view(server, start.contact_id)
    assert seen["chat"]["state"] == "WAITING"
    assert seen["chat"]["attributes"] == attributes
    assert seen["chat"]["customer"] == "Ada Lovelace"
    contents = [item.get("Content") for item in seen["items"]]
    assert "Customer: hi\ncasebot: Hello" in contents
    assert start.participant_token and start.participant_id
    assert start.contact_arn == (
        f"arn:aws:connect:eu-west-2:111122223333:instance/{INSTANCE}/contact/{start.contact_id}"
    )


async def test_instance_given_as_an_arn_is_the_contact_arn_prefix(connect: Any) -> None:
    instance = f"arn:aws:connect:us-east-1:444455556666:instance/{INSTANCE}"

    start = await chat_on(connect, instance=instance).start("Ada", {}, "", uuid.uuid4().hex)

    assert start.contact_arn == f"{instance}/contact/{start.contact_id}"


async def test_same_key_answers_with_the_same_chat(connect: Any) -> None:
    key = uuid.uuid4().hex

    first = await chat_on(connect).start("Ada", {}, "hi", key)
    again = await chat_on(connect).start("Ada", {}, "hi", key)
    other = await chat_on(connect).start("Ada", {}, "hi", uuid.uuid4().hex)

    assert again.contact_id == first.contact_id
    assert other.contact_id != first.contact_id


async def test_full_flow_is_chat_unavailable(connect: Any) -> None:
    with pytest.raises(ChatUnavailable):
        await chat_on(connect, flow="sandbox-full").start("Ada", {}, "hi", uuid.uuid4().hex)


async def test_a_chat_whose_instance_arn_is_unknown_still_starts_unlinkable(
    server: SandboxServer, connect: Any
) -> None:
    async def nowhere() -> ArnPlace:
        raise BackendUnavailable("GetDomain failed")

    start = await ConnectChat(connect, INSTANCE, FLOW, nowhere).start(
        "Ada", {}, "", uuid.uuid4().hex
    )

    assert start.contact_arn is None
    assert agent_view(server, start.contact_id)["chat"]["state"] == "WAITING"


async def test_long_transcript_starts_with_its_latest_lines_within_a_message(
    server: SandboxServer, connect: Any
) -> None:
    lines = [f"Customer: message {n} " + "é" * 200 for n in range(200)]

    start = await chat_on(connect).start("Ada", {}, "\n".join(lines), uuid.uuid4().hex)

    [initial] = [
        i["Content"]
        for i in agent_view(server, start.contact_id)["items"]
        if "é" in i.get("Content", "")
    ]
    assert len(initial.encode()) <= MESSAGE_MAX_BYTES
    assert initial.endswith(lines[-1])
    assert lines[0] not in initial


def test_fit_keeps_a_short_transcript_whole_and_cuts_at_lines() -> None:
    assert fit_initial_message("a\nb") == "a\nb"
    fitted = fit_initial_message("\n".join(["x" * 9] * 10), limit=60)
    kept = fitted.splitlines()[1:]
    assert kept and all(line == "x" * 9 for line in kept)
    assert len(fitted.encode()) <= 60


def test_fitting_a_hostile_transcript_takes_linear_time() -> None:
    # both lengths over a message, so the cutting itself is what is timed
    shape, grown = slowest_growth(fit_initial_message, 40_000, 160_000)

    assert grown < LINEAR_GROWTH, f"grows {grown:.1f}x from 40k to 160k on {shape}"
