"""The ARNs Connect Cases gives its resources."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Arns:
    """ARN maker for one account and region."""

    region: str
    account_id: str

    def domain(self, domain_id: str) -> str:
        """ARN of a domain."""
        return f"arn:aws:cases:{self.region}:{self.account_id}:domain/{domain_id}"

    def case(self, domain_id: str, case_id: str) -> str:
        """ARN of a case."""
        return f"{self.domain(domain_id)}/case/{case_id}"

    def related_item(self, domain_id: str, case_id: str, related_item_id: str) -> str:
        """ARN of a case's related item."""
        return f"{self.case(domain_id, case_id)}/related-item/{related_item_id}"

    def field(self, domain_id: str, field_id: str) -> str:
        """ARN of a field."""
        return f"{self.domain(domain_id)}/field/{field_id}"

    def template(self, domain_id: str, template_id: str) -> str:
        """ARN of a template."""
        return f"{self.domain(domain_id)}/template/{template_id}"

    def layout(self, domain_id: str, layout_id: str) -> str:
        """ARN of a layout."""
        return f"{self.domain(domain_id)}/layout/{layout_id}"

    def principal(self, access_key_id: str) -> str:
        """IAM principal recorded in audit events for the caller's access key."""
        return f"arn:aws:iam::{self.account_id}:user/{access_key_id}"
