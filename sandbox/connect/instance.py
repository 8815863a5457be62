"""ListQueues, and the integration associations and use cases that attach a Cases domain.

Any instance id names an instance (as for files); each serves the same seeded standard queues,
whose ids are fixed so that a case can be put on one by id. An instance takes one
``CASES_DOMAIN`` association; a second one for the same domain, or a use case type the
association already has, is a DuplicateResourceException (409) as on AWS.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from sandbox.aws.pagination import paginate
from sandbox.aws.service import Call
from sandbox.connect.errors import (
    DuplicateResourceException,
    InvalidRequestException,
    ResourceNotFoundException,
)

#: name -> id of the standard queues every instance has; ``casebot-handoff`` is HANDOFF_QUEUE's
SEEDED_QUEUES: dict[str, str] = {
    "BasicQueue": "0b6a1f4e-8c2d-4e9a-b7f3-5d1c9e2a4b60",
    "casebot-handoff": "7c3e9a51-2f4b-4d8e-a6c0-1b9d5e7f3a22",
}
_CASES_DOMAIN_ARN = re.compile(r"arn:aws[\w-]*:cases:[\w-]+:\d{12}:domain/[^/]+")
_DEFAULT_PAGE = 100


@dataclass
class _Association:
    association_id: str
    integration_arn: str
    use_cases: dict[str, str] = field(default_factory=dict)


class InstanceStore:
    """Queues and Cases associations of every instance; safe across request threads."""

    def __init__(self, region: str, account_id: str) -> None:
        self._region = region
        self._account_id = account_id
        self._associations: dict[str, list[_Association]] = {}
        self._lock = threading.Lock()

    def list_queues(self, call: Call) -> dict[str, Any]:
        """ListQueues: the seeded standard queues (there are no agent queues)."""
        params = call.params
        types = params.get("QueueTypes") or ["STANDARD"]
        queues = sorted(SEEDED_QUEUES.items()) if "STANDARD" in types else []
        page, next_token, _ = paginate(
            queues,
            max_results=params.get("MaxResults") or _DEFAULT_PAGE,
            token=params.get("NextToken"),
            query=["queues", params["InstanceId"], sorted(types)],
        )
        arn = self._instance_arn(params["InstanceId"])
        answer: dict[str, Any] = {
            "QueueSummaryList": [
                {
                    "Id": queue_id,
                    "Arn": f"{arn}/queue/{queue_id}",
                    "Name": name,
                    "QueueType": "STANDARD",
                    "LastModifiedTime": datetime(2026, 1, 1, tzinfo=UTC).isoformat(),
                    "LastModifiedRegion": self._region,
                }
                for name, queue_id in page
            ]
        }
        if next_token:
            answer["NextToken"] = next_token
        return answer

    def create_integration_association(self, call: Call) -> dict[str, Any]:
        """CreateIntegrationAssociation: a ``CASES_DOMAIN`` association only."""
        params = call.params
        if params["IntegrationType"] != "CASES_DOMAIN":
            raise InvalidRequestException("The sandbox serves the CASES_DOMAIN integration only")
        integration_arn = params.get("IntegrationArn") or ""
        if not _is_domain_arn(integration_arn):
            raise InvalidRequestException("IntegrationArn must be a Connect Cases domain ARN")
        instance = params["InstanceId"]
        with self._lock:
            associations = self._associations.setdefault(instance, [])
            if associations:
                raise DuplicateResourceException("The instance already has a Cases domain")
            association = _Association(str(uuid4()), integration_arn)
            associations.append(association)
        return {
            "IntegrationAssociationId": association.association_id,
            "IntegrationAssociationArn": self._association_arn(instance, association),
        }

    def list_integration_associations(self, call: Call) -> dict[str, Any]:
        """ListIntegrationAssociations, of one type when ``IntegrationType`` is given."""
        params = call.params
        instance = params["InstanceId"]
        wanted = params.get("IntegrationType")
        with self._lock:
            found = list(self._associations.get(instance, []))
        if wanted not in (None, "CASES_DOMAIN"):
            found = []
        page, next_token, _ = paginate(
            found,
            max_results=params.get("MaxResults") or _DEFAULT_PAGE,
            token=params.get("NextToken"),
            query=["associations", instance, wanted],
        )
        answer: dict[str, Any] = {
            "IntegrationAssociationSummaryList": [
                {
                    "IntegrationAssociationId": a.association_id,
                    "IntegrationAssociationArn": self._association_arn(instance, a),
                    "InstanceId": instance,
                    "IntegrationType": "CASES_DOMAIN",
                    "IntegrationArn": a.integration_arn,
                }
                for a in page
            ]
        }
        if next_token:
            answer["NextToken"] = next_token
        return answer

    def create_use_case(self, call: Call) -> dict[str, Any]:
        """CreateUseCase: one of each type per association."""
        params = call.params
        use_case_type: str = params["UseCaseType"]
        with self._lock:
            association = self._association(params)
            if use_case_type in association.use_cases:
                raise DuplicateResourceException(
                    f"The association already has a {use_case_type} use case"
                )
            use_case_id = str(uuid4())
            association.use_cases[use_case_type] = use_case_id
        return {
            "UseCaseId": use_case_id,
            "UseCaseArn": self._use_case_arn(params["InstanceId"], association, use_case_id),
        }

    def list_use_cases(self, call: Call) -> dict[str, Any]:
        """ListUseCases of one association."""
        params = call.params
        with self._lock:
            association = self._association(params)
            use_cases = sorted(association.use_cases.items())
        page, next_token, _ = paginate(
            use_cases,
            max_results=params.get("MaxResults") or _DEFAULT_PAGE,
            token=params.get("NextToken"),
            query=["use-cases", params["InstanceId"], association.association_id],
        )
        answer: dict[str, Any] = {
            "UseCaseSummaryList": [
                {
                    "UseCaseId": use_case_id,
                    "UseCaseArn": self._use_case_arn(
                        params["InstanceId"], association, use_case_id
                    ),
                    "UseCaseType": use_case_type,
                }
                for use_case_type, use_case_id in page
            ]
        }
        if next_token:
            answer["NextToken"] = next_token
        return answer

    def _association(self, params: dict[str, Any]) -> _Association:
        wanted = params["IntegrationAssociationId"]
        for association in self._associations.get(params["InstanceId"], []):
            if association.association_id == wanted:
                return association
        raise ResourceNotFoundException("No such integration association on this instance")

    def _instance_arn(self, instance: str) -> str:
        return f"arn:aws:connect:{self._region}:{self._account_id}:instance/{instance}"

    def _association_arn(self, instance: str, association: _Association) -> str:
        association_id = association.association_id
        return f"{self._instance_arn(instance)}/integration-association/{association_id}"

    def _use_case_arn(self, instance: str, association: _Association, use_case_id: str) -> str:
        return f"{self._association_arn(instance, association)}/use-case/{use_case_id}"


def _is_domain_arn(arn: str) -> bool:
    return _CASES_DOMAIN_ARN.fullmatch(arn) is not None
