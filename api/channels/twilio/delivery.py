"""Sending the bot's replies to one Twilio WhatsApp user, in order.

429 and 5xx answers are retried with exponential back-off a bounded number of times; any
other refusal is recorded and the rest of the reply is dropped, since later messages may
build on the lost one. Every outcome is recorded in the store. The Messages API takes no
idempotency key, so a queued turn is told of each message Twilio accepted (``sent``) before
the next goes, and a gateway that takes the turn over sends only the rest.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from api.channels.twilio.client import TwilioClient, TwilioError
from api.channels.twilio.outbound import TwilioBody
from api.channels.twilio.store import TwilioDelivery, TwilioRecords
from api.outbound import Backoff

logger = logging.getLogger(__name__)


class TwilioDeliverer:
    """Sends rendered messages from the business's number through Twilio."""

    def __init__(
        self,
        client: TwilioClient,
        store: TwilioRecords,
        sender: str,
        backoff: Backoff,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._client = client
        self._store = store
        self._sender = sender
        self._backoff = backoff
        self._sleep = sleep

    async def deliver(
        self,
        to: str,
        phone: str,
        bodies: Sequence[TwilioBody],
        sent: Callable[[int], Awaitable[None]] | None = None,
    ) -> bool:
        """Send ``bodies`` in order to the address ``to``; whether every one was sent.
        ``sent(n)`` is awaited once the first ``n`` are sent."""
        for count, body in enumerate(bodies, start=1):
            if not await self._send(to, phone, body):
                return False
            if sent is not None:
                await sent(count)
        return True

    async def _send(self, to: str, phone: str, body: TwilioBody) -> bool:
        fields = {"From": self._sender, "To": to, **body}
        attempt = 0
        while True:
            attempt += 1
            try:
                sid = await self._client.send(fields)
            except TwilioError as exc:
                if exc.is_transient and attempt < self._backoff.max_attempts:
                    await self._sleep(self._backoff.delay(attempt))
                    continue
                logger.warning(
                    "Twilio message not sent after %d attempt(s): code %s, %s",
                    attempt,
                    exc.code,
                    exc.message,
                )
                await self._store.record_delivery(
                    TwilioDelivery(phone, "failed", None, attempt, exc.code, exc.message)
                )
                return False
            await self._store.record_delivery(TwilioDelivery(phone, "sent", sid, attempt))
            return True
