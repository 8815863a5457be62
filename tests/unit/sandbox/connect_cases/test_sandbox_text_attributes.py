"""Single-line and multi-line Text fields: 500 characters against 4,100, as Connect Cases has it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cases.backend import CaseDraft
from cases.connect.backend import ConnectCasesBackend
from cases.template import load_template_spec
from sandbox.settings import SandboxSettings

REPO = Path(__file__).resolve().parents[4]
SEED_FILE = REPO / "data" / "connect_cases" / "domain.yaml"
SPEC = load_template_spec(REPO / "data" / "case_template.yaml")


def test_the_seeded_description_is_multi_line_and_takes_4100_characters(
    client: Any, ids: Any, new_case: Callable[..., str]
) -> None:
    field = client.batch_get_field(domainId=ids.domain, fields=[{"id": ids.description}])

    assert field["fields"][0]["attributes"] == {"text": {"isMultiline": True}}
    case_id = new_case(**{ids.description: {"stringValue": "x" * 4100}})
    found = client.get_case(domainId=ids.domain, caseId=case_id, fields=[{"id": ids.description}])
    assert found["fields"][0]["value"]["stringValue"] == "x" * 4100


def test_501_characters_in_a_single_line_text_field_are_a_validation_exception(
    client: Any, ids: Any, new_case: Callable[..., str]
) -> None:
    summary = client.list_fields(domainId=ids.domain, maxResults=100)["fields"]
    contact = next(f for f in summary if f["fieldId"] == ids.contact)
    assert contact["attributes"] == {"text": {"isMultiline": False}}
    new_case(**{ids.contact: {"stringValue": "x" * 500}})

    with pytest.raises(ClientError) as caught:
        new_case(**{ids.contact: {"stringValue": "x" * 501}})

    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "single-line" in caught.value.response["Error"]["Message"]


def test_an_update_past_a_single_line_field_is_refused_too(
    client: Any, ids: Any, new_case: Callable[..., str]
) -> None:
    case_id = new_case()

    with pytest.raises(ClientError) as caught:
        client.update_case(
            domainId=ids.domain,
            caseId=case_id,
            fields=[{"id": "title", "value": {"stringValue": "t" * 501}}],
        )

    assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_create_field_keeps_is_multiline_and_update_field_changes_it(client: Any) -> None:
    domain = client.create_domain(name=f"attributes-{uuid.uuid4().hex[:8]}")["domainId"]
    field_id = client.create_field(
        domainId=domain, name="Notes", type="Text", attributes={"text": {"isMultiline": True}}
    )["fieldId"]
    created = client.batch_get_field(domainId=domain, fields=[{"id": field_id}])["fields"][0]
    assert created["attributes"] == {"text": {"isMultiline": True}}

    client.update_field(
        domainId=domain, fieldId=field_id, attributes={"text": {"isMultiline": False}}
    )

    after = client.batch_get_field(domainId=domain, fields=[{"id": field_id}])["fields"][0]
    assert after["attributes"] == {"text": {"isMultiline": False}}


def test_text_attributes_on_a_number_field_are_a_validation_exception(client: Any) -> None:
    domain = client.create_domain(name=f"attributes-{uuid.uuid4().hex[:8]}")["domainId"]

    with pytest.raises(ClientError) as caught:
        client.create_field(
            domainId=domain,
            name="Amount",
            type="Number",
            attributes={"text": {"isMultiline": True}},
        )

    assert caught.value.response["Error"]["Code"] == "ValidationException"


async def test_a_domain_whose_description_is_still_single_line_gets_it_cut_and_in_comments(
    tmp_path: Path,
    start_sandbox: Callable[[SandboxSettings], Any],
    sandbox_settings: Callable[..., SandboxSettings],
    ids: Any,
) -> None:
    seed = tmp_path / "domain.yaml"
    seed.write_text(SEED_FILE.read_text(encoding="utf-8").replace("multiline: true", ""))
    client = start_sandbox(sandbox_settings(tmp_path / "db.sqlite3", seed)).client()
    backend = ConnectCasesBackend(client, ids.domain, ids.template, spec=SPEC)
    text = "The router drops the line every evening. " * 25
    draft = CaseDraft(
        title="Router",
        description=text,
        contact="ada@example.com",
        priority="High",
        origin="WhatsApp",
        conversation_id="whatsapp:ada",
        channel="whatsapp",
    )

    case = await backend.create_case(draft, "single-line-1")

    assert len(text) > 1000
    assert len(case.description) <= 500
    comments = client.search_related_items(
        domainId=ids.domain, caseId=case.case_id, filters=[{"comment": {}}]
    )["relatedItems"]
    assert text.strip() in "".join(item["content"]["comment"]["body"] for item in comments)
