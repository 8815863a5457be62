"""The ARNs Customer Profiles gives its resources."""

from __future__ import annotations

import re
from dataclasses import dataclass

_PROFILE_ARN = re.compile(
    r"arn:aws:profile:(?P<region>[^:]+):(?P<account>\d+):domains/(?P<domain>[^/]+)"
    r"/profiles/(?P<profile>[a-f0-9]{32})"
)


@dataclass(frozen=True)
class ProfileArns:
    """ARN maker for one account and region."""

    region: str
    account_id: str

    def domain(self, domain_name: str) -> str:
        """ARN of a domain."""
        return f"arn:aws:profile:{self.region}:{self.account_id}:domains/{domain_name}"

    def profile(self, domain_name: str, profile_id: str) -> str:
        """ARN of a profile: what a Connect case's ``customer_id`` holds."""
        return f"{self.domain(domain_name)}/profiles/{profile_id}"

    def profile_of(self, arn: str, domain_name: str) -> str | None:
        """The id of the profile ``arn`` names in ``domain_name`` of this account, else ``None``."""
        match = _PROFILE_ARN.fullmatch(arn)
        if match is None or match["domain"] != domain_name:
            return None
        if (match["region"], match["account"]) != (self.region, self.account_id):
            return None
        return match["profile"]
