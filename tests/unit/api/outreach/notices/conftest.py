"""The gateway the notice tests post to: the app over fakes (Rasa answers ``trigger_intent`` and
the REST channel; WhatsApp Graph and Twilio are the sandbox's stand-ins)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from api.app import create_app
from sandbox.twilio.routes import twilio_app
from sandbox.twilio.state import TwilioState
from sandbox.whatsapp.routes import whatsapp_app
from sandbox.whatsapp.state import GraphState
from tests.unit.api.channels.twilio.support import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    BUSINESS,
    PUBLIC_URL,
    TWILIO_URL,
)
from tests.unit.api.channels.whatsapp.support import (
    APP_SECRET,
    GRAPH_TOKEN,
    GRAPH_URL,
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    ByHost,
)
from tests.unit.api.outreach.ivr.support import RASA_TOKEN
from tests.unit.api.outreach.notices.support import TOKEN, Gateway, NoticeRasa


@pytest.fixture
async def start(settings_with: Any, tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    async with AsyncExitStack() as stack:

        async def start_gateway(twilio: bool = False, **overrides: Any) -> Gateway:
            rasa, graph, twilio_state = NoticeRasa(), GraphState(), TwilioState()
            values: dict[str, Any] = {
                "rasa_api_token": SecretStr(RASA_TOKEN),
                "internal_api_token": SecretStr(TOKEN),
                "notice_queue_db": tmp_path / "var" / "notices.sqlite3",
                "whatsapp_app_secret": SecretStr(APP_SECRET),
                "whatsapp_verify_token": SecretStr(VERIFY_TOKEN),
                "whatsapp_access_token": SecretStr(GRAPH_TOKEN),
                "whatsapp_phone_number_id": PHONE_NUMBER_ID,
                "whatsapp_api_base_url": GRAPH_URL,
                "whatsapp_queue_db": tmp_path / "var" / "queue.sqlite3",
                "whatsapp_retry_base_seconds": 0.0,
                "whatsapp_template_name": "hello_again",
                "whatsapp_notice_template_name": "assistant_says",
            }
            if twilio:
                values |= {
                    "twilio_auth_token": SecretStr(AUTH_TOKEN),
                    "twilio_account_sid": ACCOUNT_SID,
                    "twilio_whatsapp_number": BUSINESS,
                    "twilio_api_base_url": TWILIO_URL,
                    "twilio_webhook_url": PUBLIC_URL,
                    "twilio_queue_db": tmp_path / "var" / "twilio.sqlite3",
                }
            values.update(overrides)
            transport = ByHost(
                {
                    "rasa.test": httpx.MockTransport(rasa),
                    "graph.test": httpx.ASGITransport(
                        app=whatsapp_app(graph, GRAPH_TOKEN, on_call=lambda _: None)
                    ),
                    "twilio.test": httpx.ASGITransport(
                        app=twilio_app(
                            twilio_state, ACCOUNT_SID, AUTH_TOKEN, on_call=lambda _: None
                        )
                    ),
                }
            )
            app = create_app(settings_with(**values), transport=transport)
            await stack.enter_async_context(app.router.lifespan_context(app))
            client = await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw.test")
            )
            gateway = Gateway(app, client, rasa, graph)
            gateway.twilio = twilio_state
            return gateway

        yield start_gateway
