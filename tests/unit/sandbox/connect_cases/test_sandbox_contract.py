"""Every operation the stand-in serves, called with real boto3, answers its modeled output shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from sandbox.connect_cases.arns import Arns
from sandbox.connect_cases.db import Database
from sandbox.connect_cases.routes import handlers
from sandbox.connect_cases.store import Store

CONTACT_ARN = "arn:aws:connect:us-east-1:123456789012:instance/abc/contact/{}"
SERVED = {
    "CreateCase", "GetCase", "SearchCases", "UpdateCase", "GetTemplate", "ListTemplates",
    "ListFields", "BatchGetField", "ListFieldOptions", "CreateRelatedItem", "SearchRelatedItems",
    "GetCaseAuditEvents", "ListCasesForContact", "GetDomain", "ListDomains", "GetLayout",
    "ListLayouts", "CreateDomain", "CreateField", "UpdateField", "BatchPutFieldOptions",
    "CreateLayout", "UpdateLayout", "CreateTemplate", "UpdateTemplate",
}  # fmt: skip


def test_every_served_operation_answers_its_output_shape(
    client: Any,
    ids: Any,
    new_case: Callable[..., str],
    check_output: Callable[[str, dict[str, Any]], None],
    http: httpx.Client,
    run_tag: dict[str, str],
) -> None:
    http.post("/_sandbox/calls/reset")
    domain = ids.domain

    check_output("ListDomains", client.list_domains())
    check_output("GetDomain", client.get_domain(domainId=domain))
    check_output("ListTemplates", client.list_templates(domainId=domain))
    check_output("GetTemplate", client.get_template(domainId=domain, templateId=ids.template))
    check_output("GetLayout", client.get_layout(domainId=domain, layoutId=ids.layout))
    check_output("ListFields", client.list_fields(domainId=domain))
    check_output(
        "BatchGetField",
        client.batch_get_field(domainId=domain, fields=[{"id": "title"}, {"id": "no-such-field"}]),
    )
    check_output(
        "ListFieldOptions", client.list_field_options(domainId=domain, fieldId=ids.priority)
    )

    case_id = new_case()
    check_output(
        "CreateCase",
        client.create_case(
            domainId=domain,
            templateId=ids.template,
            fields=[
                {"id": "title", "value": {"stringValue": "Second"}},
                {"id": ids.description, "value": {"stringValue": "d"}},
                {"id": ids.contact, "value": {"stringValue": "+15550100"}},
                {"id": ids.priority, "value": {"stringValue": "Low"}},
            ],
            performedBy={"customEntity": "casebot"},
            tags=run_tag,
        ),
    )
    every_field = [{"id": f["fieldId"]} for f in client.list_fields(domainId=domain)["fields"]]
    check_output("GetCase", client.get_case(domainId=domain, caseId=case_id, fields=every_field))
    check_output(
        "UpdateCase",
        client.update_case(
            domainId=domain,
            caseId=case_id,
            fields=[{"id": "status", "value": {"stringValue": "closed"}}],
            performedBy={"userArn": "arn:aws:connect:us-east-1:123456789012:instance/abc/agent/1"},
        ),
    )
    check_output(
        "SearchCases",
        client.search_cases(
            domainId=domain,
            filter={"tag": {"equalTo": {"key": "run", "value": run_tag["run"]}}},
            sorts=[{"fieldId": "title", "sortOrder": "Asc"}],
            fields=every_field[:25],
        ),
    )
    contact_arn = CONTACT_ARN.format(run_tag["run"])
    for item_type, content in (
        ("Comment", {"comment": {"body": "Called the customer back", "contentType": "Text/Plain"}}),
        ("Contact", {"contact": {"contactArn": contact_arn}}),
        ("File", {"file": {"fileArn": "arn:aws:connect:us-east-1:123456789012:instance/a/file/f"}}),
        (
            "Sla",
            {
                "sla": {
                    "slaInputConfiguration": {
                        "name": "first answer",
                        "type": "CaseField",
                        "fieldId": "status",
                        "targetFieldValues": [{"stringValue": "closed"}],
                        "targetSlaMinutes": 60,
                    }
                }
            },
        ),
        ("ConnectCase", {"connectCase": {"caseId": case_id}}),
        ("Custom", {"custom": {"fields": [{"id": ids.origin, "value": {"stringValue": "Voice"}}]}}),
    ):
        check_output(
            "CreateRelatedItem",
            client.create_related_item(
                domainId=domain,
                caseId=case_id,
                type=item_type,
                content=content,
                performedBy={"customEntity": "casebot"},
            ),
        )
    related = client.search_related_items(domainId=domain, caseId=case_id)
    check_output("SearchRelatedItems", related)
    assert len(related["relatedItems"]) == 6
    check_output(
        "GetCaseAuditEvents", client.get_case_audit_events(domainId=domain, caseId=case_id)
    )
    check_output(
        "ListCasesForContact",
        client.list_cases_for_contact(domainId=domain, contactArn=contact_arn),
    )

    check_setup_operations(client, check_output, run_tag["run"])

    counted = http.get("/_sandbox/calls").json()["connectcases"]
    served = set(handlers(Store(Database(":memory:")), Arns("us-east-1", "123456789012")))
    assert set(counted) == served == SERVED


def check_setup_operations(
    client: Any, check_output: Callable[[str, dict[str, Any]], None], run: str
) -> None:
    """The operations that set a domain up, on a domain of their own."""
    created = client.create_domain(name=f"contract-{run}")
    check_output("CreateDomain", created)
    domain = created["domainId"]
    field = client.create_field(domainId=domain, name="Colour", type="SingleSelect")
    check_output("CreateField", field)
    check_output(
        "UpdateField",
        client.update_field(domainId=domain, fieldId=field["fieldId"], description="Which one"),
    )
    check_output(
        "BatchPutFieldOptions",
        client.batch_put_field_options(
            domainId=domain,
            fieldId=field["fieldId"],
            options=[{"name": "Red", "value": "red", "active": True}],
        ),
    )
    content = {
        "basic": {
            "topPanel": {"sections": [{"fieldGroup": {"name": "Top", "fields": [{"id": "title"}]}}]}
        }
    }
    layout = client.create_layout(domainId=domain, name="main", content=content)
    check_output("CreateLayout", layout)
    check_output(
        "UpdateLayout",
        client.update_layout(domainId=domain, layoutId=layout["layoutId"], name="main layout"),
    )
    check_output("ListLayouts", client.list_layouts(domainId=domain))
    template = client.create_template(
        domainId=domain,
        name="Case",
        layoutConfiguration={"defaultLayout": layout["layoutId"]},
        requiredFields=[{"fieldId": field["fieldId"]}],
    )
    check_output("CreateTemplate", template)
    check_output(
        "UpdateTemplate",
        client.update_template(
            domainId=domain, templateId=template["templateId"], status="Inactive"
        ),
    )
