"""Several gateways relaying live chats from one Redis, against the chat stand-in.

Each gateway is a ``ChatRelay`` with its own Redis client, participant client and deliverer
(which records what it delivered, by gateway): one chat is relayed by one gateway at a time,
another takes it over when that one dies, and a transcript due is filed by one of them. A
gateway "killed" is stopped as a SIGKILL would stop it: its tasks end, and it gives up nothing.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

import pytest

from api.handoff.participant import ParticipantClient, participant_client
from api.handoff.redis_store import RedisRelayStore
from api.handoff.relay import BACK, ChatRelay
from api.handoff.store import LiveChat
from api.handoff.transcripts import Outcome, TranscriptFiling
from api.rasa import BotMessage
from tests.support.services import ROOT, RedisServer
from tests.unit.api.handoff.live_chat import agent, handoff, transcript, until
from tests.unit.sandbox.connect_chat.support import ChatSandbox

LEASE = 0.6
JOINED = "Sam from our team has joined the chat."


class MortalStore(RedisRelayStore):
    """The store of a gateway that can die: a dead one gives up no lease on its way out."""

    dead = False

    async def release(self, owner: str, contact_ids: Sequence[str]) -> None:
        if not self.dead:
            await super().release(owner, contact_ids)


@dataclass
class Customers:
    """What reached the customers, from which gateway; the conversations resumed; filings."""

    told: list[tuple[str, str, str]] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    filed: list[tuple[str, str]] = field(default_factory=list)
    #: how the action server answers the next transcripts posted (then "filed")
    answers: list[Outcome] = field(default_factory=list)

    def texts(self, conversation: str) -> list[str]:
        return [text for _, who, text in self.told if who == conversation]

    def gateways(self, conversation: str) -> set[str]:
        return {gateway for gateway, who, _ in self.told if who == conversation}


class Cluster:
    """Gateways sharing one Redis prefix and one stand-in."""

    def __init__(self, sandbox: ChatSandbox, redis: RedisServer) -> None:
        self.sandbox = sandbox
        self.redis = redis
        self.prefix = f"test:{{{uuid.uuid4().hex}}}:"
        self.customers = Customers()
        self.relays: list[ChatRelay] = []
        self.stores: dict[str, MortalStore] = {}

    def gateway(self, name: str, *, filing: bool = False) -> ChatRelay:
        store = MortalStore.from_url(self.redis.url(), prefix=self.prefix)
        self.stores[name] = store
        participant = ParticipantClient(
            participant_client(f"{self.sandbox.url}/connectparticipant", "us-east-1")
        )
        customers = self.customers

        async def deliver(chat: LiveChat, messages: list[BotMessage]) -> bool:
            customers.told.extend((name, chat.conversation_id, m.text or "") for m in messages)
            return True

        async def resume(conversation: str) -> None:
            customers.resumed.append(conversation)

        async def post(case_ref: str, contact_id: str, text: str) -> Outcome:
            customers.filed.append((name, contact_id))
            return customers.answers.pop(0) if customers.answers else "filed"

        transcripts = (
            TranscriptFiling(store, participant, post, retry_seconds=(0.05,), idle_seconds=0.05)
            if filing
            else None
        )
        relay = ChatRelay(
            store,
            participant,
            deliver,
            resume,
            transcripts=transcripts,
            retry_seconds=(0.05,),
            lease_seconds=LEASE,
        )
        self.relays.append(relay)
        return relay

    async def kill(self, name: str, relay: ChatRelay) -> None:
        self.stores[name].dead = True
        await relay.close()

    async def close(self) -> None:
        for relay in self.relays:
            await relay.close()
        for store in self.stores.values():
            await store.close()


@pytest.fixture
async def cluster(sandbox: ChatSandbox, shared_redis: RedisServer) -> AsyncIterator[Cluster]:
    made = Cluster(sandbox, shared_redis)
    yield made
    await made.close()


def conversation() -> str:
    return f"webchat:{uuid.uuid4().hex[:10]}"


def said_by_customer(sandbox: ChatSandbox, contact_id: str) -> list[str]:
    return [
        i["Content"]
        for i in transcript(sandbox, contact_id)
        if i["Type"] == "MESSAGE" and i["ParticipantRole"] == "CUSTOMER"
    ]


async def test_a_message_at_a_gateway_without_the_chats_socket_reaches_the_agent_once(
    sandbox: ChatSandbox, cluster: Cluster
) -> None:
    a, b = cluster.gateway("A"), cluster.gateway("B")
    await b.resume_all()
    who = conversation()
    handed = handoff(sandbox)
    await a.open(who, "webchat", who.split(":")[1], handed)
    agent(sandbox, handed["contact_id"], "accept", displayName="Sam")

    # as when the provider delivers it again, to either gateway
    for relay in (b, a, b):
        assert await relay.customer_says(who, "my parcel is lost", "wamid.B1") is True
    agent(sandbox, handed["contact_id"], "messages", content="Sorry to hear that.")
    await until(lambda: "Sorry to hear that." in cluster.customers.texts(who))

    assert said_by_customer(sandbox, handed["contact_id"])[1:] == ["my parcel is lost"]
    assert cluster.customers.texts(who) == [JOINED, "Sorry to hear that."]
    assert cluster.customers.gateways(who) == {"A"}


async def test_the_customer_leaving_at_another_gateway_ends_the_chat_once(
    sandbox: ChatSandbox, cluster: Cluster
) -> None:
    a, b = cluster.gateway("A"), cluster.gateway("B")
    who = conversation()
    handed = handoff(sandbox)
    await a.open(who, "webchat", who.split(":")[1], handed)
    agent(sandbox, handed["contact_id"], "accept", displayName="Sam")
    await until(lambda: JOINED in cluster.customers.texts(who))

    assert await b.customer_says(who, "end chat") is True
    await asyncio.sleep(LEASE)

    assert cluster.customers.resumed == [who]
    assert cluster.customers.texts(who) == [JOINED, BACK]
    assert await a.customer_says(who, "hello again") is False


async def test_a_gateway_killed_mid_chat_leaves_it_to_another_without_loss_or_repeats(
    sandbox: ChatSandbox, cluster: Cluster
) -> None:
    a, b = cluster.gateway("A"), cluster.gateway("B")
    await b.resume_all()
    who = conversation()
    handed = handoff(sandbox)
    contact = handed["contact_id"]
    await a.open(who, "webchat", who.split(":")[1], handed)
    agent(sandbox, contact, "accept", displayName="Sam")
    agent(sandbox, contact, "messages", content="before")
    await until(lambda: "before" in cluster.customers.texts(who))

    await cluster.kill("A", a)
    killed = time.monotonic()
    for n in range(3):
        agent(sandbox, contact, "messages", content=f"while A was gone {n}")
    await until(lambda: "while A was gone 2" in cluster.customers.texts(who), seconds=10)
    took = time.monotonic() - killed
    agent(sandbox, contact, "messages", content="after")
    await until(lambda: "after" in cluster.customers.texts(who))
    await asyncio.sleep(LEASE)

    assert cluster.customers.texts(who) == [
        JOINED,
        "before",
        "while A was gone 0",
        "while A was gone 1",
        "while A was gone 2",
        "after",
    ]
    assert [g for g, w, _ in cluster.customers.told if w == who] == ["A", "A", *"BBBB"]
    # the lease runs out, the next look takes it, a new connection catches up
    assert took < LEASE * 4 / 3 + 1.0, took
    # the customer's side goes on through the gateway left
    assert await b.customer_says(who, "thanks", "wamid.C1") is True
    assert said_by_customer(sandbox, contact)[-1] == "thanks"


class RelayProcess:
    """``relay_process`` run as a gateway of the cluster, its stdout read as it comes."""

    def __init__(self, cluster: Cluster, who: str, handed: dict[str, str]) -> None:
        args = [cluster.sandbox.url, cluster.redis.url(), cluster.prefix, str(LEASE), who]
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.unit.api.handoff.relay_process",
                *args,
                json.dumps(handed),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.events: list[list[str]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.events.append(json.loads(line))

    def told(self) -> list[str]:
        return [event[2] for event in self.events if event[0] == "told"]

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._reader.join(timeout=10)
        assert self.process.stdout is not None
        self.process.stdout.close()


async def test_a_gateway_process_killed_by_sigkill_leaves_its_chat_to_another(
    sandbox: ChatSandbox, cluster: Cluster
) -> None:
    b = cluster.gateway("B")
    await b.resume_all()
    who = conversation()
    handed = handoff(sandbox)
    contact = handed["contact_id"]
    a = RelayProcess(cluster, who, handed)
    try:
        await until(lambda: ["open"] in a.events, seconds=20)
        agent(sandbox, contact, "accept", displayName="Sam")
        agent(sandbox, contact, "messages", content="before")
        await until(lambda: "before" in a.told(), seconds=10)
    finally:
        a.kill()
    killed = time.monotonic()
    for n in range(3):
        agent(sandbox, contact, "messages", content=f"while A was dead {n}")
    await until(lambda: "while A was dead 2" in cluster.customers.texts(who), seconds=10)
    took = time.monotonic() - killed
    agent(sandbox, contact, "messages", content="after")
    await until(lambda: "after" in cluster.customers.texts(who))
    await asyncio.sleep(LEASE)

    assert a.told() == [JOINED, "before"]
    assert cluster.customers.texts(who) == [*(f"while A was dead {n}" for n in range(3)), "after"]
    assert took < LEASE * 4 / 3 + 1.0, took


async def test_gateways_starting_together_relay_each_kept_chat_once(
    sandbox: ChatSandbox, cluster: Cluster
) -> None:
    first = cluster.gateway("first")
    chats = []
    for _ in range(3):
        who = conversation()
        handed = handoff(sandbox)
        await first.open(who, "webchat", who.split(":")[1], handed)
        agent(sandbox, handed["contact_id"], "accept", displayName="Sam")
        chats.append((who, handed["contact_id"]))
    await until(lambda: all(JOINED in cluster.customers.texts(w) for w, _ in chats))
    # stopped cleanly: its leases are given up, and the chats stay kept
    await first.close()
    for _, contact in chats:
        agent(sandbox, contact, "messages", content="while no one relayed")

    gateways = [cluster.gateway(name) for name in "ABC"]
    held = await asyncio.gather(*(g.resume_all() for g in gateways))
    for _, contact in chats:
        for n in range(5):
            agent(sandbox, contact, "messages", content=f"message {n}")
    await until(lambda: all("message 4" in cluster.customers.texts(w) for w, _ in chats))
    # several looks of every gateway
    await asyncio.sleep(LEASE * 2)

    assert sum(held) == 3
    for who, _ in chats:
        assert cluster.customers.texts(who) == [
            JOINED,
            "while no one relayed",
            *(f"message {n}" for n in range(5)),
        ]
        assert len(cluster.customers.gateways(who) - {"first"}) == 1


async def test_a_transcript_due_is_filed_once_by_one_of_the_gateways(
    sandbox: ChatSandbox, cluster: Cluster
) -> None:
    gateways = [cluster.gateway(name, filing=True) for name in "ABC"]
    for relay in gateways:
        await relay.resume_all()
    who = conversation()
    handed = handoff(sandbox)
    await gateways[0].open(who, "webchat", who.split(":")[1], handed)
    agent(sandbox, handed["contact_id"], "accept", displayName="Sam")
    agent(sandbox, handed["contact_id"], "messages", content="Sam here.")
    # the action server is down a while: every gateway looks again and again
    cluster.customers.answers = ["later"] * 4

    agent(sandbox, handed["contact_id"], "end")
    await until(lambda: len(cluster.customers.filed) >= 5)
    await asyncio.sleep(0.5)

    # four tries answered "later", then the one that filed it: no gateway posted beside another
    assert len(cluster.customers.filed) == 5
    assert {contact for _, contact in cluster.customers.filed} == {handed["contact_id"]}
    assert cluster.customers.resumed == [who]
    assert await cluster.stores["B"].due_transcripts() == []
