"""A case's customer is a profile in the Cases domain's own account and region.

The sandbox here pretends to be account 444455556666 in eu-west-2, not the placeholder
``AWS_ACCOUNT_ID`` default: the profile ARN must come from the domain's ARN (GetDomain), and the
Connect Cases stand-in refuses a ``customer_id`` from another account or region, as AWS does.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from botocore.exceptions import ClientError

from cases.backend import CaseDraft
from cases.connect.backend import ConnectCasesBackend
from cases.connect.domain import CasesDomain
from cases.connect.profiles import build_profile_resolver
from cases.connect.settings import ConnectSettings
from cases.template import load_template_spec
from sandbox.settings import SandboxSettings

REPO = Path(__file__).resolve().parents[4]
SEED_FILE = REPO / "data" / "connect_cases" / "domain.yaml"
SPEC = load_template_spec(REPO / "data" / "case_template.yaml")
ACCOUNT, REGION = "444455556666", "eu-west-2"


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory: pytest.TempPathFactory, start_sandbox: Any) -> Any:
    settings = SandboxSettings(
        db_path=tmp_path_factory.mktemp("elsewhere") / "db.sqlite3",
        seed_file=SEED_FILE,
        aws_account_id=ACCOUNT,
        region=REGION,
    )
    return start_sandbox(settings)


def seeded_ids() -> tuple[str, str]:
    seed = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
    return seed["domain"]["domainId"], seed["template"]["templateId"]


def draft(contact: str) -> CaseDraft:
    return CaseDraft(
        title="Card declined",
        description="My card is declined everywhere.",
        contact=contact,
        priority="High",
        origin="webchat",
        conversation_id=f"webchat:{uuid.uuid4().hex[:10]}",
        channel="webchat",
        # only a verified contact is looked up in Customer Profiles
        contact_verified=True,
    )


def cases_calls(sandbox: Any) -> dict[str, int]:
    counted: dict[str, int] = httpx.get(f"{sandbox.url}/_sandbox/calls").json()["connectcases"]
    return {operation: n for operation, n in counted.items() if n}


async def test_the_profile_arn_names_the_domains_account_and_region_not_the_setting(
    elsewhere: Any, make_profiles_client: Callable[..., Any]
) -> None:
    client = elsewhere.client()
    domain_id, template_id = seeded_ids()
    domain = CasesDomain(client, domain_id)
    # AWS_ACCOUNT_ID left at its default: it is not what the ARN is made from
    settings = ConnectSettings(customer_profiles_domain="casebot")
    customers = build_profile_resolver(settings, make_profiles_client(elsewhere.url), domain)
    backend = ConnectCasesBackend(
        client, domain_id, template_id, spec=SPEC, customers=customers, domain=domain
    )
    httpx.post(f"{elsewhere.url}/_sandbox/calls/reset")

    first = await backend.create_case(draft(f"{uuid.uuid4().hex[:10]}@example.com"), "k-1")
    second = await backend.create_case(draft(f"{uuid.uuid4().hex[:10]}@example.com"), "k-2")

    for case in (first, second):
        assert case.customer_id is not None
        assert case.customer_id.startswith(f"arn:aws:profile:{REGION}:{ACCOUNT}:domains/casebot/")
    # the domain's ARN is asked for once
    assert cases_calls(elsewhere)["GetDomain"] == 1


@pytest.mark.parametrize(
    "place", [f"{REGION}:123456789012", f"us-east-1:{ACCOUNT}"], ids=["account", "region"]
)
def test_the_stand_in_refuses_a_customer_from_another_account_or_region(
    elsewhere: Any, place: str
) -> None:
    client = elsewhere.client()
    domain_id, template_id = seeded_ids()
    fields = [
        {"id": "title", "value": {"stringValue": "t"}},
        {
            "id": "customer_id",
            "value": {"stringValue": f"arn:aws:profile:{place}:domains/c/profiles/p"},
        },
    ]

    with pytest.raises(ClientError) as caught:
        client.create_case(domainId=domain_id, templateId=template_id, fields=fields)

    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "region and account" in caught.value.response["Error"]["Message"]
