"""Shared pieces of the Twilio channel tests: the gateway over fakes and signed form posts.

Requests are signed with Twilio's real algorithm over the public URL the gateway is told
Twilio posts to, never over the address the test client happens to use.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from api.app import create_app
from api.channels.twilio.runtime import TwilioRuntime
from api.channels.twilio.signature import signature
from sandbox.twilio.routes import twilio_app
from sandbox.twilio.state import TwilioState
from tests.unit.api.channels.whatsapp.support import ByHost, Rasa

ACCOUNT_SID = "AC11111111111111111111111111111111"
AUTH_TOKEN = "twilio-auth-token-for-tests"
PUBLIC_URL = "https://bot.example.com/webhooks/twilio"
TWILIO_URL = "http://twilio.test"
BUSINESS = "whatsapp:+14155238886"
USER = "+16505551234"


def form(sid: str, body: str = "", sender: str = USER, **extra: str) -> dict[str, str]:
    """A Twilio WhatsApp webhook's parameters, as Twilio sends them."""
    return {
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ProfileName": "Sheena Nelson",
        "MessageType": "text",
        "SmsSid": sid,
        "WaId": sender.lstrip("+"),
        "SmsStatus": "received",
        "Body": body,
        "To": BUSINESS,
        "NumSegments": "1",
        "ReferralNumMedia": "0",
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": f"whatsapp:{sender}",
        "ApiVersion": "2010-04-01",
        **extra,
    }


def signed_headers(
    params: dict[str, str], url: str = PUBLIC_URL, token: str = AUTH_TOKEN
) -> dict[str, str]:
    return {
        "X-Twilio-Signature": signature(url, params.items(), token),
        "Content-Type": "application/x-www-form-urlencoded",
    }


@dataclass
class TwilioGateway:
    app: FastAPI
    client: httpx.AsyncClient
    rasa: Rasa
    twilio: TwilioState

    @property
    def runtime(self) -> TwilioRuntime:
        runtime: TwilioRuntime = self.app.state.twilio
        return runtime

    async def post(
        self, params: dict[str, str], headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return await self.client.post(
            "/webhooks/twilio",
            content=urlencode(params).encode(),
            headers=signed_headers(params) if headers is None else headers,
        )

    def sent(self) -> list[dict[str, Any]]:
        return [entry for entry in self.twilio.sent if entry["sid"]]


@asynccontextmanager
async def twilio_gateways(
    settings_with: Callable[..., Any], tmp_path: Path
) -> AsyncIterator[Callable[..., Any]]:
    """Start gateways with the Twilio channel on over fakes: ``await start(...)``."""
    async with AsyncExitStack() as stack:

        async def start(
            rasa: Rasa | None = None, twilio: TwilioState | None = None, **overrides: Any
        ) -> TwilioGateway:
            rasa = rasa or Rasa()
            twilio = twilio or TwilioState()
            values: dict[str, Any] = {
                "twilio_auth_token": SecretStr(AUTH_TOKEN),
                "twilio_account_sid": ACCOUNT_SID,
                "twilio_whatsapp_number": BUSINESS,
                "twilio_webhook_url": PUBLIC_URL,
                "twilio_api_base_url": TWILIO_URL,
                "twilio_queue_db": tmp_path / "var" / "twilio.sqlite3",
                "whatsapp_media_dir": tmp_path / "var" / "media",
                "whatsapp_retry_base_seconds": 0.0,
            }
            values.update(overrides)
            stand_in = twilio_app(twilio, ACCOUNT_SID, AUTH_TOKEN, on_call=lambda _: None)
            transport = ByHost(
                {
                    "rasa.test": httpx.MockTransport(rasa),
                    "twilio.test": httpx.ASGITransport(app=stand_in),
                }
            )
            app = create_app(settings_with(**values), transport=transport)
            await stack.enter_async_context(app.router.lifespan_context(app))
            client = await stack.enter_async_context(
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url="http://10.0.0.7:8000"
                )
            )
            return TwilioGateway(app, client, rasa, twilio)

        yield start
