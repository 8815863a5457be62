"""Helpers of the Connect Cases stand-in's tests: the seed template, a draft, a raw case."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from cases.backend import CaseDraft
from cases.template import load_template_spec

REPO = Path(__file__).resolve().parents[4]
SPEC = load_template_spec(REPO / "data" / "case_template.yaml")


def draft() -> CaseDraft:
    """A webchat case from ada@example.com, in a conversation of its own."""
    return CaseDraft(
        title="Boiler makes a noise",
        description="A knocking noise at night.",
        contact="ada@example.com",
        priority="Medium",
        origin="webchat",
        conversation_id=f"webchat:{uuid.uuid4().hex}",
        channel="webchat",
    )


def field_id(client: Any, domain: str, name: str) -> str:
    """The id of the domain's field called ``name``."""
    found: str = next(
        f["fieldId"] for f in client.list_fields(domainId=domain)["fields"] if f["name"] == name
    )
    return found


def raw_case(client: Any, domain: str, template: str) -> str:
    """The id of a case made straight through the service's API, with the template's
    required fields and nothing else."""
    required = {"Description": "Noise at night", "Contact": "ada@example.com", "Priority": "Low"}
    created = client.create_case(
        domainId=domain,
        templateId=template,
        fields=[
            {"id": "title", "value": {"stringValue": "Boiler"}},
            *(
                {"id": field_id(client, domain, name), "value": {"stringValue": value}}
                for name, value in required.items()
            ),
        ],
    )
    case_id: str = created["caseId"]
    return case_id
