from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
import yaml
from botocore.stub import Stubber

from cases.backend import CaseDraft
from cases.connect.factory import build_connect_backend, get_connect_client
from cases.connect.settings import ConnectSettings, get_connect_settings
from cases.provision.cli import main
from cases.settings import CaseSettings
from sandbox.settings import SandboxSettings

REPO = Path(__file__).resolve().parents[3]
DOMAIN_FILE = REPO / "data" / "connect_cases" / "domain.yaml"
TEMPLATE_FILE = REPO / "data" / "case_template.yaml"
READS = {
    "ListDomains",
    "GetDomain",
    "ListFields",
    "BatchGetField",
    "ListFieldOptions",
    "ListLayouts",
    "GetLayout",
    "ListTemplates",
    "GetTemplate",
}


@pytest.fixture
def fresh(
    tmp_path: Path,
    start_sandbox: Callable[[SandboxSettings], Any],
    sandbox_settings: Callable[..., SandboxSettings],
) -> Any:
    """A sandbox with no domain at all."""
    return start_sandbox(sandbox_settings(tmp_path / "db.sqlite3", None))


@pytest.fixture
def seeded(
    tmp_path: Path,
    start_sandbox: Callable[[SandboxSettings], Any],
    sandbox_settings: Callable[..., SandboxSettings],
) -> Any:
    """A sandbox seeded from data/connect_cases/domain.yaml."""
    return start_sandbox(sandbox_settings(tmp_path / "db.sqlite3"))


def run(sandbox: Any, *args: str, connect: Any = None) -> tuple[int, str]:
    out = io.StringIO()
    argv = ["connect", *args, "--file", str(DOMAIN_FILE)]
    code = main(argv, cases=sandbox.client(), connect=connect, out=out)
    return code, out.getvalue()


def env_values(output: str) -> dict[str, str]:
    return dict(
        line.split("=", 1) for line in output.splitlines() if line.startswith("CONNECT_CASES_")
    )


def calls(sandbox: Any) -> dict[str, int]:
    counted: dict[str, int] = httpx.get(f"{sandbox.url}/_sandbox/calls").json()["connectcases"]
    return counted


def reset_calls(sandbox: Any) -> None:
    httpx.post(f"{sandbox.url}/_sandbox/calls/reset")


