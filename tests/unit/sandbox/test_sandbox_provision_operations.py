"""The Connect Cases operations that set a domain up, as the sandbox serves them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from botocore.exceptions import ClientError

from sandbox.settings import SandboxSettings

DOMAIN_FILE = Path(__file__).resolve().parents[3] / "data" / "connect_cases" / "domain.yaml"


@pytest.fixture(scope="module")
def client(
    tmp_path_factory: pytest.TempPathFactory,
    start_sandbox: Callable[[SandboxSettings], Any],
    sandbox_settings: Callable[..., SandboxSettings],
) -> Any:
    db = tmp_path_factory.mktemp("provisioning") / "db.sqlite3"
    return start_sandbox(sandbox_settings(db, None)).client()


@pytest.fixture
def domain(client: Any) -> str:
    domain_id: str = client.create_domain(name=f"d-{uuid.uuid4().hex[:8]}")["domainId"]
    return domain_id


def error_of(call: Callable[..., Any], **params: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    response: Any = caught.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


def field(client: Any, domain: str, name: str, kind: str = "Text", **extra: Any) -> str:
    field_id: str = client.create_field(domainId=domain, name=name, type=kind, **extra)["fieldId"]
    return field_id


def layout(client: Any, domain: str, name: str, top: list[str], more: list[str]) -> str:
    def sections(ids: list[str]) -> dict[str, Any]:
        return {"sections": [{"fieldGroup": {"name": "g", "fields": [{"id": i} for i in ids]}}]}

    layout_id: str = client.create_layout(
        domainId=domain,
        name=name,
        content={"basic": {"topPanel": sections(top), "moreInfo": sections(more)}},
    )["layoutId"]
    return layout_id


def test_new_domain_is_active_with_the_system_fields_every_domain_has(client: Any) -> None:
    name = f"d-{uuid.uuid4().hex[:8]}"
    spec = yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))

    created = client.create_domain(name=name)
    fields = client.list_fields(domainId=created["domainId"])["fields"]
    status = client.list_field_options(domainId=created["domainId"], fieldId="status")

    assert created["domainStatus"] == "Active"
    assert client.get_domain(domainId=created["domainId"])["name"] == name
    assert name in [d["name"] for d in client.list_domains()["domains"]]
    assert [(f["fieldId"], f["name"], f["type"], f["namespace"]) for f in fields] == [
        (f["fieldId"], f["name"], f["type"], "System") for f in spec["system_fields"]
    ]
    assert [o["value"] for o in status["options"]] == ["open", "closed"]


def test_domain_name_taken_is_a_conflict(client: Any) -> None:
    name = f"d-{uuid.uuid4().hex[:8]}"
    client.create_domain(name=name)

    assert error_of(client.create_domain, name=name)[:2] == ("ConflictException", 409)


def test_created_field_is_custom_with_its_description(client: Any, domain: str) -> None:
    field_id = field(client, domain, "Shoe size", "Number", description="EU sizes")

    listed = {f["fieldId"]: f for f in client.list_fields(domainId=domain)["fields"]}
    read = client.batch_get_field(domainId=domain, fields=[{"id": field_id}])["fields"][0]

    assert (listed[field_id]["namespace"], listed[field_id]["type"]) == ("Custom", "Number")
    assert (read["name"], read["description"]) == ("Shoe size", "EU sizes")


def test_field_name_taken_is_a_conflict_system_names_included(client: Any, domain: str) -> None:
    field(client, domain, "Colour")

    assert error_of(client.create_field, domainId=domain, name="Colour", type="Text")[0] == (
        "ConflictException"
    )
    assert error_of(client.create_field, domainId=domain, name="Title", type="Text")[0] == (
        "ConflictException"
    )


def test_field_in_unknown_domain_is_resource_not_found(client: Any) -> None:
    code, status, _ = error_of(client.create_field, domainId="nope", name="x", type="Text")

    assert (code, status) == ("ResourceNotFoundException", 404)


def test_update_field_changes_description_and_name_but_not_into_a_taken_name(
    client: Any, domain: str
) -> None:
    field_id = field(client, domain, "Colour", description="old")
    field(client, domain, "Size")

    client.update_field(domainId=domain, fieldId=field_id, description="new")
    client.update_field(domainId=domain, fieldId=field_id, name="Color")
    clash = error_of(client.update_field, domainId=domain, fieldId=field_id, name="Size")

    read = client.batch_get_field(domainId=domain, fields=[{"id": field_id}])["fields"][0]
    assert (read["name"], read["description"], read["type"]) == ("Color", "new", "Text")
    assert clash[0] == "ConflictException"


def test_system_fields_and_unknown_fields_cannot_be_updated(client: Any, domain: str) -> None:
    system = error_of(client.update_field, domainId=domain, fieldId="title", description="x")
    unknown = error_of(client.update_field, domainId=domain, fieldId="nope", description="x")

    assert system[0] == "ValidationException" and "title" in system[2]
    assert unknown[:2] == ("ResourceNotFoundException", 404)


def test_field_attributes_make_a_text_field_multi_line(client: Any, domain: str) -> None:
    # Connect Cases' only field attribute is text.isMultiline, which the stand-in now keeps
    created = client.create_field(
        domainId=domain, name="Notes", type="Text", attributes={"text": {"isMultiline": True}}
    )

    found = client.batch_get_field(domainId=domain, fields=[{"id": created["fieldId"]}])
    assert found["fields"][0]["attributes"] == {"text": {"isMultiline": True}}


def test_batch_put_field_options_adds_and_updates_and_leaves_the_rest(
    client: Any, domain: str
) -> None:
    field_id = field(client, domain, "Colour", "SingleSelect")
    client.batch_put_field_options(
        domainId=domain,
        fieldId=field_id,
        options=[
            {"name": "Red", "value": "red", "active": True},
            {"name": "Blue", "value": "blue", "active": True},
        ],
    )

    answer = client.batch_put_field_options(
        domainId=domain,
        fieldId=field_id,
        options=[
            {"name": "Green", "value": "green", "active": True},
            {"name": "Crimson", "value": "red", "active": False},
        ],
    )

    options = client.list_field_options(domainId=domain, fieldId=field_id)["options"]
    assert answer["errors"] == []
    assert [(o["name"], o["value"], o["active"]) for o in options] == [
        ("Crimson", "red", False),
        ("Blue", "blue", True),
        ("Green", "green", True),
    ]


def test_options_only_for_single_select_and_once_each(client: Any, domain: str) -> None:
    text = field(client, domain, "Notes")
    select = field(client, domain, "Colour", "SingleSelect")
    red = {"name": "Red", "value": "red", "active": True}

    on_text = error_of(client.batch_put_field_options, domainId=domain, fieldId=text, options=[red])
    twice = error_of(
        client.batch_put_field_options, domainId=domain, fieldId=select, options=[red, red]
    )

    assert on_text[0] == twice[0] == "ValidationException"
    assert "red" in twice[2]
    assert client.list_field_options(domainId=domain, fieldId=select)["options"] == []


def test_layout_is_created_listed_read_and_updated(client: Any, domain: str) -> None:
    colour = field(client, domain, "Colour")
    layout_id = layout(client, domain, "main", ["title"], [colour])

    listed = client.list_layouts(domainId=domain)["layouts"]
    client.update_layout(
        domainId=domain,
        layoutId=layout_id,
        content={"basic": {"topPanel": {"sections": []}, "moreInfo": {"sections": []}}},
    )
    read = client.get_layout(domainId=domain, layoutId=layout_id)

    assert [(item["layoutId"], item["name"]) for item in listed] == [(layout_id, "main")]
    assert read["name"] == "main"
    assert read["content"] == {
        "basic": {"topPanel": {"sections": []}, "moreInfo": {"sections": []}}
    }


def test_layout_with_unknown_or_repeated_fields_or_a_taken_name_is_refused(
    client: Any, domain: str
) -> None:
    layout(client, domain, "main", ["title"], [])

    with pytest.raises(ClientError, match="do not exist: nope"):
        layout(client, domain, "other", ["nope"], [])
    with pytest.raises(ClientError, match="more than once: title"):
        layout(client, domain, "other", ["title"], ["title"])
    with pytest.raises(ClientError, match="ConflictException"):
        layout(client, domain, "main", ["status"], [])
    assert [item["name"] for item in client.list_layouts(domainId=domain)["layouts"]] == ["main"]


def test_unknown_layout_cannot_be_updated(client: Any, domain: str) -> None:
    code, _, _ = error_of(client.update_layout, domainId=domain, layoutId="nope", name="x")

    assert code == "ResourceNotFoundException"


def test_template_is_active_by_default_and_updates_change_only_what_is_given(
    client: Any, domain: str
) -> None:
    colour = field(client, domain, "Colour")
    layout_id = layout(client, domain, "main", ["title"], [])
    template_id = client.create_template(
        domainId=domain,
        name="Case",
        description="d",
        layoutConfiguration={"defaultLayout": layout_id},
        requiredFields=[{"fieldId": "title"}],
    )["templateId"]

    created = client.get_template(domainId=domain, templateId=template_id)
    client.update_template(domainId=domain, templateId=template_id, status="Inactive")
    after_status = client.get_template(domainId=domain, templateId=template_id)
    client.update_template(
        domainId=domain, templateId=template_id, requiredFields=[{"fieldId": colour}]
    )
    after_required = client.get_template(domainId=domain, templateId=template_id)

    assert created["status"] == "Active"
    assert (after_status["status"], after_status["requiredFields"]) == (
        "Inactive",
        [{"fieldId": "title"}],
    )
    assert after_status["layoutConfiguration"] == {"defaultLayout": layout_id}
    assert after_required["requiredFields"] == [{"fieldId": colour}]
    assert after_required["description"] == "d"


def test_template_with_unknown_fields_or_layout_or_a_taken_name_is_refused(
    client: Any, domain: str
) -> None:
    client.create_template(domainId=domain, name="Case")

    unknown_field = error_of(
        client.create_template, domainId=domain, name="T2", requiredFields=[{"fieldId": "nope"}]
    )
    unknown_layout = error_of(
        client.create_template,
        domainId=domain,
        name="T2",
        layoutConfiguration={"defaultLayout": "nope"},
    )
    taken = error_of(client.create_template, domainId=domain, name="Case")

    assert unknown_field[0] == unknown_layout[0] == "ValidationException"
    assert taken[:2] == ("ConflictException", 409)
    assert [t["name"] for t in client.list_templates(domainId=domain)["templates"]] == ["Case"]


def test_unknown_template_cannot_be_updated_and_rules_are_not_implemented(
    client: Any, domain: str
) -> None:
    missing = error_of(client.update_template, domainId=domain, templateId="nope", name="x")
    rules = error_of(
        client.create_template, domainId=domain, name="T", rules=[{"caseRuleId": "r1"}]
    )

    assert missing[0] == "ResourceNotFoundException"
    assert rules[:2] == ("NotImplemented", 501)
