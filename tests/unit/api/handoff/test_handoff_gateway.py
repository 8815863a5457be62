"""The gateway with HANDOFF_MODE=connect_chat: a webchat customer handed to a person and back.

Rasa is faked (it answers the handoff with the chat the action server started); the chat is
the sandbox's stand-in, reached with the real boto3 client and a real websocket.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from api.conversation import NOT_CONNECTED
from api.handoff import transcripts
from api.handoff.channel import TYPING_REPLY
from api.handoff.relay import BACK
from tests.support.services import RedisServer
from tests.unit.api.conftest import FakeRasa
from tests.unit.api.handoff.live_chat import agent, handoff, transcript, until
from tests.unit.sandbox.connect_chat.support import ChatSandbox

INTERNAL_TOKEN = "internal-token-for-tests-0123456789"


class HandoffRasa(FakeRasa):
    """Rasa that also takes the resume of a conversation."""

    def __init__(self) -> None:
        super().__init__()
        self.resumed: list[str] = []
        self.transcripts: list[dict[str, Any]] = []
        #: how the action server answers the next transcripts posted (then 204)
        self.transcript_answers: list[int] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/internal/chat-transcripts" and request.url.port == 5055:
            assert request.headers["authorization"] == f"Bearer {INTERNAL_TOKEN}"
            if self.transcript_answers:
                return httpx.Response(self.transcript_answers.pop(0))
            self.transcripts.append(json.loads(request.content))
            return httpx.Response(204)
        if request.url.path.endswith("/tracker/events"):
            self.requests.append(request)
            assert json.loads(request.content) == {"event": "resume"}
            self.resumed.append(request.url.path.split("/")[2])
            return httpx.Response(200, json={"paused": False})
        return super().__call__(request)


@pytest.fixture
def fake_rasa() -> HandoffRasa:
    return HandoffRasa()


@pytest.fixture
def live_settings(
    sandbox: ChatSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    return {
        "handoff_mode": "connect_chat",
        "handoff_relay_db": tmp_path / "relay.sqlite3",
        "notice_queue_db": tmp_path / "notices.sqlite3",
        "connect_participant_endpoint_url": f"{sandbox.url}/connectparticipant",
        "internal_api_token": SecretStr(INTERNAL_TOKEN),
    }


def waiting(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT COUNT(*) FROM webchat_inbox").fetchone()[0])


def texts(response: httpx.Response) -> list[str]:
    return [reply.get("text", "") for reply in response.json()]


async def live_chat_at(
    client: httpx.AsyncClient,
    fake_rasa: HandoffRasa,
    sandbox: ChatSandbox,
    sender: str | None = None,
) -> tuple[str, dict[str, Any]]:
    """A page's customer (``sender``, else a new one), handed by the assistant to a chat that
    the agent Sam accepted: the page's sender, and what the action server handed the gateway."""
    sender = sender or uuid.uuid4().hex[:10]
    handed = handoff(sandbox)
    fake_rasa.replies = [{"text": "Connecting you."}, {"custom": {"live_chat": handed}}]
    await client.post("/webchat/messages", json={"sender": sender, "message": "a person please"})
    agent(sandbox, handed["contact_id"], "accept", displayName="Sam")
    return sender, handed


