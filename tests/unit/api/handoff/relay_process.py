"""One gateway's live chat relay alone in a process, for a test to kill with SIGKILL.

``python -m tests.unit.api.handoff.relay_process <sandbox url> <redis url> <prefix> <lease>
<conversation> <handed JSON>`` relays from the shared Redis, joins the chat handed over, and
writes one JSON line per event on stdout: ``["open"]`` once the chat is joined, then
``["told", conversation, text]`` for each message delivered to the customer. It runs until it
is killed.
"""

from __future__ import annotations

import asyncio
import json
import sys

from api.handoff.participant import ParticipantClient, participant_client
from api.handoff.redis_store import RedisRelayStore
from api.handoff.relay import ChatRelay
from api.handoff.store import LiveChat
from api.rasa import BotMessage


def say(*event: str | None) -> None:
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


async def main(sandbox: str, redis: str, prefix: str, lease: str, who: str, handed: str) -> None:
    store = RedisRelayStore.from_url(redis, prefix=prefix)
    participant = ParticipantClient(
        participant_client(f"{sandbox}/connectparticipant", "us-east-1")
    )

    async def deliver(chat: LiveChat, messages: list[BotMessage]) -> bool:
        for message in messages:
            say("told", chat.conversation_id, message.text)
        return True

    async def resume(conversation: str) -> None:
        say("resumed", conversation)

    relay = ChatRelay(
        store, participant, deliver, resume, retry_seconds=(0.05,), lease_seconds=float(lease)
    )
    await relay.resume_all()
    await relay.open(who, "webchat", who.split(":", 1)[1], json.loads(handed))
    say("open")
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:7]))
