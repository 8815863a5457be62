"""Liveness and readiness probes.

``/readyz`` is 200 when Rasa (with a model) and the action server answer. The case back end is
checked too, through the action server (the gateway never talks to it), but its outage only
makes the answer ``degraded``: cases are then kept in the outbox and filed later, so the
gateway still does useful work and should keep receiving traffic.
"""

from __future__ import annotations

import httpx
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import HttpDep, RasaDep, SettingsDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up and serving requests; says nothing about its collaborators."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(rasa: RasaDep, http: HttpDep, settings: SettingsDep) -> JSONResponse:
    """Whether the gateway can do its work now: 200 when Rasa and the actions answer, else 503."""
    checks = {"rasa": "ok" if await rasa.is_ready() else "unavailable"}
    checks.update(await _actions_and_backend(http, settings.actions_url))
    ready = checks["rasa"] == "ok" and checks["actions"] == "ok"
    status = "unavailable" if not ready else "ready" if checks["backend"] == "ok" else "degraded"
    return JSONResponse({"status": status, "checks": checks}, status_code=200 if ready else 503)


async def _actions_and_backend(http: httpx.AsyncClient, actions_url: str) -> dict[str, str]:
    try:
        response = await http.get(f"{actions_url.rstrip('/')}/ready", timeout=5.0)
    except httpx.HTTPError:
        return {"actions": "unavailable", "backend": "unknown"}
    if response.status_code not in (200, 503):
        return {"actions": "unavailable", "backend": "unknown"}
    backend = "ok" if response.status_code == 200 else "unavailable"
    return {"actions": "ok", "backend": backend}
