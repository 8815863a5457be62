"""The Amazon Connect stand-in's instance: queues, and a Cases domain attached by provisioning.

``python -m cases.provision connect --apply --instance-id ...`` runs end to end against the
sandbox here: the domain goes into the Connect Cases stand-in, its integration association and
use case into the Amazon Connect one, through real boto3 clients.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.validate import ParamValidator

from cases.provision.cli import main
from sandbox.aws.wire import constraint_errors
from sandbox.connect.instance import SEEDED_QUEUES
from sandbox.settings import SandboxSettings

REPO = Path(__file__).resolve().parents[4]
DOMAIN_FILE = REPO / "data" / "connect_cases" / "domain.yaml"
INSTANCE = "5e1c0a7d-3b2f-4c6e-9a8d-2f4b6c8e0a13"


@pytest.fixture
def fresh(
    tmp_path: Path,
    start_sandbox: Callable[[SandboxSettings], Any],
    sandbox_settings: Callable[..., SandboxSettings],
) -> Any:
    """A sandbox with no Cases domain and no association."""
    return start_sandbox(sandbox_settings(tmp_path / "db.sqlite3", None))


def connect_client(sandbox: Any) -> Any:
    return boto3.client(
        "connect",
        endpoint_url=f"{sandbox.url}/connect",
        region_name="us-east-1",
        aws_access_key_id="sandbox",
        aws_secret_access_key="sandbox",
        config=Config(retries={"max_attempts": 1}),
    )


def check_output(client: Any, operation: str, response: dict[str, Any]) -> None:
    shape = client.meta.service_model.operation_model(operation).output_shape
    body = {key: value for key, value in response.items() if key != "ResponseMetadata"}
    report = ParamValidator().validate(body, shape)
    assert not report.has_errors(), report.generate_report()
    assert list(constraint_errors(body, shape, "")) == []


def provision(sandbox: Any, connect: Any) -> tuple[int, str]:
    out = io.StringIO()
    argv = ["connect", "--apply", "--instance-id", INSTANCE, "--file", str(DOMAIN_FILE)]
    code = main(argv, cases=sandbox.client(), connect=connect, out=out)
    return code, out.getvalue()


def test_provisioning_attaches_the_domain_to_the_instance_end_to_end(fresh: Any) -> None:
    connect = connect_client(fresh)

    code, output = provision(fresh, connect)

    assert code == 0, output
    domain_id = next(
        line.split("=", 1)[1]
        for line in output.splitlines()
        if line.startswith("CONNECT_CASES_DOMAIN_ID=")
    )
    domain_arn = fresh.client().get_domain(domainId=domain_id)["domainArn"]
    found = connect.list_integration_associations(
        InstanceId=INSTANCE, IntegrationType="CASES_DOMAIN"
    )
    check_output(connect, "ListIntegrationAssociations", found)
    [association] = found["IntegrationAssociationSummaryList"]
    assert association["IntegrationArn"] == domain_arn
    use_cases = connect.list_use_cases(
        InstanceId=INSTANCE, IntegrationAssociationId=association["IntegrationAssociationId"]
    )
    check_output(connect, "ListUseCases", use_cases)
    assert [u["UseCaseType"] for u in use_cases["UseCaseSummaryList"]] == ["RULES_EVALUATION"]
    fields = fresh.client().list_fields(domainId=domain_id, maxResults=100)["fields"]
    description = next(f for f in fields if f["name"] == "Description")
    assert description["attributes"] == {"text": {"isMultiline": True}}


def test_second_run_finds_the_association_and_creates_nothing(fresh: Any) -> None:
    connect = connect_client(fresh)
    first_code, first = provision(fresh, connect)

    code, output = provision(fresh, connect)

    assert (first_code, code) == (0, 0), first + output
    assert "Nothing changed" in output
    found = connect.list_integration_associations(InstanceId=INSTANCE)
    assert len(found["IntegrationAssociationSummaryList"]) == 1


def test_duplicates_are_409_duplicate_resource_exception(fresh: Any) -> None:
    connect = connect_client(fresh)
    arn = "arn:aws:cases:us-east-1:123456789012:domain/d-1"
    created = connect.create_integration_association(
        InstanceId=INSTANCE, IntegrationType="CASES_DOMAIN", IntegrationArn=arn
    )
    check_output(connect, "CreateIntegrationAssociation", created)
    association = created["IntegrationAssociationId"]
    use_case = connect.create_use_case(
        InstanceId=INSTANCE, IntegrationAssociationId=association, UseCaseType="RULES_EVALUATION"
    )
    check_output(connect, "CreateUseCase", use_case)

    with pytest.raises(ClientError) as again:
        connect.create_use_case(
            InstanceId=INSTANCE,
            IntegrationAssociationId=association,
            UseCaseType="RULES_EVALUATION",
        )
    with pytest.raises(ClientError) as second_domain:
        connect.create_integration_association(
            InstanceId=INSTANCE, IntegrationType="CASES_DOMAIN", IntegrationArn=arn + "x"
        )

    for caught in (again, second_domain):
        error = caught.value.response
        assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == (
            "DuplicateResourceException",
            409,
        )


def test_list_queues_serves_the_seeded_queues_with_ids(fresh: Any) -> None:
    connect = connect_client(fresh)

    found = connect.list_queues(InstanceId=INSTANCE, QueueTypes=["STANDARD"])

    check_output(connect, "ListQueues", found)
    assert {q["Name"]: q["Id"] for q in found["QueueSummaryList"]} == SEEDED_QUEUES
    assert connect.list_queues(InstanceId=INSTANCE, QueueTypes=["AGENT"])["QueueSummaryList"] == []
