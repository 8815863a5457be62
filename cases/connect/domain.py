"""The Connect Cases domain's ARN, read once with GetDomain, and the account and region it names.

A case's ARN is its domain's plus ``/case/<id>``, and a case's ``customer_id`` must be a
Customer Profiles profile in the same account and region as the domain: both are taken from
this one ARN rather than from settings that could disagree with it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cases.backend import BackendUnavailable
from cases.connect.calls import call

if TYPE_CHECKING:
    from mypy_boto3_connectcases.client import ConnectCasesClient

__all__ = ["ArnPlace", "CasesDomain"]


@dataclass(frozen=True)
class ArnPlace:
    """Where an AWS resource lives: partition (``aws``, ``aws-cn`` ...), region, account."""

    partition: str
    region: str
    account: str

    @classmethod
    def of(cls, arn: str) -> ArnPlace:
        """The place an ARN names; ``BackendUnavailable`` when it names none."""
        parts = arn.split(":", 5)
        if len(parts) < 6 or parts[0] != "arn" or not (parts[1] and parts[3] and parts[4]):
            raise BackendUnavailable("Connect Cases answered a domain ARN without its account")
        return cls(partition=parts[1], region=parts[3], account=parts[4])


class CasesDomain:
    """One domain's ARN, asked for once (a domain's ARN never changes)."""

    def __init__(self, client: ConnectCasesClient, domain_id: str) -> None:
        self._client = client
        self._domain_id = domain_id
        self._arn: str | None = None
        self._lock = asyncio.Lock()

    async def arn(self) -> str:
        """The domain's ARN."""
        if self._arn is None:
            async with self._lock:
                if self._arn is None:
                    self._arn = await self._read()
        return self._arn

    async def _read(self) -> str:
        found = await call("GetDomain", self._client.get_domain, domainId=self._domain_id)
        return found["domainArn"]

    async def place(self) -> ArnPlace:
        """The partition, region and account of the domain."""
        return ArnPlace.of(await self.arn())