@pytest.fixture
def sandbox_environment(fresh: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The environment the action server would have, pointed at the fresh sandbox."""
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "sandbox")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "sandbox")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("CONNECT_CASES_ENDPOINT_URL", f"{fresh.url}/connectcases")
    for cached in (get_connect_settings, get_connect_client):
        cached.cache_clear()
    yield
    for cached in (get_connect_settings, get_connect_client):
        cached.cache_clear()


async def test_apply_makes_a_domain_the_case_backend_files_cases_into(
    fresh: Any, sandbox_environment: None
) -> None:
    out = io.StringIO()

    code = main(["connect", "--apply", "--file", str(DOMAIN_FILE)], out=out)

    assert code == 0, out.getvalue()
    ids = env_values(out.getvalue())
    settings = ConnectSettings(
        connect_cases_domain_id=ids["CONNECT_CASES_DOMAIN_ID"],
        connect_cases_template_id=ids["CONNECT_CASES_TEMPLATE_ID"],
    )
    cases = CaseSettings(case_template_file=TEMPLATE_FILE)
    backend = build_connect_backend(cases, settings, fresh.client())
    draft = CaseDraft(
        title="Router keeps dropping",
        description="The router restarts every hour since Monday.",
        contact="+447911123456",
        priority="High",
        origin="WhatsApp",
        conversation_id="conv-1",
        channel="whatsapp",
    )

    case = await backend.create_case(draft, "provisioned-1")
    template = await backend.get_template()

    assert case.ref.isdigit() and len(case.ref) == 8
    assert case.title == "Router keeps dropping"
    assert {name for name, field in template.fields.items() if field.required} == {
        "title",
        "description",
        "contact",
        "priority",
    }
    assert template.fields["origin"].options == ("webchat", "WhatsApp", "Voice", "Email")


def test_second_apply_changes_nothing_and_only_reads(fresh: Any) -> None:
    first_code, first = run(fresh, "--apply")
    reset_calls(fresh)

    code, output = run(fresh, "--apply")

    assert (first_code, code) == (0, 0)
    assert "Nothing changed" in output
    assert env_values(output) == env_values(first)
    counted = calls(fresh)
    assert set(counted) <= READS, counted
    assert {"ListFields", "GetTemplate", "GetLayout"} <= set(counted)


def test_dry_run_on_an_empty_service_plans_everything_and_creates_nothing(fresh: Any) -> None:
    code, output = run(fresh, "--dry-run")

    assert code == 0
    assert calls(fresh) == {"ListDomains": 1}
    assert fresh.client().list_domains()["domains"] == []
    assert "create   domain casebot" in output
    assert "create   template Customer case" in output
    assert "CONNECT_CASES_DOMAIN_ID=" not in output


def test_seeded_sandbox_already_matches_the_file(seeded: Any) -> None:
    spec = yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))

    code, output = run(seeded, "--apply")

    assert code == 0
    assert "Nothing changed" in output
    assert set(calls(seeded)) <= READS
    assert env_values(output) == {
        "CONNECT_CASES_DOMAIN_ID": spec["domain"]["domainId"],
        "CONNECT_CASES_TEMPLATE_ID": spec["template"]["templateId"],
    }


def test_changed_options_are_put_back_as_the_file_says(seeded: Any, ids: Any) -> None:
    client = seeded.client()
    client.batch_put_field_options(
        domainId=ids.domain,
        fieldId=ids.priority,
        options=[
            {"name": "Critical", "value": "Critical", "active": False},
            {"name": "Urgent", "value": "Urgent", "active": True},
        ],
    )
    reset_calls(seeded)

    code, output = run(seeded, "--apply")

    options = client.list_field_options(domainId=ids.domain, fieldId=ids.priority)["options"]
    assert code == 0
    assert "put      options of Priority: reactivate Critical; deactivate Urgent" in output
    assert [o["value"] for o in options if o["active"]] == ["Low", "Medium", "High", "Critical"]
    assert {o["value"]: o["active"] for o in options}["Urgent"] is False
    assert set(calls(seeded)) - READS == {"BatchPutFieldOptions"}


def test_type_mismatch_exits_1_and_changes_nothing(
    tmp_path: Path,
    start_sandbox: Callable[[SandboxSettings], Any],
    sandbox_settings: Callable[..., SandboxSettings],
) -> None:
    spec = yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))
    spec["custom_fields"][2].update(type="Text")
    del spec["custom_fields"][2]["options"]
    seed = tmp_path / "seed.yaml"
    seed.write_text(yaml.safe_dump(spec), encoding="utf-8")
    sandbox = start_sandbox(sandbox_settings(tmp_path / "db.sqlite3", seed))
    reset_calls(sandbox)

    code, output = run(sandbox, "--apply")

    assert code == 1
    assert "ERROR    field Priority is Text in the domain but SingleSelect in the file" in output
    assert set(calls(sandbox)) <= READS


def test_instance_id_attaches_the_domain_to_amazon_connect(
    seeded: Any, ids: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    connect = boto3.client(
        "connect", region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t"
    )
    domain_arn = f"arn:aws:cases:us-east-1:123456789012:domain/{ids.domain}"
    with Stubber(connect) as stubber:
        stubber.add_response(
            "list_integration_associations",
            {"IntegrationAssociationSummaryList": []},
            {"InstanceId": "inst-1", "IntegrationType": "CASES_DOMAIN", "MaxResults": 100},
        )
        stubber.add_response(
            "create_integration_association",
            {"IntegrationAssociationId": "assoc-1", "IntegrationAssociationArn": "arn:a"},
            {
                "InstanceId": "inst-1",
                "IntegrationType": "CASES_DOMAIN",
                "IntegrationArn": domain_arn,
            },
        )
        stubber.add_response(
            "create_use_case",
            {"UseCaseId": "uc-1", "UseCaseArn": "arn:u"},
            {
                "InstanceId": "inst-1",
                "IntegrationAssociationId": "assoc-1",
                "UseCaseType": "RULES_EVALUATION",
            },
        )

        code, output = run(seeded, "--apply", "--instance-id", "inst-1", connect=connect)

        stubber.assert_no_pending_responses()
    assert code == 0, output
    assert "created  integration association CASES_DOMAIN on instance inst-1: assoc-1" in output
    assert "created  use case RULES_EVALUATION" in output
    assert "Done: 2 change(s) made." in output


def test_new_domain_lacking_a_system_field_the_file_names_stops_before_building_on_it(
    fresh: Any, tmp_path: Path
) -> None:
    spec = yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))
    spec["system_fields"].append({"fieldId": "sla", "name": "Next SLA breach", "type": "DateTime"})
    domain_file = tmp_path / "domain.yaml"
    domain_file.write_text(yaml.safe_dump(spec), encoding="utf-8")
    out = io.StringIO()

    code = main(["connect", "--apply", "--file", str(domain_file)], cases=fresh.client(), out=out)

    output = out.getvalue()
    assert code == 1
    assert "created  domain casebot" in output
    assert "ERROR    system field Next SLA breach is missing from the domain" in output
    assert set(calls(fresh)) - READS == {"CreateDomain"}
