"""The sandbox's own endpoints: health, API call counts, and the faults it injects."""

from __future__ import annotations

from fastapi import APIRouter

from sandbox.calls import CallCounter
from sandbox.faults import FaultPlan, Faults


def control_router(calls: CallCounter, faults: FaultPlan | None = None) -> APIRouter:
    """Health, ``/_sandbox/calls`` (read, reset) and ``/_sandbox/faults`` (set, read, clear)."""
    router = APIRouter()
    plan = faults or FaultPlan()

    @router.put("/_sandbox/faults")
    def set_faults(wanted: dict[str, Faults]) -> dict[str, Faults]:
        plan.by_service = dict(wanted)
        return plan.by_service

    @router.get("/_sandbox/faults")
    def get_faults() -> dict[str, object]:
        return {"faults": plan.by_service, "injected": plan.injected}

    @router.delete("/_sandbox/faults")
    def clear_faults() -> dict[str, object]:
        plan.by_service = {}
        return {"faults": plan.by_service, "injected": plan.injected}

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
