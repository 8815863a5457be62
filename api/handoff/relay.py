"""The relay: one websocket per live chat carries the person's words to the customer's channel.

``open`` takes the chat the handoff handed over (``live_chat`` payload), connects as the
customer and keeps the chat in the store; ``customer_says`` sends what the customer writes to
the chat instead of the assistant (``END_WORDS`` leave it); ``resume_all`` picks every kept
chat up again when the gateway starts. Each chat's task opens a new participant connection,
subscribes, then reads the transcript after the last item relayed: an item is relayed once
whichever of the two brings it, and what was written while no socket was open is not lost.

Relayed to the customer: messages of the agent and of the contact flow (``SYSTEM``), and an
agent joining. A chat no agent joins within ``agent_wait_seconds`` of its start is left and
the customer told so. When the chat ends (the agent ends it, the flow closes it, the customer
leaves), the chat is forgotten, the conversation resumed in Rasa, the customer told the
assistant is back and the transcript put on the case, once, however many of those happen
together. Only what AWS documents of the socket is relied on: the ``aws/subscribe`` request
and ``aws/chat`` frames carrying transcript items.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from pydantic import JsonValue
from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

from api.conversation import LiveChatUnavailable
from api.handoff.files import NOT_PASSED, SharedFile, caption_of, shared_files
from api.handoff.participant import (
    ChatGone,
    ChatItem,
    ParticipantClient,
    ParticipantError,
    RequestRefused,
)
from api.handoff.store import LiveChat, RelayStore
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
JOINED_EVENT = "application/vnd.amazonaws.connect.event.participant.joined"
ENDED_EVENT = "application/vnd.amazonaws.connect.event.chat.ended"
TYPING_EVENT = "application/vnd.amazonaws.connect.event.typing"
#: events the socket carries that no transcript holds: reading the transcript from one fails
_PASSING = frozenset(
    {
        TYPING_EVENT,
        "application/vnd.amazonaws.connect.event.message.delivered",
        "application/vnd.amazonaws.connect.event.message.read",
        "application/vnd.amazonaws.connect.event.connection.acknowledged",
    }
)
_SHOWN_ROLES = frozenset({"AGENT", "SYSTEM"})
_SUBSCRIBE = json.dumps({"topic": "aws/subscribe", "content": {"topics": ["aws/chat"]}})
_RETRY_SECONDS = (1.0, 2.0, 5.0, 10.0, 30.0)
#: one typing event per chat in this long at most, however often a client says so
TYPING_EVERY_SECONDS = 2.0

#: delivers the bot's messages to the chat's customer on their channel; whether they went out
Deliver = Callable[[LiveChat, list[BotMessage]], Awaitable[bool]]
#: resumes the conversation in Rasa
Resume = Callable[[str], Awaitable[None]]
#: shows the chat's customer that the agent is typing, on channels that can
Typing = Callable[[LiveChat], Awaitable[None]]


class ChatRelay:
    """Relays every live chat of this gateway."""

    def __init__(
        self,
        store: RelayStore,
        participant: ParticipantClient,
        deliver: Deliver,
        resume: Resume,
        *,
        transcripts: TranscriptFiling | None = None,
        typing: Typing | None = None,
        agent_wait_seconds: float = 180.0,
        retry_seconds: tuple[float, ...] = _RETRY_SECONDS,
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
        self._seen: dict[str, set[str]] = {}
        self._typed_at: dict[str, float] = {}

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
        """Relay every kept chat again, and file the transcripts still due (the gateway
        started); how many chats."""
        self._start_filing()
        chats = await self._store.all()
        for chat in chats:
            self._start(chat, None)
        return len(chats)

    async def close(self) -> None:
        """Stop relaying; the chats stay kept for the next start."""
        tasks = [*self._tasks.values(), *self._watches.values()]
        if self._filing is not None:
            tasks.append(self._filing)
            self._filing = None
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        self._watches.clear()

    def _start(self, chat: LiveChat, websocket_url: str | None) -> None:
        self._start_filing()
        old = self._tasks.pop(chat.contact_id, None)
        if old is not None:
            old.cancel()
        self._seen.setdefault(chat.contact_id, set())
        task = asyncio.create_task(self._run(chat, websocket_url))
        self._tasks[chat.contact_id] = task
        task.add_done_callback(lambda _: self._forget(chat.contact_id, task))
        if not chat.agent_joined:
            watch = asyncio.create_task(self._watch(chat))
            self._watches[chat.contact_id] = watch
            watch.add_done_callback(lambda _: self._watches.pop(chat.contact_id, None))

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
        logger.info("live chat %s: no agent joined in time", chat.contact_id)
        with contextlib.suppress(ParticipantError):
            await self._participant.disconnect(chat.connection_token)
        await self._finish(chat, NO_AGENT)

    def _forget(self, contact_id: str, task: asyncio.Task[None]) -> None:
        if self._tasks.get(contact_id) is task:
            del self._tasks[contact_id]
            self._seen.pop(contact_id, None)
            self._typed_at.pop(contact_id, None)

    async def _run(self, chat: LiveChat, websocket_url: str | None) -> None:
        failures = 0
        while True:
            try:
                if websocket_url is None:
                    connection = await self._participant.connect(chat.participant_token)
                    websocket_url = connection.websocket_url
                if await self._relay(chat, websocket_url):
                    return
            except ChatGone:
                # nothing more can happen in it; the transcript still has its last items
                with contextlib.suppress(ParticipantError):
                    await self._catch_up(chat)
                await self._finish(chat)
                return
            except (ParticipantError, WebSocketException, OSError) as exc:
                logger.warning("live chat %s: %s: %s", chat.contact_id, type(exc).__name__, exc)
            except Exception:
                # a channel that failed to deliver: the item is read again after a reconnect
                logger.exception("live chat %s failed; reconnecting", chat.contact_id)
            websocket_url = None
            await asyncio.sleep(self._retry_seconds[min(failures, len(self._retry_seconds) - 1)])
            failures += 1

    async def _relay(self, chat: LiveChat, websocket_url: str) -> bool:
        """Relay until the socket closes; whether the chat ended."""
        async with connect(websocket_url) as socket:
            await socket.send(_SUBSCRIBE)
            if await self._catch_up(chat):
                return True
            async for frame in socket:
                received = time.perf_counter()
                item = _item_of(frame)
                if item is not None and await self._relay_item(chat, item, received):
                    return True
        return False

    async def _catch_up(self, chat: LiveChat) -> bool:
        """Relay what the transcript has after the last item relayed; whether the chat ended."""
        kept = await self._store.get(chat.conversation_id)
        if kept is None or kept.contact_id != chat.contact_id:
            # ended meanwhile (the customer left, say): nothing is left to relay
            return True
        for item in await self._participant.transcript_after(
            chat.connection_token, kept.last_item_id
        ):
            if await self._relay_item(chat, item):
                return True
        return False

    async def _relay_item(
        self, chat: LiveChat, item: ChatItem, received: float | None = None
    ) -> bool:
        if item.content_type in _PASSING:
            if item.content_type == TYPING_EVENT and item.role == "AGENT" and self._typing:
                try:
                    await self._typing(chat)
                except Exception:
                    logger.exception("live chat %s: typing not shown", chat.contact_id)
            return False
        seen = self._seen.setdefault(chat.contact_id, set())
        if not item.item_id or item.item_id in seen:
            return False
        if item.content_type == JOINED_EVENT and item.role == "AGENT":
            await self._store.agent_joined(chat.contact_id)
        told = _told(item)
        if told is not None:
            if not await self._deliver(chat, [BotMessage(text=told)]):
                logger.warning("live chat %s: an item was not delivered", chat.contact_id)
            elif received is not None:
                # the socket's frames only: an item read from the transcript waited for nothing
                LIVE_CHAT_RELAY_SECONDS.labels("to_customer").observe(
                    time.perf_counter() - received
                )
        seen.add(item.item_id)
        await self._store.relayed(chat.contact_id, item.item_id, chat.connection_token)
        if item.content_type == ENDED_EVENT:
            await self._finish(chat)
            return True
        return False

    async def _finish(self, chat: LiveChat, told: str = BACK) -> None:
        filing = self._transcripts is not None
        if not await self._store.end(chat.contact_id, file_transcript=filing):
            return
        # nothing of the chat may reach the customer after they are told it is over
        for tasks in (self._tasks, self._watches):
            task = tasks.get(chat.contact_id)
            if task is not None and task is not asyncio.current_task():
                task.cancel()
        try:
            await self._resume(chat.conversation_id)
        except Exception:
            logger.exception("conversation %s not resumed after its chat", chat.conversation_id)
        await self._deliver(chat, [BotMessage(text=told)])
        if self._transcripts is not None and chat.case_ref is not None:
            self._transcripts.wake()


def _told(item: ChatItem) -> str | None:
    """What the customer is shown of an item, if anything."""
    if item.role not in _SHOWN_ROLES:
        return None
    if item.kind == "MESSAGE" and item.content.strip():
        return item.content
    if item.content_type == JOINED_EVENT and item.role == "AGENT":
        return f"{item.display_name or 'A person'} from our team has joined the chat."
    return None


def _item_of(frame: str | bytes) -> ChatItem | None:
    """The transcript item an ``aws/chat`` frame carries; ``None`` for any other frame."""
    try:
        message = json.loads(frame)
        if not isinstance(message, dict) or message.get("topic") != "aws/chat":
            return None
        item = json.loads(message.get("content") or "")
    except (ValueError, TypeError):
        return None
    return ChatItem.of(item) if isinstance(item, dict) else None
