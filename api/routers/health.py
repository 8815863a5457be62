"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import RasaDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up and serving requests; says nothing about its collaborators."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(rasa: RasaDep) -> JSONResponse:
    """Whether the gateway can do its work now: 200 when every collaborator answers, else 503."""
    checks = {"rasa": "ok" if await rasa.is_ready() else "unavailable"}
    ready = all(state == "ok" for state in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status_code=200 if ready else 503,
    )
