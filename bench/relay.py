"""Live chat relay latency: many chats with a person at once, through the gateway and without it.

    .venv/bin/python -m bench.relay [--chats 50] [--rounds 10]

The whole stack with ``HANDOFF_MODE=connect_chat``. ``chats`` webchat customers, each on its
own websocket to the gateway, ask for a person (Rasa, the action server, StartChatContact);
the agent accepts every chat through the sandbox's agent API. Then each chat, all at once,
runs ``rounds`` exchanges: the agent writes (agent API) and the time until the words arrive on
the customer's socket is taken; the customer writes on the socket and the time until the item
is in the chat (its ``AbsoluteTime``, stamped by the stand-in) is taken.

What casebot adds is measured two ways, since neither alone is clean on a shared machine:

- the gateway's own time per message, from its ``casebot_live_chat_relay_seconds`` histogram
  (``/metrics``, read before and after the exchanges): agent -> customer from the agent's
  frame reaching the gateway until the customer's socket took the words; customer -> agent
  from the customer's message reaching the relay until its SendMessage starts. The stand-in's
  own time (its answer to SendMessage, its push of the frame) is outside both by
  construction. Bucket bounds, so "<= 10" means p99 fell in the bucket up to 10 ms;
- the end-to-end difference: the same number of chats, at the same time, with this process as
  the customer talking to the stand-in directly (StartChatContact, CreateParticipantConnection,
  the participant websocket, SendMessage through boto3 in as many threads as the gateway
  uses), the path a client without casebot has. The difference of the two runs' percentiles
  includes the webchat socket and the event loop's queueing, and all the machine's noise.

Every agent message must reach its customer exactly once; the counts are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import random
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import httpx
from botocore.config import Config
from websockets.asyncio.client import connect

from api.handoff.participant import CALL_THREADS
from bench.common import emit, percentile, table
from bench.relay_rig import (
    GAP_SECONDS,
    SUBSCRIBE,
    WAIT_SECONDS,
    Buckets,
    Chat,
    Desk,
    Timings,
    bucket_percentile,
    count,
    own_time,
    participant_texts,
    webchat_texts,
)
from tests.support.stack import Stack, running_stack, stack_env

FLOW = "bench-relay-flow"


def settings(env: dict[str, str], tmp: Path) -> dict[str, str]:
    """The stack's settings for live chats, with room for every bench socket."""
    sandbox = f"http://127.0.0.1:{env['SANDBOX_PORT']}"
    return {
        "HANDOFF_MODE": "connect_chat",
        "CONNECT_CHAT_CONTACT_FLOW_ID": FLOW,
        "CONNECT_PARTICIPANT_ENDPOINT_URL": f"{sandbox}/connectparticipant",
        "HANDOFF_RELAY_DB": str(tmp / "handoff-relay.sqlite3"),
        "HANDOFF_AGENT_WAIT_SECONDS": "3600",
        "WEBCHAT_MAX_SOCKETS_PER_ADDRESS": "1000",
        "LOG_LEVEL": "WARNING",
    }


@dataclass
class Side:
    """One way of reaching the stand-in: its chats, how its customers write, what was timed."""

    chats: list[Chat]
    writes: Callable[[Chat, str], Awaitable[None]]
    timings: Timings = field(default_factory=Timings)


async def exchange(desk: Desk, side: Side, chat: Chat, rounds: int) -> None:
    """``rounds`` times: the agent writes and the customer reads it, then the other way."""
    for number in range(rounds):
        # a person takes a moment between messages; all chats stay live and busy meanwhile
        await asyncio.sleep(random.uniform(*GAP_SECONDS))
        text = f"agent {number} {uuid.uuid4().hex[:8]}"
        began = time.time()
        await desk.post(chat.contact_id, "messages", {"content": text})
        side.timings.sent_to_customer += 1
        side.timings.to_customer.append(await chat.arrival(text) - began)
        text = f"customer {number} {uuid.uuid4().hex[:8]}"
        chat.written[text] = time.time()
        await side.writes(chat, text)


async def through_gateway(stack: Stack, desk: Desk, chats: int) -> Side:
    """Chats handed over in a conversation with the assistant and relayed by the gateway."""
    ws_url = stack.gateway_url.replace("http", "ws", 1) + "/webchat/ws"
    frames = iter(range(1, 10**9))
    senders: dict[Chat, str] = {}
    starting = asyncio.Semaphore(4)

    async def open_chat() -> Chat:
        sender = f"bench-{uuid.uuid4().hex[:12]}"
        chat = Chat(await connect(ws_url, max_size=2**20), webchat_texts)
        senders[chat] = sender
        async with starting:
            frame = {"id": next(frames), "sender": sender, "message": "I want to talk to a person"}
            answer = await chat.ask(frame)
            if "replies" not in answer:
                raise RuntimeError(f"handoff refused: {answer}")
        chat.contact_id = await desk.waiting_for(f"webchat:{sender}")
        await desk.post(chat.contact_id, "accept", {"displayName": "Bench"})
        await chat.arrival("Bench from our team has joined the chat.")
        return chat

    async def writes(chat: Chat, text: str) -> None:
        answer = await chat.ask({"id": next(frames), "sender": senders[chat], "message": text})
        if answer.get("replies") != []:
            raise RuntimeError(f"the assistant answered a live chat: {answer}")

    return Side(list(await asyncio.gather(*(open_chat() for _ in range(chats)))), writes)


