from __future__ import annotations

from typing import Any

import pytest
import yaml
from botocore.exceptions import ClientError

from sandbox.settings import SandboxSettings


def test_template_lists_required_fields_by_id_and_its_default_layout(client: Any, ids: Any) -> None:
    template = client.get_template(domainId=ids.domain, templateId=ids.template)

    assert template["status"] == "Active"
    assert template["requiredFields"] == [
        {"fieldId": "title"},
        {"fieldId": ids.description},
        {"fieldId": ids.contact},
        {"fieldId": ids.priority},
    ]
    assert template["layoutConfiguration"] == {"defaultLayout": ids.layout}


def test_list_fields_pages_through_system_and_custom_fields(client: Any, ids: Any) -> None:
    first = client.list_fields(domainId=ids.domain, maxResults=10)
    second = client.list_fields(domainId=ids.domain, maxResults=10, nextToken=first["nextToken"])

    fields = first["fields"] + second["fields"]
    assert "nextToken" not in second
    assert len(fields) == len({f["fieldId"] for f in fields}) == 18
    by_id = {f["fieldId"]: f for f in fields}
    assert by_id["title"]["namespace"] == "System"
    assert (by_id[ids.priority]["namespace"], by_id[ids.priority]["type"]) == (
        "Custom",
        "SingleSelect",
    )


def test_batch_get_field_reports_unknown_ids_as_errors(client: Any, ids: Any) -> None:
    response = client.batch_get_field(
        domainId=ids.domain, fields=[{"id": ids.origin}, {"id": "nope"}]
    )

    assert [f["name"] for f in response["fields"]] == ["Origin"]
    assert [e["id"] for e in response["errors"]] == ["nope"]


def test_field_options_are_the_seeded_choices(client: Any, ids: Any) -> None:
    response = client.list_field_options(domainId=ids.domain, fieldId=ids.origin)
    only = client.list_field_options(domainId=ids.domain, fieldId=ids.origin, values=["Voice"])

    assert [o["value"] for o in response["options"]] == ["webchat", "WhatsApp", "Voice", "Email"]
    assert all(o["active"] for o in response["options"])
    assert [o["value"] for o in only["options"]] == ["Voice"]


def test_options_of_a_text_field_are_a_validation_exception(client: Any, ids: Any) -> None:
    with pytest.raises(ClientError) as caught:
        client.list_field_options(domainId=ids.domain, fieldId="title")

    assert caught.value.response["Error"]["Code"] == "ValidationException"


@pytest.mark.parametrize(
    ("call", "resource_type"),
    [
        ("get_template", "Template"),
        ("get_layout", "Layout"),
        ("get_domain", "Domain"),
    ],
)
def test_unknown_configuration_is_resource_not_found(
    client: Any, ids: Any, call: str, resource_type: str
) -> None:
    params = {
        "get_template": {"domainId": ids.domain, "templateId": "nope"},
        "get_layout": {"domainId": ids.domain, "layoutId": "nope"},
        "get_domain": {"domainId": "nope"},
    }[call]

    with pytest.raises(ClientError) as caught:
        getattr(client, call)(**params)

    response: Any = caught.value.response
    assert (response["Error"]["Code"], response["resourceType"]) == (
        "ResourceNotFoundException",
        resource_type,
    )


def test_list_templates_filters_by_status(client: Any, ids: Any) -> None:
    active = client.list_templates(domainId=ids.domain, status=["Active"])["templates"]
    inactive = client.list_templates(domainId=ids.domain, status=["Inactive"])["templates"]

    assert [t["templateId"] for t in active] == [ids.template]
    assert inactive == []


def test_inactive_template_refuses_new_cases(
    tmp_path: Any, start_sandbox: Any, sandbox_settings: Any, ids: Any
) -> None:
    spec = yaml.safe_load(sandbox_settings(tmp_path / "x").seed_file.read_text(encoding="utf-8"))
    spec["template"]["status"] = "Inactive"
    seed = tmp_path / "domain.yaml"
    seed.write_text(yaml.safe_dump(spec), encoding="utf-8")
    settings: SandboxSettings = sandbox_settings(tmp_path / "db.sqlite3", seed)
    client = start_sandbox(settings).client()

    with pytest.raises(ClientError) as caught:
        client.create_case(
            domainId=ids.domain,
            templateId=ids.template,
            fields=[{"id": "title", "value": {"stringValue": "x"}}],
        )

    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "Inactive" in caught.value.response["Error"]["Message"]
