"""Attach a Cases domain to an Amazon Connect instance: its integration association and use case.

An instance takes one Cases domain: an association (IntegrationType ``CASES_DOMAIN``) whose
IntegrationArn is the domain's ARN, with a ``RULES_EVALUATION`` use case so Connect's rules see
case events. What exists is reported and left alone; a DuplicateResourceException (409) from a
create means someone made it meanwhile, and counts as "already there".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal

from botocore.exceptions import BotoCoreError, ClientError

from cases.provision.state import ProvisionError

if TYPE_CHECKING:
    from mypy_boto3_connect.client import ConnectClient
    from mypy_boto3_connect.type_defs import (
        ListIntegrationAssociationsRequestTypeDef,
        ListUseCasesRequestTypeDef,
    )

INTEGRATION_TYPE: Final[Literal["CASES_DOMAIN"]] = "CASES_DOMAIN"
USE_CASE_TYPE: Final[Literal["RULES_EVALUATION"]] = "RULES_EVALUATION"
_PAGE = 100


@dataclass(frozen=True)
class Association:
    """A CASES_DOMAIN integration association of the instance."""

    association_id: str
    integration_arn: str


@dataclass(frozen=True)
class AssociateDomain:
    """CreateIntegrationAssociation of the domain with the instance."""

    instance_id: str


@dataclass(frozen=True)
class AddUseCase:
    """CreateUseCase RULES_EVALUATION; ``association_id`` is ``None`` for one still to be made."""

    instance_id: str
    association_id: str | None


IntegrationStep = AssociateDomain | AddUseCase


@dataclass(frozen=True)
class IntegrationPlan:
    """What to do on the instance, what is already there, and what must be fixed by hand."""

    instance_id: str
    steps: tuple[IntegrationStep, ...]
    kept: tuple[str, ...]
    errors: tuple[str, ...]


@dataclass(frozen=True)
class IntegrationDone:
    """A step carried out; ``already`` when the service said it existed."""

    step: IntegrationStep
    resource_id: str | None
    already: bool = False


@dataclass
class IntegrationOutcome:
    """What a run planned and did on the instance."""

    plan: IntegrationPlan
    applied: bool
    done: list[IntegrationDone] = field(default_factory=list)
    failure: str | None = None

    @property
    def ok(self) -> bool:
        """True when nothing is left wrong."""
        return not self.plan.errors and self.failure is None


def plan_integration(
    instance_id: str,
    domain_arn: str | None,
    associations: Sequence[Association],
    use_cases: frozenset[str],
) -> IntegrationPlan:
    """The steps that attach the domain (``None``: not made yet) to the instance.

    ``use_cases`` are the use case types of the domain's association, when it has one.
    """
    ours = next((a for a in associations if a.integration_arn == domain_arn), None)
    if ours is None:
        if associations:
            others = ", ".join(a.integration_arn for a in associations)
            return IntegrationPlan(
                instance_id,
                (),
                (),
                (
                    f"instance {instance_id} already has a Cases domain ({others}); "
                    "an instance takes one",
                ),
            )
        steps = (AssociateDomain(instance_id), AddUseCase(instance_id, None))
        return IntegrationPlan(instance_id, steps, (), ())
    kept = [f"integration association {ours.association_id}"]
    if USE_CASE_TYPE in use_cases:
        kept.append(f"use case {USE_CASE_TYPE}")
        return IntegrationPlan(instance_id, (), tuple(kept), ())
    return IntegrationPlan(
        instance_id, (AddUseCase(instance_id, ours.association_id),), tuple(kept), ()
    )


def provision_integration(
    client: ConnectClient, instance_id: str, domain_arn: str | None, *, apply: bool
) -> IntegrationOutcome:
    """Read the instance's associations, plan, and (``apply``) attach the domain."""
    associations = read_associations(client, instance_id)
    ours = next((a for a in associations if a.integration_arn == domain_arn), None)
    use_cases = read_use_cases(client, instance_id, ours.association_id) if ours else frozenset()
    plan = plan_integration(instance_id, domain_arn, associations, use_cases)
    if not apply or plan.errors:
        return IntegrationOutcome(plan, applied=False)
    outcome = IntegrationOutcome(plan, applied=True)
    if not plan.steps:
        return outcome
    if domain_arn is None:
        outcome.failure = "the domain must exist before it is attached to an instance"
        return outcome
    association_id = ours.association_id if ours else None
    try:
        for step in plan.steps:
            if isinstance(step, AssociateDomain):
                done = _associate(client, step, domain_arn)
                association_id = done.resource_id
            else:
                done = _add_use_case(client, step, association_id or step.association_id)
            outcome.done.append(done)
    except (ClientError, BotoCoreError, ProvisionError) as exc:
        outcome.failure = str(exc)
    return outcome


def read_associations(client: ConnectClient, instance_id: str) -> list[Association]:
    """The instance's CASES_DOMAIN integration associations."""
    found: list[Association] = []
    request: ListIntegrationAssociationsRequestTypeDef = {
        "InstanceId": instance_id,
        "IntegrationType": INTEGRATION_TYPE,
        "MaxResults": _PAGE,
    }
    while True:
        page = client.list_integration_associations(**request)
        found += [
            Association(item["IntegrationAssociationId"], item["IntegrationArn"])
            for item in page.get("IntegrationAssociationSummaryList", [])
            if item.get("IntegrationAssociationId") and item.get("IntegrationArn")
        ]
        if not page.get("NextToken"):
            return found
        request["NextToken"] = page["NextToken"]


def read_use_cases(client: ConnectClient, instance_id: str, association_id: str) -> frozenset[str]:
    """The use case types of an integration association."""
    types: set[str] = set()
    request: ListUseCasesRequestTypeDef = {
        "InstanceId": instance_id,
        "IntegrationAssociationId": association_id,
        "MaxResults": _PAGE,
    }
    while True:
        page = client.list_use_cases(**request)
        types.update(
            u["UseCaseType"] for u in page.get("UseCaseSummaryList", []) if "UseCaseType" in u
        )
        if not page.get("NextToken"):
            return frozenset(types)
        request["NextToken"] = page["NextToken"]


def _associate(client: ConnectClient, step: AssociateDomain, domain_arn: str) -> IntegrationDone:
    try:
        created = client.create_integration_association(
            InstanceId=step.instance_id,
            IntegrationType=INTEGRATION_TYPE,
            IntegrationArn=domain_arn,
        )
    except ClientError as exc:
        if not _duplicate(exc):
            raise
        existing = next(
            (
                a
                for a in read_associations(client, step.instance_id)
                if a.integration_arn == domain_arn
            ),
            None,
        )
        if existing is None:
            raise ProvisionError(
                f"instance {step.instance_id} refused the association as a duplicate, "
                "but lists none for this domain"
            ) from exc
        return IntegrationDone(step, existing.association_id, already=True)
    return IntegrationDone(step, created.get("IntegrationAssociationId"))


def _add_use_case(
    client: ConnectClient, step: AddUseCase, association_id: str | None
) -> IntegrationDone:
    if association_id is None:
        raise ProvisionError("no integration association to add the use case to")
    try:
        created = client.create_use_case(
            InstanceId=step.instance_id,
            IntegrationAssociationId=association_id,
            UseCaseType=USE_CASE_TYPE,
        )
    except ClientError as exc:
        if not _duplicate(exc):
            raise
        return IntegrationDone(step, None, already=True)
    return IntegrationDone(step, created.get("UseCaseId"))


def _duplicate(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "DuplicateResourceException"
