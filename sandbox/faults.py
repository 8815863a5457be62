"""Faults the sandbox can inject into its stand-ins, for tests of what survives them.

Set with ``PUT /_sandbox/faults`` (``GET`` reads, ``DELETE`` clears), per stand-in name::

    {"connectcases": {"error_share": 0.1, "throttle_share": 0.05, "lost_reply_share": 0.05,
                      "timeout_share": 0.02, "timeout_seconds": 15, "down": false}}

- ``error_share``: answered 500 ``InternalServerException`` before anything is done;
- ``throttle_share``: answered 429 ``ThrottlingException`` before anything is done;
- ``lost_reply_share``: done, then answered 500 as if the reply was lost on the way;
- ``timeout_share``: done, then the reply is held ``timeout_seconds`` (clients time out first);
- ``down``: every request answered 503 ``ServiceUnavailableException`` unprocessed.

The control endpoints themselves never fail.
"""

from __future__ import annotations

import asyncio
import json
import random

from pydantic import BaseModel, ConfigDict, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class Faults(BaseModel):
    """The faults of one stand-in."""

    model_config = ConfigDict(extra="forbid")

    error_share: float = Field(default=0.0, ge=0, le=1)
    throttle_share: float = Field(default=0.0, ge=0, le=1)
    lost_reply_share: float = Field(default=0.0, ge=0, le=1)
    timeout_share: float = Field(default=0.0, ge=0, le=1)
    timeout_seconds: float = Field(default=15.0, ge=0, le=600)
    down: bool = False


class FaultPlan:
    """The faults in force, by stand-in name, and how many of each were injected."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self.by_service: dict[str, Faults] = {}
        self.injected: dict[str, dict[str, int]] = {}
        self._rng = rng or random.Random()

    def pick(self, service: str) -> str | None:
        """The fault to inject into one request to ``service``, or ``None``."""
        faults = self.by_service.get(service)
        if faults is None:
            return None
        if faults.down:
            return self._count(service, "down")
        roll = self._rng.random()
        for kind, share in (
            ("error", faults.error_share),
            ("throttle", faults.throttle_share),
            ("lost_reply", faults.lost_reply_share),
            ("timeout", faults.timeout_share),
        ):
            if roll < share:
                return self._count(service, kind)
            roll -= share
        return None

    def _count(self, service: str, kind: str) -> str:
        counts = self.injected.setdefault(service, {})
        counts[kind] = counts.get(kind, 0) + 1
        return kind


class FaultInjector:
    """ASGI middleware in front of one stand-in."""

    def __init__(self, app: ASGIApp, service: str, plan: FaultPlan) -> None:
        self.app = app
        self.service = service
        self.plan = plan

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, or fail it as the plan says."""
        fault = self.plan.pick(self.service) if scope["type"] == "http" else None
        if fault == "down":
            await _aws_error(send, 503, "ServiceUnavailableException", "sandbox is down")
        elif fault == "error":
            await _aws_error(send, 500, "InternalServerException", "injected failure")
        elif fault == "throttle":
            await _aws_error(send, 429, "ThrottlingException", "Rate exceeded")
        elif fault in ("lost_reply", "timeout"):
            await self.app(scope, receive, _swallow)
            if fault == "timeout":
                faults = self.plan.by_service.get(self.service)
                await asyncio.sleep(faults.timeout_seconds if faults else 0)
            await _aws_error(send, 500, "InternalServerException", "reply lost")
        else:
            await self.app(scope, receive, send)


async def _swallow(message: Message) -> None:
    return None


async def _aws_error(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"message": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/x-amz-json-1.1"),
                (b"x-amzn-errortype", code.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
