"""FastAPI dependencies: the app's settings, its shared HTTP client and the clients built on it.

The clients are the ones the app's lifespan built once (see ``api.app``), never one per request.

Tests replace any of these with ``app.dependency_overrides``. They are ``async`` although
they never wait: FastAPI runs a plain ``def`` dependency in its thread pool, a hop per request.
"""

from __future__ import annotations

from typing import Annotated, cast

import httpx
from fastapi import Depends, FastAPI, Request

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


def rasa_of(app: FastAPI) -> RasaClient:
    """The app's one client for the Rasa server named in the settings."""
    return cast(RasaClient, app.state.rasa)


async def rasa_client(request: Request) -> RasaClient:
    """The app's one client for the Rasa server."""
    return rasa_of(request.app)


RasaDep = Annotated[RasaClient, Depends(rasa_client)]
