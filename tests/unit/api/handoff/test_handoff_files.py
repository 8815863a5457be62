"""Files a customer shares during a live chat reach the agent as Connect attachments, once."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from api.handoff.files import NOT_PASSED, caption_of
from api.handoff.participant import ParticipantClient, participant_client
from api.handoff.relay import ChatRelay
from api.handoff.store import RelayStore
from api.media import share_file_text
from tests.unit.api.handoff.live_chat import Customer, agent, handoff, transcript
from tests.unit.sandbox.connect_chat.support import ChatSandbox

PDF = b"%PDF-1.4\n" + b"receipt " * 500


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[RelayStore]:
    kept = RelayStore.open(tmp_path / "relay.sqlite3")
    yield kept
    await kept.close()


@pytest.fixture
async def relay(sandbox: ChatSandbox, store: RelayStore) -> AsyncIterator[ChatRelay]:
    participant = ParticipantClient(
        participant_client(f"{sandbox.url}/connectparticipant", "us-east-1")
    )
    customer = Customer()
    relay = ChatRelay(store, participant, customer.deliver, customer.resume)
    yield relay
    await relay.close()


async def live_chat(sandbox: ChatSandbox, relay: ChatRelay) -> tuple[str, str]:
    who = f"whatsapp:4477009{uuid.uuid4().int % 10**5:05d}"
    handed = handoff(sandbox)
    await relay.open(who, "whatsapp", who.split(":")[1], handed)
    agent(sandbox, handed["contact_id"], "accept", displayName="Sam")
    return who, str(handed["contact_id"])


async def test_a_shared_file_is_an_attachment_of_the_chat_once_with_its_caption(
    sandbox: ChatSandbox, relay: ChatRelay, store: RelayStore, tmp_path: Path
) -> None:
    who, contact = await live_chat(sandbox, relay)
    kept = tmp_path / "wamid_F1.pdf"
    kept.write_bytes(PDF)
    media = [{"path": str(kept), "mime_type": "application/pdf", "filename": "receipt.pdf"}]

    # handled twice, as after a crash: one file, one caption
    for _ in range(2):
        said = share_file_text("the receipt")
        assert await relay.customer_says(who, said, "wamid.F1", media) is True

    items = [i for i in transcript(sandbox, contact) if i["ParticipantRole"] == "CUSTOMER"]
    attached = [i for i in items if i["Type"] == "ATTACHMENT"]
    assert [a["Attachments"][0]["AttachmentName"] for a in attached] == ["receipt.pdf"]
    assert [i["Content"] for i in items if i["Type"] == "MESSAGE"][1:] == ["the receipt"]
    # the agent gets the very bytes
    chat = await store.get(who)
    assert chat is not None
    client = participant_client(f"{sandbox.url}/connectparticipant", "us-east-1")
    found = client.get_attachment(
        AttachmentId=attached[0]["Attachments"][0]["AttachmentId"],
        ConnectionToken=chat.connection_token,
    )
    assert httpx.get(found["Url"], timeout=10).content == PDF


async def test_a_file_chat_cannot_take_is_told_to_the_agent_in_words(
    sandbox: ChatSandbox, relay: ChatRelay, tmp_path: Path
) -> None:
    who, contact = await live_chat(sandbox, relay)
    gif = tmp_path / "anim.gif"
    gif.write_bytes(b"GIF89a" + b"\0" * 100)
    media = [
        {"path": str(gif), "mime_type": "image/gif", "filename": None},
        {"path": None, "mime_type": "application/zip", "refused": "type"},
    ]

    assert await relay.customer_says(who, share_file_text(None), "wamid.F2", media) is True

    items = [i for i in transcript(sandbox, contact) if i["ParticipantRole"] == "CUSTOMER"]
    assert not [i for i in items if i["Type"] == "ATTACHMENT"]
    assert items[-1]["Content"] == f"{NOT_PASSED}\n{NOT_PASSED}"


def test_a_file_messages_caption_is_all_the_agent_reads_of_its_text() -> None:
    assert caption_of(share_file_text("my receipt\nfrom May")) == "my receipt\nfrom May"
    assert caption_of(share_file_text(None)) is None
    assert caption_of("plain words") == "plain words"
    assert caption_of("/share_file{not json") == "/share_file{not json"
