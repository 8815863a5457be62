from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from api.app import build_http_client, create_app
from api.channels.twilio.client import TwilioClient
from api.channels.twilio.store import TwilioStore
from api.channels.whatsapp.client import GraphClient
from api.channels.whatsapp.store import WhatsAppStore
from api.rasa import RasaClient


async def test_lifespan_opens_one_shared_client_and_closes_it(settings, fake_rasa):
    app = create_app(settings, transport=httpx.MockTransport(fake_rasa))

    async with app.router.lifespan_context(app):
        http = app.state.http
        assert isinstance(http, httpx.AsyncClient)
        assert not http.is_closed
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://g") as client:
            await client.post("/webchat/messages", json={"sender": "a", "message": "one"})
            await client.post("/webchat/messages", json={"sender": "a", "message": "two"})
        assert app.state.http is http

    assert http.is_closed
    assert len(fake_rasa.messages()) == 2


def test_http_client_uses_the_rasa_timeout(settings_with):
    client = build_http_client(settings_with(rasa_timeout_seconds=12.5))

    assert client.timeout.read == 12.5
    assert client.timeout.connect == 5.0


def test_create_app_reads_settings_from_the_environment(monkeypatch, tmp_path):
    from api.settings import get_settings

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RASA_API_TOKEN", "t")
    monkeypatch.setenv("WEBCHAT_TITLE", "From env")
    get_settings.cache_clear()
    try:
        app = create_app()
    finally:
        get_settings.cache_clear()

    assert isinstance(app, FastAPI)
    assert app.state.settings.webchat_title == "From env"


def _record_instances(monkeypatch: pytest.MonkeyPatch, cls: type) -> list[object]:
    made: list[object] = []
    original = cls.__init__

    def init(self: object, *args: Any, **kwargs: Any) -> None:
        made.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(cls, "__init__", init)
    return made


async def test_every_part_shares_one_copy_of_each_client_and_store(
    settings_with, fake_rasa, tmp_path, monkeypatch
):
    rasa_clients = _record_instances(monkeypatch, RasaClient)
    graph_clients = _record_instances(monkeypatch, GraphClient)
    twilio_clients = _record_instances(monkeypatch, TwilioClient)
    whatsapp_stores = _record_instances(monkeypatch, WhatsAppStore)
    twilio_stores = _record_instances(monkeypatch, TwilioStore)
    settings = settings_with(
        whatsapp_app_secret=SecretStr("app-secret"),
        whatsapp_access_token=SecretStr("graph-token"),
        whatsapp_phone_number_id="106540352242922",
        whatsapp_queue_db=tmp_path / "whatsapp.sqlite3",
        twilio_auth_token=SecretStr("twilio-token"),
        twilio_account_sid="AC11111111111111111111111111111111",
        twilio_whatsapp_number="whatsapp:+14155238886",
        twilio_webhook_url="https://bot.example.com/webhooks/twilio",
        twilio_queue_db=tmp_path / "twilio.sqlite3",
        ivr_shared_secret=SecretStr("ivr-secret"),
        case_events_api_key=SecretStr("events-key"),
        proactive_queue_db=tmp_path / "proactive.sqlite3",
        internal_api_token=SecretStr("internal-token"),
        notice_queue_db=tmp_path / "notices.sqlite3",
    )
    app = create_app(settings, transport=httpx.MockTransport(fake_rasa))

    async with app.router.lifespan_context(app):
        # every queue-fed part is running: the channels, the outreach and the notices
        assert {"whatsapp", "twilio", "outreach", "notices"} <= set(vars(app.state)["_state"])
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://g") as client:
            await client.post("/webchat/messages", json={"sender": "a", "message": "one"})
            await client.post("/webchat/messages", json={"sender": "a", "message": "two"})
            await client.get("/readyz")
        built = [rasa_clients, graph_clients, whatsapp_stores, twilio_clients, twilio_stores]
        assert [len(instances) for instances in built] == [1, 1, 1, 1, 1]
        shared = app.state.resources
        assert app.state.rasa is shared.rasa
        assert app.state.whatsapp.store is shared.whatsapp.store
        assert app.state.twilio.store is shared.twilio.store

    assert len(fake_rasa.messages()) == 2
    assert rasa_clients == [shared.rasa]
    assert graph_clients == [shared.whatsapp.graph]
    assert whatsapp_stores == [shared.whatsapp.store]
    assert twilio_clients == [shared.twilio.client]
    assert twilio_stores == [shared.twilio.store]


async def test_the_published_schema_names_no_internal_route(settings_with):
    app = create_app(settings_with(internal_api_token=SecretStr("t" * 32)))
    transport = httpx.ASGITransport(app=app)

    async with httpx.AsyncClient(transport=transport, base_url="http://g") as client:
        schema = (await client.get("/openapi.json")).json()

    assert "/webchat/messages" in schema["paths"]
    assert not [path for path in schema["paths"] if path.startswith("/internal")]
    assert "internal" not in json.dumps(schema).lower()
