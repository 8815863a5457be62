"""Meta's side of WhatsApp for tests with several gateways: signed webhooks in, sent messages out.

Meta delivers a message to the webhook URL, which a load balancer hands to one gateway; when it
gets no 200 in time it delivers the message again, maybe to another. ``Customer.deliver`` plays
the worst of that: the same signed webhook to every gateway at once. What the gateways send is
read from the Graph stand-in's record of accepted messages (``/_whatsapp/sent``), once for
every customer by one ``GraphLog``, so a hundred waiting customers cost one poll. Twilio's side
(``tests/support/twilio_player.py``) is the same two classes with its webhook and its record.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import defaultdict
from typing import Any

import httpx

from api.channels.whatsapp.signature import sign
from tests.support.fleet import APP_SECRET, PHONE_NUMBER_ID


def webhook(sender: str, wamid: str, text: str) -> bytes:
    """The body of Meta's notification of one text message from ``sender``."""
    message = {
        "from": sender,
        "id": wamid,
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": text},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Sam Scale"}, "wa_id": sender}],
        "messages": [message],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(body).encode()


def shown_text(body: dict[str, Any]) -> str:
    """What the customer reads of one sent message."""
    if body.get("type") == "text":
        return str(body["text"]["body"])
    if body.get("type") == "interactive":
        return str(body["interactive"]["body"]["text"])
    return f"[{body.get('type')}]"


class GraphLog:
    """The messages the Graph stand-in accepted, by recipient, read by one polling task."""

    #: the stand-in's record of what it was asked to send, under the sandbox's URL
    path = "/whatsapp/_whatsapp/sent"

    def __init__(self, http: httpx.AsyncClient, sandbox: str, every: float = 0.25) -> None:
        self._http = http
        self._url = f"{sandbox}{self.path}"
        self._every = every
        self._by_number: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._seen = 0
        self._changed = asyncio.Event()

    async def read(self) -> None:
        """Read what was sent since the last read."""
        response = await self._http.get(self._url)
        response.raise_for_status()
        entries = response.json()
        for entry in entries[self._seen :]:
            number = self.recipient(entry)
            if number is not None:
                self._by_number[number].append(entry)
        if len(entries) > self._seen:
            self._seen = len(entries)
            self._changed.set()
            self._changed = asyncio.Event()

    @staticmethod
    def recipient(entry: dict[str, Any]) -> str | None:
        """Whom an accepted message went to; ``None`` for a refused send (no wamid), which
        never reached the customer."""
        return str(entry["body"].get("to")) if entry["wamid"] else None

    @staticmethod
    def shown(entry: dict[str, Any]) -> str:
        """What the customer reads of one accepted message."""
        return shown_text(entry["body"])

    async def run(self) -> None:
        """Keep reading until cancelled."""
        while True:
            await self.read()
            await asyncio.sleep(self._every)

    def to(self, number: str) -> list[dict[str, Any]]:
        """Every accepted message to ``number``, oldest first (``at``: when it was sent)."""
        return list(self._by_number.get(number, []))

    async def changed(self, timeout: float) -> None:
        """Wait until a read finds something new, or ``timeout`` passes."""
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except TimeoutError:
            pass


class Customer:
    """One WhatsApp customer, whose every message Meta delivers to every gateway."""

    #: the gateways' webhook of the provider
    path = "/webhooks/whatsapp"

    def __init__(self, http: httpx.AsyncClient, gateways: list[str], log: GraphLog) -> None:
        self.http = http
        self.gateways = gateways
        self.log = log
        self.number = f"44770{uuid.uuid4().int % 10**7:07d}"
        #: the provider's ids of the messages sent, in order
        self.message_ids: list[str] = []

    def received(self) -> list[str]:
        return [self.log.shown(entry) for entry in self.log.to(self.number)]

    def new_id(self) -> str:
        return f"wamid.{uuid.uuid4().hex}"

    def webhook(self, message_id: str, text: str) -> bytes:
        return webhook(self.number, message_id, text)

    def headers(self, body: bytes) -> dict[str, str]:
        return {"X-Hub-Signature-256": sign(body, APP_SECRET)}

    async def deliver(self, body: bytes) -> int:
        """The webhook to every gateway at once; how many took it (answered 200).

        A gateway that is down refuses the connection, as a dead replica behind a balancer
        does; the provider would deliver again later, and the one that took it has it queued.
        """
        headers = self.headers(body)

        async def post(gateway: str) -> bool:
            try:
                answer = await self.http.post(
                    f"{gateway}{self.path}", content=body, headers=headers
                )
            except httpx.TransportError:
                return False
            return answer.status_code == 200

        return sum(await asyncio.gather(*(post(gateway) for gateway in self.gateways)))

    async def send(self, text: str) -> str:
        """Send ``text`` as a new message; returns its id."""
        message_id = self.new_id()
        self.message_ids.append(message_id)
        taken = await self.deliver(self.webhook(message_id, text))
        if not taken:
            raise RuntimeError(f"no gateway took the message {text!r}")
        return message_id

    async def until(self, count: int, timeout: float) -> float | None:
        """Wait until ``count`` messages reached the customer in all; when the last of them
        was sent (the stand-in's clock), or ``None`` if they did not come in time."""
        deadline = time.monotonic() + timeout
        while len(self.log.to(self.number)) < count:
            if time.monotonic() > deadline:
                return None
            await self.log.changed(min(1.0, max(0.0, deadline - time.monotonic())))
        return float(self.log.to(self.number)[count - 1]["at"])

    async def quiet(self, settle: float, timeout: float = 90) -> list[str]:
        """Wait for an answer, then until nothing more comes for ``settle`` seconds."""
        count = len(self.log.to(self.number))
        await self.until(count + 1, timeout)
        quiet_since, count = time.monotonic(), len(self.log.to(self.number))
        while time.monotonic() - quiet_since < settle:
            await self.log.changed(settle)
            if len(self.log.to(self.number)) != count:
                quiet_since, count = time.monotonic(), len(self.log.to(self.number))
        return self.received()
