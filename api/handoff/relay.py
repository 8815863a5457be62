"""The relay: one websocket per live chat carries the person's words to the customer's channel.

``open`` takes the chat the handoff handed over (``live_chat`` payload), connects as the
customer and keeps the chat in the store; ``customer_says`` sends what the customer writes to
the chat instead of the assistant (``END_WORDS`` leave it); ``resume_all`` picks the kept chats
up when the gateway starts. The store may be shared by several gateways: any of them takes the
customer's side (SendMessage needs only the connection token the store keeps), and each chat's
socket is held by the one gateway holding its lease (``ownership``), which relays it
(``feed``): a gateway that dies loses its leases, and another picks its chats up within a bound.

A chat no agent joins within ``agent_wait_seconds`` of its start is left and the customer told
so. When the chat ends (the agent ends it, the flow closes it, the customer leaves), the chat
is forgotten, the conversation resumed in Rasa, the customer told the assistant is back and the
transcript put on the case, once, however many of those happen together, on whichever gateway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from pydantic import JsonValue

from api.conversation import LiveChatUnavailable
from api.handoff.feed import ChatFeed, Deliver, Typing
from api.handoff.files import NOT_PASSED, SharedFile, caption_of, shared_files
from api.handoff.items import TYPING_EVENT
from api.handoff.ownership import LEASE_SECONDS, Ownership
from api.handoff.participant import ChatGone, ParticipantClient, ParticipantError, RequestRefused
from api.handoff.store import LiveChat, RelayRecords
from api.handoff.tasks import stop_tasks
from api.handoff.transcripts import TranscriptFiling
from api.metrics import LIVE_CHAT_RELAY_SECONDS
from api.rasa import BotMessage

logger = logging.getLogger(__name__)

#: what the customer writes to leave the chat and have the assistant back
END_WORDS = frozenset({"end chat", "end the chat", "stop chat", "/end_chat"})
#: told to the customer when a chat is over
BACK = "The chat with our team has ended. I'm back: ask me anything."
#: told when no agent joined in time
NO_AGENT = (
    "Sorry, no one from our team could join the chat in time. Your request is with them, and "
    "they'll reply on your contact details. I'm back: ask me anything."
)
_RETRY_SECONDS = (1.0, 2.0, 5.0, 10.0, 30.0)
#: one typing event per chat in this long at most, however often a client says so
TYPING_EVERY_SECONDS = 2.0

#: resumes the conversation in Rasa
Resume = Callable[[str], Awaitable[None]]


class ChatRelay:
    """Relays the live chats this gateway holds, and takes any chat's customer side."""

    def __init__(
        self,
        store: RelayRecords,
        participant: ParticipantClient,
        deliver: Deliver,
        resume: Resume,
        *,
        transcripts: TranscriptFiling | None = None,
        typing: Typing | None = None,
        agent_wait_seconds: float = 180.0,
        retry_seconds: tuple[float, ...] = _RETRY_SECONDS,
        lease_seconds: float = LEASE_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._transcripts = transcripts
        self._typing = typing
        self._filing: asyncio.Task[None] | None = None
        self._agent_wait_seconds = agent_wait_seconds
        self._clock = clock
        self._store = store
        self._participant = participant
        self._deliver = deliver
        self._resume = resume
        self._retry_seconds = retry_seconds
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._watches: dict[str, asyncio.Task[None]] = {}
        self._typed_at: dict[str, float] = {}
        self._ownership = Ownership(
            store,
            start=lambda chat: self._start(chat, None),
            stop=self._stop,
            running=lambda: list(self._tasks),
            lease_seconds=lease_seconds,
        )

    async def open(
        self, conversation_id: str, channel: str, sender: str, handed: Mapping[str, Any]
    ) -> LiveChat:
        """Join the chat of a handoff as the customer and start relaying it."""
        connection = await self._participant.connect(str(handed["participant_token"]))
        case_ref = handed.get("case_ref")
        chat = await self._store.put(
            LiveChat(
                conversation_id=conversation_id,
                channel=channel,
                sender=sender,
                contact_id=str(handed["contact_id"]),
                participant_id=str(handed["participant_id"]),
                participant_token=str(handed["participant_token"]),
                connection_token=connection.connection_token,
                case_ref=case_ref if isinstance(case_ref, str) else None,
            )
        )
        self._ownership.run()
        if await self._ownership.take(chat.contact_id):
            self._start(chat, connection.websocket_url)
        return chat

    async def customer_says(
        self,
        conversation_id: str,
        text: str,
        message_id: str | None = None,
        files: Sequence[Mapping[str, JsonValue]] = (),
    ) -> bool:
        """Send the customer's message to their live chat; whether they have one.

        A message handled again (the gateway died before it knew the chat took it, and the
        queue hands it out again) carries the same ``message_id``, so the chat takes it once.
        """
        started = time.perf_counter()
        chat = await self._store.get(conversation_id)
        if chat is None:
            return False
        try:
            if " ".join(text.lower().split()) in END_WORDS:
                await self._participant.disconnect(chat.connection_token)
                await self._finish(chat)
            elif files:
                LIVE_CHAT_RELAY_SECONDS.labels("to_agent").observe(time.perf_counter() - started)
                await self._share(chat, text, message_id, shared_files(files))
            else:
                LIVE_CHAT_RELAY_SECONDS.labels("to_agent").observe(time.perf_counter() - started)
                await self._participant.send(chat.connection_token, text, message_id)
        except ChatGone:
            # the chat ended before its end reached this gateway: the assistant answers
            await self._finish(chat)
            return False
        except ParticipantError as exc:
            raise LiveChatUnavailable(f"live chat {chat.contact_id}: {exc}") from exc
        return True

    async def _share(
        self, chat: LiveChat, text: str, message_id: str | None, files: list[SharedFile]
    ) -> None:
        """The customer's files as attachments, then their caption; a line for each file that
        cannot go."""
        said = []
        for index, file in enumerate(files):
            try:
                await self._participant.attach(chat.connection_token, file, message_id, index)
            except (RequestRefused, ChatGone) as exc:
                # ChatGone too: an instance with attachments off may refuse them so; a chat
                # that is really over refuses the words that follow as well
                logger.info("live chat %s: a file not attached: %s", chat.contact_id, exc)
                said.append(NOT_PASSED)
        caption = caption_of(text)
        if caption:
            said.append(caption)
        if said:
            await self._participant.send(chat.connection_token, "\n".join(said), message_id)

    async def customer_typing(self, conversation_id: str) -> bool:
        """Tell the agent the customer is typing; whether the customer is in a live chat."""
        chat = await self._store.get(conversation_id)
        if chat is None:
            return False
        now = time.monotonic()
        if now - self._typed_at.get(chat.contact_id, -TYPING_EVERY_SECONDS) < TYPING_EVERY_SECONDS:
            return True
        self._typed_at[chat.contact_id] = now
        try:
            await self._participant.send_event(chat.connection_token, TYPING_EVENT)
        except ParticipantError as exc:
            # a moment's hint: not worth a retry, nor a failed message
            logger.info("live chat %s: typing not sent: %s", chat.contact_id, exc)
        return True

    async def resume_all(self) -> int:
        """Relay the kept chats no other gateway holds, and file the transcripts due (the
        gateway started); how many chats it relays."""
        self._start_filing()
        held = await self._ownership.look()
        self._ownership.run()
        return held

    async def close(self) -> None:
        """Stop relaying; the chats stay kept, for another gateway or the next start."""
        # first, so that no chat is started again while the others stop
        await self._ownership.stop()
        tasks = [*self._tasks.values(), *self._watches.values()]
        if self._filing is not None:
            tasks.append(self._filing)
            self._filing = None
        await stop_tasks(tasks)
        self._tasks.clear()
        self._watches.clear()
        await self._ownership.close()

    def _start(self, chat: LiveChat, websocket_url: str | None) -> None:
        self._start_filing()
        self._stop(chat.contact_id)
        feed = ChatFeed(
            chat,
            self._store,
            self._participant,
            self._deliver,
            self._finish,
            lambda: self._ownership.holds(chat.contact_id),
            self._retry_seconds,
            self._typing,
        )
        task = asyncio.create_task(feed.run(websocket_url))
        self._tasks[chat.contact_id] = task
        task.add_done_callback(lambda _: self._forget(chat.contact_id, task))
        if not chat.agent_joined:
            watch = asyncio.create_task(self._watch(chat))
            self._watches[chat.contact_id] = watch
            watch.add_done_callback(lambda _: self._watches.pop(chat.contact_id, None))

    def _stop(self, contact_id: str) -> None:
        """Stop relaying a chat here (it ended, or another gateway holds it now)."""
        for tasks in (self._tasks, self._watches):
            task = tasks.pop(contact_id, None)
            if task is not None and task is not asyncio.current_task():
                task.cancel()

    def _start_filing(self) -> None:
        if self._transcripts is not None and self._filing is None:
            self._filing = asyncio.create_task(self._transcripts.run())

    async def _watch(self, chat: LiveChat) -> None:
        """Leave the chat, and say so, if no agent has joined it in time."""
        deadline = chat.started_at + self._agent_wait_seconds
        await asyncio.sleep(max(deadline - self._clock(), 0.0))
        kept = await self._store.get(chat.conversation_id)
        if kept is None or kept.contact_id != chat.contact_id or kept.agent_joined:
            return
        if not self._ownership.holds(chat.contact_id):
            return
        logger.info("live chat %s: no agent joined in time", chat.contact_id)
        with contextlib.suppress(ParticipantError):
            await self._participant.disconnect(chat.connection_token)
        await self._finish(chat, NO_AGENT)

    def _forget(self, contact_id: str, task: asyncio.Task[None]) -> None:
        if self._tasks.get(contact_id) is task:
            del self._tasks[contact_id]
        if contact_id not in self._tasks:
            self._typed_at.pop(contact_id, None)

    async def _finish(self, chat: LiveChat, told: str = BACK) -> None:
        filing = self._transcripts is not None
        if not await self._store.end(chat.contact_id, file_transcript=filing):
            return
        # nothing of the chat may reach the customer after they are told it is over
        self._stop(chat.contact_id)
        try:
            await self._resume(chat.conversation_id)
        except Exception:
            logger.exception("conversation %s not resumed after its chat", chat.conversation_id)
        await self._deliver(chat, [BotMessage(text=told)])
        if self._transcripts is not None and chat.case_ref is not None:
            self._transcripts.wake()
