"""Twilio's side of WhatsApp for tests with several gateways: signed webhooks in, sent messages out.

Twilio posts a message to the one public webhook URL, which a load balancer hands to a gateway,
signed over that URL and the form's parameters (``X-Twilio-Signature``, as
``api.channels.twilio.signature`` checks it); its fallback URL or a retry may bring it to
another. ``TwilioCustomer.deliver`` plays the worst of that, as ``meta.Customer`` does for Meta:
the same signed webhook to every gateway at once. What the gateways send is read from the
Twilio stand-in's record of the messages it accepted (``/_twilio/sent``; a refused one has no
SID and reached nobody), once for every customer by one ``TwilioLog``.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx

from api.channels.twilio.signature import signature
from tests.support.fleet import TWILIO_NUMBER, TWILIO_SID, TWILIO_TOKEN, TWILIO_WEBHOOK_URL
from tests.support.meta import Customer, GraphLog

PREFIX = "whatsapp:"


def webhook(sender: str, sid: str, text: str) -> bytes:
    """The form Twilio posts for one WhatsApp text message from ``sender`` (+ and digits)."""
    params = {
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "AccountSid": TWILIO_SID,
        "From": f"{PREFIX}{sender}",
        "To": TWILIO_NUMBER,
        "Body": text,
        "NumMedia": "0",
        "ProfileName": "Sam Scale",
        "WaId": sender.lstrip("+"),
        "MessageType": "text",
        "ApiVersion": "2010-04-01",
    }
    return urlencode(params).encode()


class TwilioLog(GraphLog):
    """The messages the Twilio stand-in accepted, by the recipient's number."""

    path = "/twilio/_twilio/sent"

    @staticmethod
    def recipient(entry: dict[str, Any]) -> str | None:
        if not entry["sid"]:
            return None
        return str(entry["to"]).removeprefix(PREFIX)

    @staticmethod
    def shown(entry: dict[str, Any]) -> str:
        return str(entry["body"])


class TwilioCustomer(Customer):
    """One Twilio WhatsApp customer, whose every message reaches every gateway."""

    path = "/webhooks/twilio"

    def __init__(self, http: httpx.AsyncClient, gateways: list[str], log: GraphLog) -> None:
        super().__init__(http, gateways, log)
        self.number = f"+{self.number}"

    def new_id(self) -> str:
        return f"SM{uuid.uuid4().hex}"

    def webhook(self, message_id: str, text: str) -> bytes:
        return webhook(self.number, message_id, text)

    def headers(self, body: bytes) -> dict[str, str]:
        # signed over the public URL, whichever gateway the balancer hands it to
        params = parse_qsl(body.decode(), keep_blank_values=True)
        return {
            "X-Twilio-Signature": signature(TWILIO_WEBHOOK_URL, params, TWILIO_TOKEN),
            "Content-Type": "application/x-www-form-urlencoded",
        }
