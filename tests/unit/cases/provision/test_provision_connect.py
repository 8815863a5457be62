from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from cases.provision.connect import (
    AddUseCase,
    AssociateDomain,
    Association,
    IntegrationDone,
    plan_integration,
    provision_integration,
)

INSTANCE = "11111111-2222-3333-4444-555555555555"
DOMAIN_ARN = "arn:aws:cases:us-east-1:123456789012:domain/dom-1"
OTHER_ARN = "arn:aws:cases:us-east-1:123456789012:domain/dom-2"
ASSOCIATION = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
LIST_ASSOCIATIONS = {"InstanceId": INSTANCE, "IntegrationType": "CASES_DOMAIN", "MaxResults": 100}
LIST_USE_CASES = {
    "InstanceId": INSTANCE,
    "IntegrationAssociationId": ASSOCIATION,
    "MaxResults": 100,
}
CREATE_USE_CASE = {
    "InstanceId": INSTANCE,
    "IntegrationAssociationId": ASSOCIATION,
    "UseCaseType": "RULES_EVALUATION",
}


@pytest.fixture
def connect(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return boto3.client(
        "connect",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def stubber(connect: Any) -> Iterator[Stubber]:
    with Stubber(connect) as stub:
        yield stub
        stub.assert_no_pending_responses()


def summary(arn: str, association_id: str = ASSOCIATION) -> dict[str, Any]:
    return {
        "IntegrationAssociationId": association_id,
        "IntegrationAssociationArn": f"arn:aws:connect:us-east-1:123456789012:instance/{INSTANCE}"
        f"/integration-association/{association_id}",
        "InstanceId": INSTANCE,
        "IntegrationType": "CASES_DOMAIN",
        "IntegrationArn": arn,
    }


def associations(stubber: Stubber, *items: dict[str, Any]) -> None:
    stubber.add_response(
        "list_integration_associations",
        {"IntegrationAssociationSummaryList": list(items)},
        LIST_ASSOCIATIONS,
    )


def use_cases(stubber: Stubber, *types: str) -> None:
    stubber.add_response(
        "list_use_cases",
        {
            "UseCaseSummaryList": [
                {"UseCaseId": f"uc-{t}", "UseCaseArn": f"arn:uc/{t}", "UseCaseType": t}
                for t in types
            ]
        },
        LIST_USE_CASES,
    )


def test_unattached_instance_gets_the_association_then_the_use_case(
    connect: Any, stubber: Stubber
) -> None:
    associations(stubber)
    stubber.add_response(
        "create_integration_association",
        {"IntegrationAssociationId": ASSOCIATION, "IntegrationAssociationArn": "arn:assoc"},
        {"InstanceId": INSTANCE, "IntegrationType": "CASES_DOMAIN", "IntegrationArn": DOMAIN_ARN},
    )
    stubber.add_response(
        "create_use_case", {"UseCaseId": "uc-1", "UseCaseArn": "arn:uc/1"}, CREATE_USE_CASE
    )

    outcome = provision_integration(connect, INSTANCE, DOMAIN_ARN, apply=True)

    assert outcome.ok
    assert outcome.done == [
        IntegrationDone(AssociateDomain(INSTANCE), ASSOCIATION),
        IntegrationDone(AddUseCase(INSTANCE, None), "uc-1"),
    ]


def test_dry_run_only_lists(connect: Any, stubber: Stubber) -> None:
    associations(stubber)

    outcome = provision_integration(connect, INSTANCE, DOMAIN_ARN, apply=False)

    assert outcome.plan.steps == (AssociateDomain(INSTANCE), AddUseCase(INSTANCE, None))
    assert (outcome.applied, outcome.done) == (False, [])


def test_existing_association_and_use_case_are_reported_not_duplicated(
    connect: Any, stubber: Stubber
) -> None:
    associations(stubber, summary(DOMAIN_ARN))
    use_cases(stubber, "CONNECT_CAMPAIGNS", "RULES_EVALUATION")

    outcome = provision_integration(connect, INSTANCE, DOMAIN_ARN, apply=True)

    assert outcome.ok and outcome.done == []
    assert outcome.plan.kept == (
        f"integration association {ASSOCIATION}",
        "use case RULES_EVALUATION",
    )


def test_existing_association_without_the_use_case_gets_only_the_use_case(
    connect: Any, stubber: Stubber
) -> None:
    associations(stubber, summary(DOMAIN_ARN))
    use_cases(stubber, "CONNECT_CAMPAIGNS")
    stubber.add_response(
        "create_use_case", {"UseCaseId": "uc-2", "UseCaseArn": "arn:uc/2"}, CREATE_USE_CASE
    )

    outcome = provision_integration(connect, INSTANCE, DOMAIN_ARN, apply=True)

    assert outcome.ok
    assert outcome.done == [IntegrationDone(AddUseCase(INSTANCE, ASSOCIATION), "uc-2")]


def test_duplicate_use_case_409_counts_as_already_there(connect: Any, stubber: Stubber) -> None:
    associations(stubber, summary(DOMAIN_ARN))
    use_cases(stubber)
    stubber.add_client_error(
        "create_use_case",
        service_error_code="DuplicateResourceException",
        service_message="A use case of this type already exists",
        http_status_code=409,
        expected_params=CREATE_USE_CASE,
    )

    outcome = provision_integration(connect, INSTANCE, DOMAIN_ARN, apply=True)

    assert outcome.ok and outcome.failure is None
    assert outcome.done == [IntegrationDone(AddUseCase(INSTANCE, ASSOCIATION), None, already=True)]


def test_duplicate_association_409_is_found_again_and_used(connect: Any, stubber: Stubber) -> None:
    associations(stubber)
    stubber.add_client_error(
        "create_integration_association",
        service_error_code="DuplicateResourceException",
        http_status_code=409,
        expected_params={
            "InstanceId": INSTANCE,
            "IntegrationType": "CASES_DOMAIN",
            "IntegrationArn": DOMAIN_ARN,
        },
    )
    associations(stubber, summary(DOMAIN_ARN))
    stubber.add_client_error(
        "create_use_case",
        service_error_code="DuplicateResourceException",
        http_status_code=409,
        expected_params=CREATE_USE_CASE,
    )

    outcome = provision_integration(connect, INSTANCE, DOMAIN_ARN, apply=True)

    assert outcome.ok
    assert outcome.done == [
        IntegrationDone(AssociateDomain(INSTANCE), ASSOCIATION, already=True),
        IntegrationDone(AddUseCase(INSTANCE, None), None, already=True),
    ]


def test_other_errors_stop_the_run_and_say_why(connect: Any, stubber: Stubber) -> None:
    associations(stubber, summary(DOMAIN_ARN))
    use_cases(stubber)
    stubber.add_client_error(
        "create_use_case",
        service_error_code="InvalidRequestException",
        http_status_code=400,
        expected_params=CREATE_USE_CASE,
    )

    outcome = provision_integration(connect, INSTANCE, DOMAIN_ARN, apply=True)

    assert not outcome.ok
    assert outcome.failure is not None and "InvalidRequestException" in outcome.failure


def test_instance_with_another_domain_is_an_error_and_nothing_is_created(
    connect: Any, stubber: Stubber
) -> None:
    associations(stubber, summary(OTHER_ARN))

    outcome = provision_integration(connect, INSTANCE, DOMAIN_ARN, apply=True)

    assert not outcome.ok and outcome.done == []
    assert OTHER_ARN in outcome.plan.errors[0]


def test_associations_are_read_across_pages(connect: Any, stubber: Stubber) -> None:
    stubber.add_response(
        "list_integration_associations",
        {"IntegrationAssociationSummaryList": [], "NextToken": "page-2"},
        LIST_ASSOCIATIONS,
    )
    stubber.add_response(
        "list_integration_associations",
        {"IntegrationAssociationSummaryList": [summary(DOMAIN_ARN)]},
        {**LIST_ASSOCIATIONS, "NextToken": "page-2"},
    )
    use_cases(stubber, "RULES_EVALUATION")

    outcome = provision_integration(connect, INSTANCE, DOMAIN_ARN, apply=True)

    assert outcome.ok and outcome.plan.steps == ()


def test_domain_not_yet_made_plans_both_steps_unless_another_is_attached() -> None:
    fresh = plan_integration(INSTANCE, None, [], frozenset())
    taken = plan_integration(INSTANCE, None, [Association("x", OTHER_ARN)], frozenset())

    assert fresh.steps == (AssociateDomain(INSTANCE), AddUseCase(INSTANCE, None))
    assert taken.steps == () and len(taken.errors) == 1
