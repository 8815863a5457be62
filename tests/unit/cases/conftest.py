from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from botocore.stub import Stubber

from cases.connect.backend import ConnectCasesBackend
from cases.template import TemplateSpec

REPO = Path(__file__).resolve().parents[3]
DOMAIN = yaml.safe_load((REPO / "data" / "connect_cases" / "domain.yaml").read_text())
DOMAIN_ID: str = DOMAIN["domain"]["domainId"]
TEMPLATE_ID: str = DOMAIN["template"]["templateId"]
ALL_FIELDS: list[dict[str, Any]] = DOMAIN["system_fields"] + DOMAIN["custom_fields"]
FIELD_ID: dict[str, str] = {field["name"]: field["fieldId"] for field in ALL_FIELDS}
DESCRIPTION_ID = FIELD_ID["Description"]
CONTACT_ID = FIELD_ID["Contact"]
PRIORITY_ID = FIELD_ID["Priority"]
ORIGIN_ID = FIELD_ID["Origin"]
VERIFIED_ID = FIELD_ID["Contact verified"]
SATISFACTION_ID = FIELD_ID["Customer satisfaction"]
ON_HOLD_ID = FIELD_ID["On hold"]
#: the fields read back for a case, in the order the back end asks for them
WANTED = [
    "title",
    DESCRIPTION_ID,
    CONTACT_ID,
    PRIORITY_ID,
    ORIGIN_ID,
    VERIFIED_ID,
    SATISFACTION_ID,
    ON_HOLD_ID,
    "reference_number",
    "status",
    "customer_id",
    "summary",
    "created_datetime",
    "last_updated_datetime",
    "assigned_queue",
    "assigned_user",
]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return boto3.client(
        "connectcases",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def stubber(client: Any) -> Iterator[Stubber]:
    with Stubber(client) as stub:
        yield stub
        # a call the stubs did not expect surfaces as a back-end error that code may handle;
        # an answer left unused shows it
        stub.assert_no_pending_responses()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def connect(client: Any, spec: TemplateSpec, clock: Clock) -> ConnectCasesBackend:
    return ConnectCasesBackend(
        client, DOMAIN_ID, TEMPLATE_ID, spec=spec, cache_seconds=300, clock=clock
    )


class ConnectStubs:
    """Stubbed Connect Cases answers for the domain in data/connect_cases/domain.yaml."""

    domain_id = DOMAIN_ID
    template_id = TEMPLATE_ID
    description_id = DESCRIPTION_ID
    contact_id = CONTACT_ID
    priority_id = PRIORITY_ID
    origin_id = ORIGIN_ID
    verified_id = VERIFIED_ID
    satisfaction_id = SATISFACTION_ID
    on_hold_id = ON_HOLD_ID
    wanted = WANTED

    def __init__(self, stubber: Stubber) -> None:
        self.stubber = stubber
        #: every operation the client was asked for, stubbed or not
        self.calls: list[str] = []
        stubber.client.meta.events.register("provide-client-params.connectcases", self._record)

    def _record(self, model: Any, **_: Any) -> None:
        self.calls.append(model.name)

    def warm_up(self) -> None:
        """ListFields, GetTemplate and ListFieldOptions for each single-select field."""
        self.stubber.add_response(
            "list_fields",
            {
                "fields": [
                    {
                        "fieldId": field["fieldId"],
                        "fieldArn": f"arn:aws:cases:us-east-1:111122223333:domain/{DOMAIN_ID}"
                        f"/field/{field['fieldId']}",
                        "name": field["name"],
                        "type": field["type"],
                        "namespace": "System" if field in DOMAIN["system_fields"] else "Custom",
                    }
                    for field in ALL_FIELDS
                ]
            },
            {"domainId": DOMAIN_ID, "maxResults": 100},
        )
        self.stubber.add_response(
            "get_template",
            {
                "templateId": TEMPLATE_ID,
                "templateArn": f"arn:aws:cases:us-east-1:111122223333:domain/{DOMAIN_ID}"
                f"/template/{TEMPLATE_ID}",
                "name": DOMAIN["template"]["name"],
                "status": "Active",
                "requiredFields": [
                    {"fieldId": FIELD_ID[name]} for name in DOMAIN["template"]["required"]
                ],
            },
            {"domainId": DOMAIN_ID, "templateId": TEMPLATE_ID},
        )
        for field_id, options in (
            (PRIORITY_ID, ["Low", "Medium", "High", "Critical"]),
            (ORIGIN_ID, ["webchat", "WhatsApp", "Voice", "Email"]),
            (VERIFIED_ID, ["Yes", "No"]),
        ):
            self.stubber.add_response(
                "list_field_options",
                {"options": [{"name": o, "value": o, "active": True} for o in options]},
                {"domainId": DOMAIN_ID, "fieldId": field_id, "maxResults": 100},
            )

    @staticmethod
    def case_fields(**values: Any) -> list[dict[str, Any]]:
        """A case's field values as Connect returns them (GetCase / SearchCases)."""
        base: dict[str, Any] = {
            "title": "Router keeps dropping",
            DESCRIPTION_ID: "The router restarts every hour.",
            CONTACT_ID: "+447911123456",
            PRIORITY_ID: "High",
            ORIGIN_ID: "WhatsApp",
            "reference_number": "40961234",
            "status": "open",
            "customer_id": None,
            "created_datetime": "2024-05-01T10:00:00.000Z",
            "last_updated_datetime": "2024-05-01T10:00:00.000Z",
        }
        base.update(values)
        return [
            {"id": key, "value": {"emptyValue": {}} if value is None else {"stringValue": value}}
            for key, value in base.items()
        ]

    def find(self, ref: str, case_id: str = "case-1", **values: Any) -> None:
        """SearchCases by reference number, answered with one case."""
        self.stubber.add_response(
            "search_cases",
            {
                "cases": [
                    {
                        "caseId": case_id,
                        "templateId": TEMPLATE_ID,
                        "fields": self.case_fields(**values),
                    }
                ]
            },
            {
                "domainId": DOMAIN_ID,
                "maxResults": 1,
                "filter": {
                    "field": {"equalTo": {"id": "reference_number", "value": {"stringValue": ref}}}
                },
                "fields": [{"id": field_id} for field_id in WANTED],
            },
        )


@pytest.fixture
def stubs(stubber: Stubber) -> ConnectStubs:
    return ConnectStubs(stubber)
