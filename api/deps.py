"""FastAPI dependencies: the app's settings, its shared HTTP client and the clients built on it.

Tests replace any of these with ``app.dependency_overrides``. They are ``async`` although
they never wait: FastAPI runs a plain ``def`` dependency in its thread pool, a hop per request.
"""

from __future__ import annotations

from typing import Annotated, cast

import httpx
from fastapi import Depends, Request

from api.rasa import RasaClient
from api.settings import GatewaySettings


async def app_settings(request: Request) -> GatewaySettings:
    """The settings the app was created with."""
    return cast(GatewaySettings, request.app.state.settings)


async def http_client(request: Request) -> httpx.AsyncClient:
    """The HTTP client the app's lifespan opened, shared by every request."""
    return cast(httpx.AsyncClient, request.app.state.http)


SettingsDep = Annotated[GatewaySettings, Depends(app_settings)]
HttpDep = Annotated[httpx.AsyncClient, Depends(http_client)]


async def rasa_client(http: HttpDep, settings: SettingsDep) -> RasaClient:
    """A client for the Rasa server named in the settings."""
    return RasaClient(http, settings.rasa_url, settings.rasa_api_token)


RasaDep = Annotated[RasaClient, Depends(rasa_client)]
