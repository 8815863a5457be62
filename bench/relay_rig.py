"""The pieces of the live chat relay benchmark (``bench.relay``): customers, the agent, the
figures. A customer is a websocket, to the gateway's webchat or to the chat stand-in itself;
the agent is the stand-in's agent API; the gateway's own time comes from its ``/metrics``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families
from websockets.asyncio.client import ClientConnection

AGENT_API = "/_sandbox/connect-chat/chats"
SUBSCRIBE = json.dumps({"topic": "aws/subscribe", "content": {"topics": ["aws/chat"]}})
WAIT_SECONDS = 60.0
#: the pause before each exchange of a chat, at random within these bounds
GAP_SECONDS = (0.2, 1.0)


@dataclass
class Timings:
    """Seconds per message, by direction, and what arrived."""

    to_customer: list[float] = field(default_factory=list)
    #: filled in from the chats' transcripts once the run is over
    to_agent: list[float] = field(default_factory=list)
    sent_to_customer: int = 0
    received_by_customer: int = 0
    doubled: int = 0


def absolute(stamp: str) -> float:
    """An item's ``AbsoluteTime`` as epoch seconds."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


class Chat:
    """One customer's socket (to the gateway, or to the stand-in directly) and their chat."""

    def __init__(self, socket: ClientConnection, texts_of: Callable[[Any], list[str]]) -> None:
        self.socket = socket
        self.contact_id = ""
        #: when each of the customer's messages was sent, by its text
        self.written: dict[str, float] = {}
        self._texts_of = texts_of
        self._arrived: dict[str, list[float]] = {}
        self._answers: dict[int, asyncio.Future[Any]] = {}
        self._changed = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for frame in self.socket:
            now = time.time()
            data = json.loads(frame)
            answer = self._answers.pop(data.get("id"), None) if isinstance(data, dict) else None
            if answer is not None:
                answer.set_result(data)
                continue
            for text in self._texts_of(data):
                self._arrived.setdefault(text, []).append(now)
            self._changed.set()

    async def arrival(self, text: str) -> float:
        """When ``text`` reached this customer (waiting for it)."""
        async with asyncio.timeout(WAIT_SECONDS):
            while text not in self._arrived:
                self._changed.clear()
                await self._changed.wait()
        return self._arrived[text][0]

    def arrivals(self) -> dict[str, int]:
        """How many times each text arrived."""
        return {text: len(times) for text, times in self._arrived.items()}

    async def ask(self, frame: dict[str, Any]) -> Any:
        """Send a webchat frame; the gateway's answer to it."""
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._answers[frame["id"]] = answer
        await self.socket.send(json.dumps(frame))
        async with asyncio.timeout(WAIT_SECONDS * 2):
            return await answer

    async def close(self) -> None:
        self._reader.cancel()
        await self.socket.close()


def webchat_texts(data: Any) -> list[str]:
    """The texts of a notice the gateway pushes (the relay's words)."""
    if isinstance(data, dict) and data.get("notice") is True:
        return [str(r.get("text")) for r in data.get("replies", []) if r.get("text")]
    return []


def participant_texts(data: Any) -> list[str]:
    """The message an ``aws/chat`` frame carries."""
    if isinstance(data, dict) and data.get("topic") == "aws/chat":
        item = json.loads(data.get("content") or "{}")
        if item.get("Type") == "MESSAGE":
            return [str(item.get("Content"))]
    return []


class Desk:
    """The agent API of the stand-in."""

    def __init__(self, http: httpx.AsyncClient, sandbox: str) -> None:
        self.http = http
        self.api = sandbox + AGENT_API

    async def waiting_for(self, conversation_id: str) -> str:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            found = (await self.http.get(self.api, params={"state": "WAITING"})).json()
            for chat in found["chats"]:
                if chat["attributes"].get("conversationId") == conversation_id:
                    return str(chat["contactId"])
            await asyncio.sleep(0.2)
        raise RuntimeError(f"no chat waits for {conversation_id}")

    async def post(self, contact_id: str, action: str, body: dict[str, str] | None = None) -> Any:
        answer = await self.http.post(f"{self.api}/{contact_id}/{action}", json=body)
        answer.raise_for_status()
        return answer.json()

    async def written(self, timings: Timings, chats: list[Chat]) -> None:
        """Read each chat once, after the run: when the stand-in wrote each customer message."""
        for chat in chats:
            items = (await self.http.get(f"{self.api}/{chat.contact_id}")).json()["items"]
            stamps = {i.get("Content"): absolute(i["AbsoluteTime"]) for i in items}
            for text, began in chat.written.items():
                timings.to_agent.append(stamps[text] - began)


#: the gateway's own time per relayed message, by direction: cumulative count per bucket bound
Buckets = dict[str, dict[float, float]]
OWN_TIME = "casebot_live_chat_relay_seconds"


async def own_time(http: httpx.AsyncClient, gateway: str) -> Buckets:
    """The gateway's histogram of its own time per relayed message, from ``/metrics``."""
    found: Buckets = {}
    text = (await http.get(f"{gateway}/metrics")).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == OWN_TIME + "_bucket":
                direction = sample.labels["direction"]
                found.setdefault(direction, {})[float(sample.labels["le"])] = sample.value
    return found


def bucket_percentile(before: dict[float, float], after: dict[float, float], share: float) -> str:
    """The bucket bound (ms) at or under which ``share`` of the run's observations fell."""
    counts = {bound: after[bound] - before.get(bound, 0.0) for bound in sorted(after)}
    total = counts.get(float("inf"), 0.0)
    if not total:
        return "n/a"
    for bound, cumulative in counts.items():
        if cumulative >= share * total:
            return "over 1000" if bound == float("inf") else f"<= {bound * 1000:g}"
    return "n/a"


def count(timings: Timings, chats: list[Chat]) -> None:
    """How many agent messages arrived, and how many more than once."""
    for chat in chats:
        for text, times in chat.arrivals().items():
            if text.startswith("agent "):
                timings.received_by_customer += 1
                timings.doubled += times - 1
