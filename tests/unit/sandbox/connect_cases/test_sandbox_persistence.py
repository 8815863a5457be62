from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from sandbox.settings import SandboxSettings

VALID = "title", "description", "contact", "priority"


def case_fields(ids: Any) -> list[dict[str, Any]]:
    return [
        {"id": "title", "value": {"stringValue": "Lost parcel"}},
        {"id": ids.description, "value": {"stringValue": "Never arrived"}},
        {"id": ids.contact, "value": {"stringValue": "+447700900123"}},
        {"id": ids.priority, "value": {"stringValue": "Medium"}},
    ]


def configuration(client: Any, ids: Any) -> dict[str, Any]:
    def strip(response: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in response.items() if k != "ResponseMetadata"}

    return {
        "domains": strip(client.list_domains()),
        "domain": strip(client.get_domain(domainId=ids.domain)),
        "template": strip(client.get_template(domainId=ids.domain, templateId=ids.template)),
        "layout": strip(client.get_layout(domainId=ids.domain, layoutId=ids.layout)),
        "fields": strip(
            client.batch_get_field(
                domainId=ids.domain,
                fields=[
                    {"id": f["fieldId"]} for f in client.list_fields(domainId=ids.domain)["fields"]
                ],
            )
        ),
        "options": strip(client.list_field_options(domainId=ids.domain, fieldId=ids.origin)),
    }


def test_cases_survive_a_restart_and_numbering_continues(
    tmp_path: Path,
    start_sandbox: Callable[[SandboxSettings], Any],
    sandbox_settings: Callable[..., SandboxSettings],
    ids: Any,
) -> None:
    settings = sandbox_settings(tmp_path / "db.sqlite3")
    first = start_sandbox(settings)
    client = first.client()
    case_id = client.create_case(
        domainId=ids.domain, templateId=ids.template, fields=case_fields(ids)
    )["caseId"]
    client.create_related_item(
        domainId=ids.domain,
        caseId=case_id,
        type="Comment",
        content={"comment": {"body": "noted", "contentType": "Text/Plain"}},
    )
    first.stop()

    client = start_sandbox(settings).client()
    kept = client.get_case(
        domainId=ids.domain, caseId=case_id, fields=[{"id": "title"}, {"id": "reference_number"}]
    )
    second_id = client.create_case(
        domainId=ids.domain, templateId=ids.template, fields=case_fields(ids)
    )["caseId"]
    second = client.get_case(
        domainId=ids.domain, caseId=second_id, fields=[{"id": "reference_number"}]
    )

    values = {item["id"]: item["value"]["stringValue"] for item in kept["fields"]}
    assert values == {"title": "Lost parcel", "reference_number": "10000001"}
    assert second["fields"][0]["value"]["stringValue"] == "10000002"
    assert (
        len(client.search_related_items(domainId=ids.domain, caseId=case_id)["relatedItems"]) == 1
    )


def test_seeding_again_changes_nothing(
    tmp_path: Path,
    start_sandbox: Callable[[SandboxSettings], Any],
    sandbox_settings: Callable[..., SandboxSettings],
    ids: Any,
) -> None:
    settings = sandbox_settings(tmp_path / "db.sqlite3")
    first = start_sandbox(settings)
    before = configuration(first.client(), ids)
    first.stop()

    after = configuration(start_sandbox(settings).client(), ids)

    assert after == before
    assert len(after["domains"]["domains"]) == 1


def test_seeding_an_edited_file_updates_the_domain(
    tmp_path: Path,
    start_sandbox: Callable[[SandboxSettings], Any],
    sandbox_settings: Callable[..., SandboxSettings],
    ids: Any,
) -> None:
    original = sandbox_settings(tmp_path / "db.sqlite3")
    first = start_sandbox(original)
    template_before = first.client().get_template(domainId=ids.domain, templateId=ids.template)
    first.stop()
    assert original.seed_file is not None
    spec = yaml.safe_load(original.seed_file.read_text(encoding="utf-8"))
    origin = next(f for f in spec["custom_fields"] if f["name"] == "Origin")
    origin["options"] = ["webchat", "WhatsApp", "Voice", "SMS"]
    spec["template"]["required"] = ["Title", "Description"]
    edited = tmp_path / "domain.yaml"
    edited.write_text(yaml.safe_dump(spec), encoding="utf-8")

    client = start_sandbox(sandbox_settings(tmp_path / "db.sqlite3", edited)).client()

    options = client.list_field_options(domainId=ids.domain, fieldId=ids.origin)["options"]
    assert {o["value"]: o["active"] for o in options} == {
        "webchat": True,
        "WhatsApp": True,
        "Voice": True,
        "SMS": True,
        "Email": False,
    }
    template = client.get_template(domainId=ids.domain, templateId=ids.template)
    assert template["requiredFields"] == [{"fieldId": "title"}, {"fieldId": ids.description}]
    assert template["createdTime"] == template_before["createdTime"]
    assert template["lastModifiedTime"] >= template_before["lastModifiedTime"]


def test_database_runs_in_wal_mode(
    tmp_path: Path,
    start_sandbox: Callable[[SandboxSettings], Any],
    sandbox_settings: Callable[..., SandboxSettings],
) -> None:
    db_path = tmp_path / "nested" / "db.sqlite3"
    start_sandbox(sandbox_settings(db_path)).stop()

    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
