"""A case type's status flow, read from AICC (``GET /caseType/{id}``) and kept for a while.

``caseTypeInfo.caseStatus`` is the comma list of the flow's statuses in order; a case moves
along it with ``POST /status/update`` (one step at a time when ``isStrictOrder``) and is closed
with ``POST /close`` only once it stands at the last one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cases.aicc.calls import AiccCaller
from cases.backend import BackendUnavailable, InvalidCase


@dataclass(frozen=True)
class Flow:
    """The statuses of one case type, in order."""

    statuses: tuple[str, ...]
    strict: bool = False

    @property
    def last(self) -> str:
        """The status a case must stand at to be closed."""
        return self.statuses[-1]

    def steps_to(self, current: str, target: str) -> list[str]:
        """The ``status/update`` targets that take a case from ``current`` to ``target``."""
        if target not in self.statuses:
            raise InvalidCase(
                f"the case type's flow has no status {target!r}; it has {', '.join(self.statuses)}"
            )
        if current == target:
            return []
        if not self.strict or current not in self.statuses:
            return [target]
        here, there = self.statuses.index(current), self.statuses.index(target)
        if there < here:
            raise InvalidCase(f"the case type's flow cannot go back from {current} to {target}")
        return list(self.statuses[here + 1 : there + 1])


def flow_of(info: Any) -> Flow:
    """The flow a ``caseTypeInfo`` describes; ``BackendUnavailable`` when it names none."""
    if isinstance(info, dict) and "caseTypeInfo" in info:
        info = info["caseTypeInfo"]
    if isinstance(info, list) and info:
        info = info[0]
    raw = info.get("caseStatus") if isinstance(info, dict) else None
    statuses = tuple(s.strip() for s in str(raw or "").split(",") if s.strip())
    if not statuses:
        raise BackendUnavailable("AICC's case type names no statuses (caseStatus)")
    strict = info.get("isStrictOrder") if isinstance(info, dict) else False
    return Flow(statuses=statuses, strict=strict in (True, "true", "True", "1", 1))


class FlowCache:
    """The flow of one case type, read again once ``max_age`` seconds have passed."""

    def __init__(
        self,
        calls: AiccCaller,
        type_id: str,
        max_age: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._calls = calls
        self._type_id = type_id
        self._max_age = max_age
        self._clock = clock
        self._flow: Flow | None = None
        self._read_at = 0.0

    async def flow(self) -> Flow:
        """The case type's flow, from AICC when the copy held is missing or stale."""
        if self._flow is None or self._clock() - self._read_at >= self._max_age:
            self._flow = flow_of(await self._calls.call("case_type", id=self._type_id))
            self._read_at = self._clock()
        return self._flow
