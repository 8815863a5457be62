"""The relay's live chats survive a reopened file; one chat per conversation, one ending wins."""

from __future__ import annotations

from pathlib import Path

from api.handoff.store import DueTranscript, LiveChat, RelayStore
from common.erasure import Person


def chat(conversation: str = "webchat:ann", contact: str = "contact-1") -> LiveChat:
    return LiveChat(
        conversation_id=conversation,
        channel="webchat",
        sender=conversation.split(":", 1)[1],
        contact_id=contact,
        participant_id="participant-1",
        participant_token="pt",
        connection_token="ct",
        case_ref="12345678",
    )


async def test_a_live_chat_and_its_last_relayed_item_survive_a_reopen(tmp_path: Path) -> None:
    store = RelayStore.open(tmp_path / "relay.sqlite3", clock=lambda: 100.0)
    await store.put(chat())
    await store.relayed("contact-1", "item-7", "ct-2")
    await store.close()

    reopened = RelayStore.open(tmp_path / "relay.sqlite3")
    [kept] = await reopened.all()

    assert kept.conversation_id == "webchat:ann" and kept.case_ref == "12345678"
    assert (kept.last_item_id, kept.connection_token, kept.started_at) == ("item-7", "ct-2", 100.0)
    assert await reopened.get("webchat:ann") == kept
    assert await reopened.get("webchat:bob") is None
    await reopened.close()


async def test_a_new_chat_replaces_the_conversations_old_one(tmp_path: Path) -> None:
    store = RelayStore.open(tmp_path / "relay.sqlite3")
    await store.put(chat(contact="contact-1"))
    await store.put(chat(contact="contact-2"))

    assert [c.contact_id for c in await store.all()] == ["contact-2"]
    await store.close()


async def test_only_the_first_ending_of_a_chat_counts(tmp_path: Path) -> None:
    store = RelayStore.open(tmp_path / "relay.sqlite3")
    await store.put(chat())

    assert await store.end("contact-1") is True
    assert await store.end("contact-1") is False
    assert await store.get("webchat:ann") is None
    await store.close()


async def test_an_agent_having_joined_survives_a_reopen(tmp_path: Path) -> None:
    store = RelayStore.open(tmp_path / "relay.sqlite3")
    await store.put(chat())
    assert (await store.get("webchat:ann")).agent_joined is False  # type: ignore[union-attr]

    await store.agent_joined("contact-1")
    await store.close()
    reopened = RelayStore.open(tmp_path / "relay.sqlite3")

    assert (await reopened.get("webchat:ann")).agent_joined is True  # type: ignore[union-attr]
    await reopened.close()


async def test_a_chat_with_a_case_leaves_its_transcript_due_across_a_reopen(
    tmp_path: Path,
) -> None:
    now = [100.0]
    store = RelayStore.open(tmp_path / "relay.sqlite3", clock=lambda: now[0])
    await store.put(chat())
    await store.put(chat("webchat:bob", "contact-2"))
    await store.relayed("contact-1", "item-3", "ct-later")

    assert await store.end("contact-1", file_transcript=True) is True
    # the second ending of the same chat leaves nothing more
    assert await store.end("contact-1", file_transcript=True) is False
    assert await store.end("contact-2") is True
    await store.close()
    store = RelayStore.open(tmp_path / "relay.sqlite3", clock=lambda: now[0])

    # the connection the chat last used reads its transcript
    assert await store.due_transcripts() == [
        DueTranscript("contact-1", "12345678", "ct-later", None, 0)
    ]
    await store.transcript_read("contact-1", "Customer: hello")
    await store.transcript_later("contact-1", 30.0)
    assert await store.due_transcripts() == []
    assert await store.next_transcript_due() == 130.0
    now[0] = 130.0
    assert await store.due_transcripts() == [
        DueTranscript("contact-1", "12345678", "ct-later", "Customer: hello", 1)
    ]
    await store.transcript_done("contact-1")
    assert await store.due_transcripts() == [] and await store.next_transcript_due() is None
    await store.close()


async def test_erasure_takes_a_transcript_not_yet_filed(tmp_path: Path) -> None:
    store = RelayStore.open(tmp_path / "relay.sqlite3")
    await store.put(chat())
    await store.put(chat("webchat:bob", "contact-2"))
    await store.end("contact-1", file_transcript=True)

    assert await store.erase(Person(email="ann@example.com", found=frozenset({"webchat:ann"}))) == 1

    assert await store.due_transcripts() == []
    assert [c.contact_id for c in await store.all()] == ["contact-2"]
    await store.close()
