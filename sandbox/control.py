"""The sandbox's own endpoints: health, and the API call counts tests and benchmarks read."""

from __future__ import annotations

from fastapi import APIRouter

from sandbox.calls import CallCounter


def control_router(calls: CallCounter) -> APIRouter:
    """Return ``GET /healthz``, ``GET /_sandbox/calls`` and ``POST /_sandbox/calls/reset``."""
    router = APIRouter()

    @router.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/_sandbox/calls")
    def call_counts() -> dict[str, dict[str, int]]:
        return calls.snapshot()

    @router.post("/_sandbox/calls/reset")
    def reset_call_counts() -> dict[str, dict[str, int]]:
        calls.reset()
        return calls.snapshot()

    return router