async def test_webchat_customer_talks_with_a_person_then_the_assistant_is_back(
    sandbox: ChatSandbox,
    fake_rasa: HandoffRasa,
    client_with: Callable[..., Any],
    live_settings: dict[str, Any],
) -> None:
    client = await client_with(**live_settings)
    sender = uuid.uuid4().hex[:10]
    handed = handoff(sandbox)
    fake_rasa.replies = [
        {"text": "Connecting you to a person now."},
        {"custom": {"live_chat": handed}},
    ]

    answer = await client.post(
        "/webchat/messages", json={"sender": sender, "message": "a person please"}
    )

    # the chat's tokens never reach the page
    assert answer.json() == [{"text": "Connecting you to a person now."}]
    agent(sandbox, handed["contact_id"], "accept", displayName="Sam")
    agent(sandbox, handed["contact_id"], "messages", content="Hi, Sam here. What happened?")
    await until(lambda: waiting(live_settings["notice_queue_db"]) == 2)

    answer = await client.post(
        "/webchat/messages", json={"sender": sender, "message": "my parcel is lost"}
    )

    assert texts(answer) == [
        "Sam from our team has joined the chat.",
        "Hi, Sam here. What happened?",
    ]
    assert len(fake_rasa.messages()) == 1
    said = [
        i["Content"] for i in transcript(sandbox, handed["contact_id"]) if i["Type"] == "MESSAGE"
    ]
    assert said[-1] == "my parcel is lost"

    agent(sandbox, handed["contact_id"], "end")
    await until(lambda: fake_rasa.resumed == [f"webchat:{sender}"])
    fake_rasa.replies = [{"text": "How else can I help?"}]
    answer = await client.post("/webchat/messages", json={"sender": sender, "message": "thanks"})

    assert texts(answer) == [BACK, "How else can I help?"]
    assert [m["message"] for m in fake_rasa.messages()] == ["a person please", "thanks"]
    # the action server is sent the chat for its case
    await until(lambda: len(fake_rasa.transcripts) == 1)
    [filed] = fake_rasa.transcripts
    assert (filed["case_ref"], filed["contact_id"]) == ("12345678", handed["contact_id"])
    assert "Sam: Hi, Sam here. What happened?\nCustomer: my parcel is lost" in filed["transcript"]


async def test_a_chat_the_gateway_does_not_relay_resumes_the_assistant_and_says_so(
    sandbox: ChatSandbox, fake_rasa: HandoffRasa, client_with: Callable[..., Any]
) -> None:
    client = await client_with()
    sender = uuid.uuid4().hex[:10]
    fake_rasa.replies = [{"text": "Connecting you."}, {"custom": {"live_chat": handoff(sandbox)}}]

    answer = await client.post("/webchat/messages", json={"sender": sender, "message": "a person"})

    assert answer.json() == [{"text": NOT_CONNECTED}]
    assert fake_rasa.resumed == [f"webchat:{sender}"]


async def test_a_chat_that_cannot_be_joined_resumes_the_assistant(
    fake_rasa: HandoffRasa, client_with: Callable[..., Any], live_settings: dict[str, Any]
) -> None:
    client = await client_with(**live_settings)
    sender = uuid.uuid4().hex[:10]
    forged = {"contact_id": "c", "participant_id": "p", "participant_token": "not-a-token"}
    fake_rasa.replies = [{"text": "Connecting you."}, {"custom": {"live_chat": forged}}]

    answer = await client.post("/webchat/messages", json={"sender": sender, "message": "a person"})

    assert answer.json() == [{"text": NOT_CONNECTED}]
    assert fake_rasa.resumed == [f"webchat:{sender}"]