async def direct(stack: Stack, desk: Desk, sandbox: str, chats: int) -> Side:
    """Chats with this process as the customer, speaking to the stand-in itself."""
    config = Config(
        retries={"mode": "standard", "max_attempts": 3}, max_pool_connections=CALL_THREADS
    )
    credentials = {
        "region_name": "us-east-1",
        "aws_access_key_id": "sandbox",
        "aws_secret_access_key": "sandbox",
        "config": config,
    }
    clients: dict[str, Any] = {
        name: boto3.client(name, endpoint_url=f"{sandbox}/{name}", **credentials)  # type: ignore[call-overload]
        for name in ("connect", "connectparticipant")
    }
    starter, participant = clients["connect"], clients["connectparticipant"]
    tokens: dict[Chat, str] = {}
    # as many threads as the gateway gives its participant calls, so neither side queues more
    threads = ThreadPoolExecutor(CALL_THREADS)

    async def call(method: Callable[..., Any], **params: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(
            threads, functools.partial(method, **params)
        )

    async def open_chat() -> Chat:
        started = await call(
            starter.start_chat_contact,
            InstanceId=stack.env["CONNECT_INSTANCE_ID"],
            ContactFlowId=FLOW,
            ParticipantDetails={"DisplayName": "Bench"},
            SupportedMessagingContentTypes=["text/plain"],
        )
        connection = await call(
            participant.create_participant_connection,
            ParticipantToken=started["ParticipantToken"],
            Type=["WEBSOCKET", "CONNECTION_CREDENTIALS"],
            ConnectParticipant=True,
        )
        chat = Chat(await connect(connection["Websocket"]["Url"]), participant_texts)
        await chat.socket.send(SUBSCRIBE)
        chat.contact_id = started["ContactId"]
        tokens[chat] = connection["ConnectionCredentials"]["ConnectionToken"]
        await desk.post(chat.contact_id, "accept", {"displayName": "Bench"})
        return chat

    async def writes(chat: Chat, text: str) -> None:
        await call(
            participant.send_message,
            ConnectionToken=tokens[chat],
            ContentType="text/plain",
            Content=text,
        )

    return Side(list(await asyncio.gather(*(open_chat() for _ in range(chats)))), writes)


async def run(stack: Stack, chats: int, rounds: int) -> tuple[Timings, Timings, Buckets, Buckets]:
    """Both sides' chats opened, then every exchange of both at once.

    (relayed, alone, the gateway's own-time histogram before and after the exchanges)
    """
    sandbox = stack.cases_endpoint.removesuffix("/connectcases")
    async with httpx.AsyncClient(timeout=WAIT_SECONDS) as http:
        desk = Desk(http, sandbox)
        relayed = await through_gateway(stack, desk, chats)
        alone = await direct(stack, desk, sandbox, chats)
        before = await own_time(http, stack.gateway_url)
        await asyncio.gather(
            *(
                exchange(desk, side, chat, rounds)
                for side in (relayed, alone)
                for chat in side.chats
            )
        )
        await asyncio.sleep(1)
        after = await own_time(http, stack.gateway_url)
        for side in (relayed, alone):
            count(side.timings, side.chats)
            await desk.written(side.timings, side.chats)
            for chat in side.chats:
                await chat.close()
    return relayed.timings, alone.timings, before, after


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def report(
    chats: int, rounds: int, relayed: Timings, alone: Timings, before: Buckets, after: Buckets
) -> str:
    rows = []
    for name, via, base, direction in (
        ("agent -> customer", relayed.to_customer, alone.to_customer, "to_customer"),
        ("customer -> agent", relayed.to_agent, alone.to_agent, "to_agent"),
    ):
        p50, p99 = percentile(via, 0.5), percentile(via, 0.99)
        b50, b99 = percentile(base, 0.5), percentile(base, 0.99)
        own = before.get(direction, {}), after.get(direction, {})
        rows.append(
            [
                name,
                len(via),
                ms(p50),
                ms(p99),
                ms(b50),
                ms(b99),
                ms(p50 - b50),
                ms(p99 - b99),
                bucket_percentile(*own, 0.5),
                bucket_percentile(*own, 0.99),
            ]
        )
    rows.append(
        [
            "agent messages sent / arrived / doubled",
            f"{relayed.sent_to_customer} / {relayed.received_by_customer} / {relayed.doubled}",
            "",
            "",
            f"{alone.sent_to_customer} / {alone.received_by_customer} / {alone.doubled}",
            "",
            "",
            "",
            "",
            "",
        ]
    )
    return table(
        f"Live chat relay: {chats} chats at once, {rounds} exchanges each (ms)",
        [
            "path",
            "messages",
            "via casebot p50",
            "p99",
            "stand-in alone p50",
            "p99",
            "difference p50",
            "p99",
            "gateway's own time p50",
            "p99",
        ],
        rows,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="casebot-bench-") as folder:
        tmp = Path(folder)
        env = stack_env(tmp)
        env.update(settings(env, tmp))
        with running_stack(tmp, env) as stack:
            relayed, alone, before, after = asyncio.run(run(stack, args.chats, args.rounds))
    emit(report(args.chats, args.rounds, relayed, alone, before, after))


if __name__ == "__main__":
    main()
