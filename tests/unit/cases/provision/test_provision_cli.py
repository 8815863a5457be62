from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from cases.connect.settings import get_connect_settings
from cases.provision.apply import create_domain
from cases.provision.cli import EXIT_USAGE, connect_client, main
from cases.provision.state import ProvisionError, find_domain, wait_until_active

REPO = Path(__file__).resolve().parents[4]
DOMAIN_FILE = REPO / "data" / "connect_cases" / "domain.yaml"
DOMAIN_ARN = "arn:aws:cases:us-east-1:123456789012:domain/dom-1"


@pytest.fixture
def cases(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return boto3.client(
        "connectcases",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def stubber(cases: Any) -> Iterator[Stubber]:
    with Stubber(cases) as stub:
        yield stub
        stub.assert_no_pending_responses()


def domain(status: str) -> dict[str, Any]:
    return {
        "domainId": "dom-1",
        "domainArn": DOMAIN_ARN,
        "name": "casebot",
        "createdTime": "2024-05-01T10:00:00Z",
        "domainStatus": status,
    }


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["connect"],
        ["connect", "--dry-run", "--apply"],
        ["aicc", "--dry-run"],
        ["connect", "--apply", "--bogus"],
    ],
)
def test_bad_command_lines_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == EXIT_USAGE
    assert "usage:" in capsys.readouterr().err


def test_unreadable_domain_file_exits_2_before_calling_anything(
    tmp_path: Path, cases: Any, stubber: Stubber
) -> None:
    out, err = io.StringIO(), io.StringIO()

    code = main(
        ["connect", "--dry-run", "--file", str(tmp_path / "none.yaml")],
        cases=cases,
        out=out,
        err=err,
    )

    assert code == 2
    assert "cannot read" in err.getvalue() and out.getvalue() == ""


def test_service_refusing_a_read_exits_1_with_its_error(cases: Any, stubber: Stubber) -> None:
    stubber.add_client_error(
        "list_domains", service_error_code="AccessDeniedException", http_status_code=403
    )
    out, err = io.StringIO(), io.StringIO()

    code = main(["connect", "--dry-run", "--file", str(DOMAIN_FILE)], cases=cases, out=out, err=err)

    assert code == 1
    assert "AccessDeniedException" in err.getvalue()


def test_domain_being_created_is_waited_for_until_active(cases: Any, stubber: Stubber) -> None:
    stubber.add_response("create_domain", {**_created("CreationInProgress")}, {"name": "casebot"})
    stubber.add_response("get_domain", domain("CreationInProgress"), {"domainId": "dom-1"})
    stubber.add_response("get_domain", domain("Active"), {"domainId": "dom-1"})
    slept: list[float] = []

    ref = wait_until_active(cases, create_domain(cases, "casebot"), sleep=slept.append)

    assert (ref.status, ref.domain_arn) == ("Active", DOMAIN_ARN)
    assert slept == [5.0, 5.0]


def test_domain_that_failed_to_build_stops_provisioning(cases: Any, stubber: Stubber) -> None:
    stubber.add_response("create_domain", {**_created("CreationInProgress")}, {"name": "casebot"})
    stubber.add_response("get_domain", domain("CreationFailed"), {"domainId": "dom-1"})

    with pytest.raises(ProvisionError, match="CreationFailed"):
        wait_until_active(cases, create_domain(cases, "casebot"), sleep=lambda _: None)


def test_domain_still_building_after_the_timeout_stops_provisioning(
    cases: Any, stubber: Stubber
) -> None:
    stubber.add_response("create_domain", {**_created("CreationInProgress")}, {"name": "casebot"})
    stubber.add_response("get_domain", domain("CreationInProgress"), {"domainId": "dom-1"})

    with pytest.raises(ProvisionError, match="CreationInProgress"):
        wait_until_active(
            cases,
            create_domain(cases, "casebot"),
            timeout_seconds=5,
            poll_seconds=5,
            sleep=lambda _: None,
        )


def _created(status: str) -> dict[str, str]:
    return {"domainId": "dom-1", "domainArn": DOMAIN_ARN, "domainStatus": status}


def test_amazon_connect_client_honours_its_endpoint_and_the_region(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONNECT_ENDPOINT_URL", "http://127.0.0.1:9999/connect")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    get_connect_settings.cache_clear()
    try:
        client = connect_client()
    finally:
        get_connect_settings.cache_clear()

    assert client.meta.service_model.service_name == "connect"
    assert client.meta.endpoint_url == "http://127.0.0.1:9999/connect"
    assert client.meta.region_name == "eu-west-2"


def test_domain_is_found_by_name_across_pages(cases: Any, stubber: Stubber) -> None:
    other = {"domainId": "dom-0", "domainArn": "arn:aws:cases:us-east-1:1:domain/dom-0"}
    stubber.add_response(
        "list_domains",
        {"domains": [{**other, "name": "other"}], "nextToken": "p2"},
        {"maxResults": 10},
    )
    stubber.add_response(
        "list_domains",
        {"domains": [{"domainId": "dom-1", "domainArn": DOMAIN_ARN, "name": "casebot"}]},
        {"maxResults": 10, "nextToken": "p2"},
    )
    stubber.add_response("get_domain", domain("Active"), {"domainId": "dom-1"})

    ref = find_domain(cases, "casebot")

    assert ref is not None and (ref.domain_id, ref.status) == ("dom-1", "Active")


def test_two_domains_with_the_name_stop_provisioning(cases: Any, stubber: Stubber) -> None:
    twins = [
        {"domainId": f"dom-{i}", "domainArn": f"arn:aws:cases:us-east-1:1:domain/dom-{i}"}
        for i in (1, 2)
    ]
    stubber.add_response(
        "list_domains", {"domains": [{**t, "name": "casebot"} for t in twins]}, {"maxResults": 10}
    )

    with pytest.raises(ProvisionError, match="dom-1, dom-2"):
        find_domain(cases, "casebot")