async def test_a_transcript_the_action_server_could_not_take_is_filed_later_once(
    sandbox: ChatSandbox,
    fake_rasa: HandoffRasa,
    client_with: Callable[..., Any],
    live_settings: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(transcripts, "RETRY_SECONDS", (0.05, 0.1), raising=False)
    client = await client_with(**live_settings)
    sender, handed = await live_chat_at(client, fake_rasa, sandbox)
    agent(sandbox, handed["contact_id"], "messages", content="Sam here.")
    # the action server is down, then its case system cannot take the comment
    fake_rasa.transcript_answers = [502, 503, 503]

    agent(sandbox, handed["contact_id"], "end")

    await until(lambda: len(fake_rasa.transcripts) == 1, seconds=10)
    [filed] = fake_rasa.transcripts
    assert filed["contact_id"] == handed["contact_id"] and "Sam: Sam here." in filed["transcript"]
    await asyncio.sleep(0.3)
    assert len(fake_rasa.transcripts) == 1 and fake_rasa.transcript_answers == []
    with sqlite3.connect(live_settings["handoff_relay_db"]) as db:
        assert db.execute("SELECT COUNT(*) FROM transcripts_due").fetchone() == (0,)


async def test_the_pages_customer_typing_reaches_their_live_chat_only(
    sandbox: ChatSandbox,
    fake_rasa: HandoffRasa,
    client_with: Callable[..., Any],
    live_settings: dict[str, Any],
) -> None:
    client = await client_with(**live_settings)
    sender, handed = await live_chat_at(client, fake_rasa, sandbox)

    # as often as a client likes: the chat gets one event in a short while
    for _ in range(5):
        assert (await client.post("/webchat/typing", json={"sender": sender})).status_code == 204
    # no one's chat, and the answer says nothing of it
    stranger = await client.post("/webchat/typing", json={"sender": uuid.uuid4().hex[:10]})
    forged = await client.post("/webchat/typing", json={"sender": "x" * 10_000})

    assert stranger.status_code == 204 and forged.status_code == 422
    typed = [
        (i["ParticipantRole"], i["Type"])
        for i in transcript(sandbox, handed["contact_id"])
        if i.get("ContentType", "").endswith(".typing")
    ]
    assert typed == [("CUSTOMER", "EVENT")]


class PageSocket:
    """The page's open socket: keeps the frames the gateway sends on it."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []

    async def send_json(self, frame: dict[str, Any]) -> None:
        self.frames.append(frame)


async def test_the_agent_typing_shows_on_the_pages_open_socket_as_typing_only(
    sandbox: ChatSandbox,
    fake_rasa: HandoffRasa,
    client_with: Callable[..., Any],
    live_settings: dict[str, Any],
) -> None:
    client = await client_with(**live_settings)
    sender = uuid.uuid4().hex[:10]
    page = PageSocket()
    client._transport.app.state.webchat_sockets.register(f"webchat:{sender}", page)
    _, handed = await live_chat_at(client, fake_rasa, sandbox, sender)

    agent(sandbox, handed["contact_id"], "typing")
    await until(lambda: any(f["replies"] == [TYPING_REPLY] for f in page.frames))

    assert [f["replies"] for f in page.frames] == [
        [{"text": "Sam from our team has joined the chat."}],
        # what the page shows as "typing", with no text
        [{"custom": {"typing": True}}],
    ]


async def test_typing_is_not_found_where_live_chats_are_not_relayed(
    client_with: Callable[..., Any],
) -> None:
    client = await client_with()

    answer = await client.post("/webchat/typing", json={"sender": "abc123"})

    assert answer.status_code == 404


async def test_two_gateways_on_one_redis_share_a_chat_started_on_either(
    sandbox: ChatSandbox,
    fake_rasa: HandoffRasa,
    client_with: Callable[..., Any],
    live_settings: dict[str, Any],
    shared_redis: RedisServer,
    tmp_path: Path,
) -> None:
    shared = {**live_settings, "gateway_queue_url": SecretStr(shared_redis.url())}
    # each its own files: only Redis carries the chat from one to the other
    a = await client_with(**shared)
    b = await client_with(
        **{
            **shared,
            "handoff_relay_db": tmp_path / "b" / "relay.sqlite3",
            "notice_queue_db": tmp_path / "b" / "notices.sqlite3",
        }
    )
    sender, handed = await live_chat_at(a, fake_rasa, sandbox)
    agent(sandbox, handed["contact_id"], "messages", content="Hi, Sam here.")
    waiting_key = f"casebot:{{webchat-inbox}}:conv:webchat:{sender}"
    await until(lambda: shared_redis.cli("ZCARD", waiting_key).strip() == "2")

    answer = await b.post(
        "/webchat/messages", json={"sender": sender, "message": "my parcel is lost"}
    )
    again = await a.post("/webchat/messages", json={"sender": sender, "message": "hello?"})

    # the agent's words, relayed by one gateway, come once with the next answer of the other
    assert texts(answer) == ["Sam from our team has joined the chat.", "Hi, Sam here."]
    assert texts(again) == []
    # what the customer wrote at either went to the chat, not to the assistant
    assert len(fake_rasa.messages()) == 1
    said = [
        i["Content"]
        for i in transcript(sandbox, handed["contact_id"])
        if i["Type"] == "MESSAGE" and i["ParticipantRole"] == "CUSTOMER"
    ]
    assert said[1:] == ["my parcel is lost", "hello?"]
