from __future__ import annotations

import httpx
from fastapi import FastAPI

from api.app import build_http_client, create_app


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
