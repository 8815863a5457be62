"""A transcript the action server cannot take now is kept, and filed later, once, even by the
next gateway; what can never be filed is let go."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from api.handoff.participant import ParticipantClient, participant_client
from api.handoff.relay import ChatRelay
from api.handoff.store import RelayStore
from api.handoff.transcripts import Outcome, TranscriptFiling, TranscriptPoster
from tests.unit.api.handoff.live_chat import Customer, agent, handoff, until
from tests.unit.sandbox.connect_chat.support import ChatSandbox


class ActionServer:
    """Answers each transcript posted with the next outcome planned, then files them."""

    def __init__(self, *planned: Outcome) -> None:
        self.planned = list(planned)
        self.posted: list[tuple[str, str, str]] = []

    async def __call__(self, case_ref: str, contact_id: str, text: str) -> Outcome:
        self.posted.append((case_ref, contact_id, text))
        return self.planned.pop(0) if self.planned else "filed"


def relay_over(
    store: RelayStore, participant: ParticipantClient, post: ActionServer, customer: Customer
) -> ChatRelay:
    filing = TranscriptFiling(store, participant, post, retry_seconds=(0.05, 0.1))
    return ChatRelay(store, participant, customer.deliver, customer.resume, transcripts=filing)


async def test_a_transcript_not_filed_is_filed_once_by_the_next_gateway_without_the_chat(
    sandbox: ChatSandbox, tmp_path: Path
) -> None:
    path = tmp_path / "relay.sqlite3"
    store = RelayStore.open(path)
    participant = ParticipantClient(
        participant_client(f"{sandbox.url}/connectparticipant", "us-east-1")
    )
    down = ActionServer(*["later"] * 100)
    relay = relay_over(store, participant, down, Customer())
    who = f"webchat:{uuid.uuid4().hex[:10]}"
    handed = handoff(sandbox)
    await relay.open(who, "webchat", who.split(":")[1], handed)
    agent(sandbox, handed["contact_id"], "accept", displayName="Sam")
    agent(sandbox, handed["contact_id"], "messages", content="Sam here.")
    agent(sandbox, handed["contact_id"], "end")
    await until(lambda: len(down.posted) >= 2)
    await relay.close()
    await store.close()

    # the next gateway cannot even reach the chat service: the text was kept
    store = RelayStore.open(path)
    nowhere = ParticipantClient(participant_client("http://127.0.0.1:9/", "us-east-1"))
    up = ActionServer()
    relay = relay_over(store, nowhere, up, Customer())
    assert await relay.resume_all() == 0
    await until(lambda: len(up.posted) == 1)
    await asyncio.sleep(0.3)
    await relay.close()

    [(case_ref, contact_id, text)] = up.posted
    assert (case_ref, contact_id) == ("12345678", handed["contact_id"])
    assert "Sam: Sam here." in text
    assert await store.due_transcripts() == []
    await store.close()


@pytest.mark.parametrize(
    ("status", "outcome"),
    [(204, "filed"), (404, "refused"), (422, "refused"), (401, "later"), (503, "later")],
)
async def test_the_action_servers_answer_says_whether_to_try_again(
    status: int, outcome: Outcome
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == "Bearer t0ken"
        return httpx.Response(status)

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        post = TranscriptPoster(http, "http://actions:5055", SecretStr("t0ken"))

        assert await post("12345678", "contact-1", "Customer: hi") == outcome


async def test_an_action_server_out_of_reach_is_tried_again() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as http:
        post = TranscriptPoster(http, "http://actions:5055", SecretStr("t0ken"))

        assert await post("12345678", "contact-1", "Customer: hi") == "later"
