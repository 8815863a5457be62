"""The relay's live chats, in SQLite or in the Redis gateways share: kept across a reopen or by
another gateway, one chat per conversation, one ending wins, one gateway holds a chat, one
claims a transcript due."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from api.handoff.redis_store import RedisRelayStore
from api.handoff.store import DueTranscript, LiveChat, RelayRecords, RelayStore
from common.erasure import Person
from tests.unit.api.jobs.test_queue_contract import Clock

Open = Callable[[], RelayRecords]


@pytest.fixture(params=["sqlite", "redis"])
async def opener(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[str, Clock, Open]]:
    """Opens one more connection to the test's store, as another gateway (or a restart) does."""
    clock = Clock()
    prefix = f"test:{{{uuid.uuid4().hex}}}:"
    opened: list[RelayRecords] = []

    def open_store() -> RelayRecords:
        if request.param == "sqlite":
            store: RelayRecords = RelayStore.open(tmp_path / "relay.sqlite3", clock)
        else:
            url = request.getfixturevalue("shared_redis").url()
            store = RedisRelayStore.from_url(url, prefix=prefix, clock=clock)
        opened.append(store)
        return store

    yield request.param, clock, open_store
    for store in opened:
        await store.close()


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


async def test_a_live_chat_and_its_last_relayed_item_are_kept_for_the_next_reader(
    opener: tuple[str, Clock, Open],
) -> None:
    _, clock, open_store = opener
    store = open_store()
    clock.now = 100.25
    await store.put(chat())
    await store.put(chat("webchat:bob", "contact-2"))
    await store.put(LiveChat("whatsapp:1", "whatsapp", "1", "contact-3", "p", "pt", "ct"))
    await store.relayed("contact-1", "item-7", "ct-2")
    await store.close()

    other = open_store()
    kept = await other.all()

    assert [c.contact_id for c in kept] == ["contact-1", "contact-2", "contact-3"]
    assert kept[0].conversation_id == "webchat:ann" and kept[0].case_ref == "12345678"
    assert (kept[0].last_item_id, kept[0].connection_token) == ("item-7", "ct-2")
    assert kept[0].started_at == 100.25
    assert (kept[2].case_ref, kept[2].last_item_id) == (None, None)
    assert await other.get("webchat:ann") == kept[0]
    assert await other.get("webchat:nobody") is None


async def test_a_new_chat_replaces_the_conversations_old_one(
    opener: tuple[str, Clock, Open],
) -> None:
    _, _, open_store = opener
    store = open_store()
    await store.put(chat(contact="contact-1"))
    await store.put(chat(contact="contact-2"))

    assert [c.contact_id for c in await store.all()] == ["contact-2"]
    # the old chat is no one's to relay or end any more
    assert await store.hold("gateway-a", ["contact-1"], 10.0) == set()
    assert await store.end("contact-1") is False
    assert [c.contact_id for c in await store.all()] == ["contact-2"]


async def test_only_the_first_ending_of_a_chat_counts_whichever_gateway_ends_it(
    opener: tuple[str, Clock, Open],
) -> None:
    _, _, open_store = opener
    a, b = open_store(), open_store()
    await a.put(chat())

    endings = await asyncio.gather(*(s.end("contact-1") for s in (a, b, a, b)))

    assert sorted(endings) == [False, False, False, True]
    assert await a.get("webchat:ann") is None and await b.all() == []


async def test_an_agent_having_joined_is_kept(opener: tuple[str, Clock, Open]) -> None:
    _, _, open_store = opener
    store = open_store()
    await store.put(chat())
    assert (await store.get("webchat:ann")).agent_joined is False  # type: ignore[union-attr]

    await store.agent_joined("contact-1")
    # a chat that is over stays over
    await store.agent_joined("contact-9")
    await store.relayed("contact-9", "item-1", "ct")

    assert (await open_store().get("webchat:ann")).agent_joined is True  # type: ignore[union-attr]
    assert [c.contact_id for c in await store.all()] == ["contact-1"]


async def test_a_chat_with_a_case_leaves_its_transcript_due_until_filed(
    opener: tuple[str, Clock, Open],
) -> None:
    _, clock, open_store = opener
    store = open_store()
    clock.now = 100.0
    await store.put(chat())
    await store.put(chat("webchat:bob", "contact-2"))
    await store.relayed("contact-1", "item-3", "ct-later")

    assert await store.end("contact-1", file_transcript=True) is True
    # the second ending of the same chat leaves nothing more
    assert await store.end("contact-1", file_transcript=True) is False
    assert await store.end("contact-2") is True
    store = open_store()

    # the connection the chat last used reads its transcript
    assert await store.due_transcripts() == [
        DueTranscript("contact-1", "12345678", "ct-later", None, 0)
    ]
    await store.transcript_read("contact-1", "Customer: hello")
    await store.transcript_later("contact-1", 30.0)
    assert await store.due_transcripts() == []
    assert await store.next_transcript_due() == 130.0
    clock.now = 130.0
    assert await store.due_transcripts() == [
        DueTranscript("contact-1", "12345678", "ct-later", "Customer: hello", 1)
    ]
    await store.transcript_done("contact-1")
    assert await store.due_transcripts() == [] and await store.next_transcript_due() is None


async def test_one_gateway_claims_a_transcript_due_until_its_claim_runs_out(
    opener: tuple[str, Clock, Open],
) -> None:
    _, clock, open_store = opener
    a, b = open_store(), open_store()
    await a.put(chat())
    await a.end("contact-1", file_transcript=True)

    claims = await asyncio.gather(*(s.claim_transcript("contact-1", 60.0) for s in (a, b, a, b)))

    assert sorted(claims) == [False, False, False, True]
    assert await b.due_transcripts() == []
    # the gateway that claimed it died: another may file it once the claim runs out
    clock.now += 60.0
    assert [d.contact_id for d in await b.due_transcripts()] == ["contact-1"]
    assert await b.claim_transcript("contact-1", 60.0) is True
    await b.transcript_done("contact-1")
    clock.now += 120.0
    assert await a.claim_transcript("contact-1", 60.0) is False


async def test_erasure_takes_the_persons_chats_and_transcripts_not_yet_filed(
    opener: tuple[str, Clock, Open],
) -> None:
    _, _, open_store = opener
    store = open_store()
    await store.put(chat())
    await store.put(chat("webchat:bob", "contact-2"))
    await store.put(chat("whatsapp:447700900123", "contact-3"))
    await store.end("contact-1", file_transcript=True)
    ann = Person(phone="+447700900123", found=frozenset({"webchat:ann"}))

    assert await store.erase(ann) == 2
    assert await store.erase(ann) == 0

    assert await store.due_transcripts() == []
    assert [c.contact_id for c in await store.all()] == ["contact-2"]
    assert await store.hold("gateway-a", ["contact-3"], 10.0) == set()


async def test_only_kept_chats_are_held(opener: tuple[str, Clock, Open]) -> None:
    _, _, open_store = opener
    store = open_store()
    await store.put(chat())
    await store.put(chat("webchat:bob", "contact-2"))
    await store.end("contact-2")

    held = await store.hold("gateway-a", ["contact-1", "contact-2", "contact-9"], 10.0)

    assert held == {"contact-1"}
    assert await store.hold("gateway-a", [], 10.0) == set()


@pytest.mark.parametrize("opener", ["redis"], indirect=True)
async def test_one_gateway_holds_a_chat_until_its_lease_runs_out_or_is_given_up(
    opener: tuple[str, Clock, Open],
) -> None:
    _, _, open_store = opener
    a, b = open_store(), open_store()
    await a.put(chat())
    await a.put(chat("webchat:bob", "contact-2"))

    held = await asyncio.gather(
        *(s.hold(who, ["contact-1"], 0.3) for s, who in ((a, "A"), (b, "B")) * 3)
    )

    winners = {who for got, who in zip(held, "ABABAB", strict=True) if got}
    assert len(winners) == 1
    winner, loser = (a, b) if winners == {"A"} else (b, a)
    name, other = ("A", "B") if winners == {"A"} else ("B", "A")
    # renewed by its holder, still no one else's
    assert await winner.hold(name, ["contact-1", "contact-2"], 0.3) == {"contact-1", "contact-2"}
    assert await loser.hold(other, ["contact-1", "contact-2"], 0.3) == set()
    # its holder died: the lease runs out and another takes the chat
    await asyncio.sleep(0.4)
    assert await loser.hold(other, ["contact-1"], 0.3) == {"contact-1"}
    # one given up is free at once; giving up another's changes nothing
    await winner.release(name, ["contact-1"])
    assert await winner.hold(name, ["contact-1"], 0.3) == set()
    await loser.release(other, ["contact-1"])
    assert await winner.hold(name, ["contact-1"], 10.0) == {"contact-1"}


@pytest.mark.parametrize("opener", ["redis"], indirect=True)
async def test_a_chats_keys_expire_and_a_transcript_due_waits_until_filed(
    opener: tuple[str, Clock, Open], shared_redis: object
) -> None:
    _, _, open_store = opener
    store = open_store()
    assert isinstance(store, RedisRelayStore)
    await store.put(chat())
    await store.hold("A", ["contact-1"], 10.0)
    await store.put(chat("webchat:bob", "contact-2"))
    await store.end("contact-2", file_transcript=True)
    prefix = store._prefix
    ttls = {
        key.removeprefix(prefix): await store._redis.ttl(key)
        for key in await store._redis.keys(f"{prefix}*")
    }

    assert set(ttls) == {"chat:webchat:ann", "contact:contact-1", "chats", "lease:contact-1"} | {
        "due:contact-2",
        "dues",
    }
    assert 8 * 86_400 - 60 < ttls["chat:webchat:ann"] <= 8 * 86_400
    assert 0 < ttls["lease:contact-1"] <= 10
    assert ttls["due:contact-2"] == ttls["dues"] == -1
