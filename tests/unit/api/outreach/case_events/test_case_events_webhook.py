from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.unit.api.channels.whatsapp.support import eventually
from tests.unit.api.outreach.ivr.support import RASA_TOKEN, outreach_gateways

CONTACT_FIELD = "contact-field-uuid"
VERIFIED_FIELD = "verified-field-uuid"
PHONE = "+447700900123"


@pytest.fixture
async def start_gateway(settings_with, tmp_path):
    async with outreach_gateways(settings_with, tmp_path) as start:
        yield start


def case_event(
    event_id: str = "evt-1",
    *,
    status: str = "closed",
    contact: str = PHONE,
    changed: list[str] | None = None,
    at: str = "2026-03-16T23:16:57.893Z",
    event_type: str = "CASE.UPDATED",
    ref: str | None = "10000001",
    verified: str | None = "Yes",
) -> dict[str, Any]:
    """An EventBridge event from Connect Cases, fields included as the domain was told."""
    fields: dict[str, Any] = {"status": status, CONTACT_FIELD: contact, "title": "Parcel lost"}
    if verified is not None:
        fields[VERIFIED_FIELD] = verified
    if ref is not None:
        fields["reference_number"] = ref
    detail: dict[str, Any] = {
        "version": "0",
        "eventType": event_type,
        "approximateChangeTime": at,
        "performedBy": {
            "user": {"userArn": "arn:aws:connect:us-east-1:123456789012:instance/i/user/u"},
            "iamPrincipalArn": "arn:aws:iam::123456789012:role/agent",
        },
        "case": {
            "caseId": "case-0001",
            "templateId": "template-1",
            "createdDateTime": "2026-03-10T10:00:00.000Z",
            "fields": fields,
        },
    }
    if changed is not None:
        detail["changedFieldIds"] = changed
    return {
        "version": "0",
        "id": event_id,
        "detail-type": "Amazon Connect Cases Change",
        "source": "aws.cases",
        "account": "123456789012",
        "time": "2026-03-16T23:16:58Z",
        "region": "us-east-1",
        "resources": ["arn:aws:cases:us-east-1:123456789012:domain/d/case/case-0001"],
        "detail": detail,
    }


async def test_status_change_tells_the_customer_on_whatsapp(start_gateway):
    gateway = await start_gateway()

    response = await gateway.case_event(case_event(changed=["status", "last_updated_datetime"]))
    await eventually(lambda: len(gateway.sent()) == 1)

    assert response.status_code == 202
    assert response.json() == {"status": "queued"}
    assert gateway.rasa.calls == [
        {
            "conversation": "whatsapp:447700900123",
            "token": RASA_TOKEN,
            "output_channel": "collector",
            "name": "case_updated",
            "entities": {"case_ref": "10000001", "status": "closed", "phone": PHONE},
        }
    ]
    [template] = gateway.sent()
    assert template["to"] == "447700900123"
    assert template["template"]["components"][0]["parameters"][0]["text"] == (
        "Hello from case_updated."
    )
    await eventually(lambda: gateway.runtime.waiters.futures == {})
    record = await gateway.runtime.records.get("case-event:evt-1")
    assert record is not None and record.case_ref == "10000001"


async def test_wrong_or_missing_key_returns_401_and_records_nothing(start_gateway):
    gateway = await start_gateway()

    wrong = await gateway.case_event(case_event(changed=["status"]), key="guess")
    missing = await gateway.case_event(case_event(changed=["status"]), key=None)

    assert (wrong.status_code, missing.status_code) == (401, 401)
    assert await gateway.runtime.records.get("case-event:evt-1") is None
    assert gateway.rasa.calls == []


async def test_the_same_event_delivered_twice_tells_once(start_gateway):
    gateway = await start_gateway()
    event = case_event(changed=["status"])

    first = await gateway.case_event(event)
    again = await gateway.case_event(event)
    await eventually(lambda: len(gateway.sent()) == 1)

    assert (first.json(), again.json()) == ({"status": "queued"}, {"status": "duplicate"})
    assert len(gateway.rasa.calls) == 1


async def test_an_email_contact_is_recorded_and_nobody_is_told(start_gateway):
    gateway = await start_gateway()

    response = await gateway.case_event(case_event(contact="ann@example.org", changed=["status"]))

    assert response.status_code == 202
    assert response.json()["status"] == "skipped"
    record = await gateway.runtime.records.get("case-event:evt-1")
    assert record is not None
    assert (record.status, record.detail) == (
        "skipped",
        "no phone number among the case's fields",
    )
    assert gateway.rasa.calls == [] and gateway.sent() == []


async def test_a_change_that_leaves_the_status_alone_tells_nobody(start_gateway):
    gateway = await start_gateway()

    response = await gateway.case_event(case_event(changed=["summary"]))

    assert response.json() == {"status": "skipped", "reason": "the status did not change"}
    assert gateway.rasa.calls == []


async def test_without_changed_fields_the_last_status_seen_tells_a_change(start_gateway):
    gateway = await start_gateway()

    created = await gateway.case_event(
        case_event("e1", status="open", event_type="CASE.CREATED", at="2026-03-16T10:00:00Z")
    )
    same = await gateway.case_event(case_event("e2", status="open", at="2026-03-16T11:00:00Z"))
    closed = await gateway.case_event(case_event("e3", status="closed", at="2026-03-16T12:00:00Z"))
    await eventually(lambda: len(gateway.sent()) == 1)

    assert created.json()["status"] == "skipped"
    assert same.json() == {"status": "skipped", "reason": "the status did not change"}
    assert closed.json() == {"status": "queued"}
    assert [call["entities"]["status"] for call in gateway.rasa.calls] == ["closed"]


async def test_an_event_older_than_one_already_seen_tells_nobody(start_gateway):
    gateway = await start_gateway()

    await gateway.case_event(
        case_event("new", status="closed", changed=["status"], at="2026-03-16T12:00:00Z")
    )
    late = await gateway.case_event(
        case_event("old", status="pending", changed=["status"], at="2026-03-16T11:00:00+00:00")
    )
    await eventually(lambda: len(gateway.sent()) == 1)

    assert late.json() == {"status": "skipped", "reason": "older than a change already seen"}
    assert [call["entities"]["status"] for call in gateway.rasa.calls] == ["closed"]


async def test_fields_as_a_list_of_field_value_unions_are_read(start_gateway):
    gateway = await start_gateway()
    event = case_event(changed=["status"])
    event["detail"]["case"]["fields"] = [
        {"id": "status", "value": {"stringValue": "pending"}},
        {"id": CONTACT_FIELD, "value": {"stringValue": "+44 7700 900123"}},
        {"id": "reference_number", "value": {"stringValue": "10000001"}},
        {"id": VERIFIED_FIELD, "value": {"stringValue": "Yes"}},
        {"id": "summary", "value": {"emptyValue": {}}},
    ]

    response = await gateway.case_event(event)
    await eventually(lambda: len(gateway.sent()) == 1)

    assert response.json() == {"status": "queued"}
    assert gateway.rasa.calls[0]["entities"] == {
        "case_ref": "10000001",
        "status": "pending",
        "phone": PHONE,
    }


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda e: e["detail"].pop("case"), "CASE.UPDATED is not about a case"),
        (lambda e: e["detail"]["case"]["fields"].pop("status"), "the event carries no status"),
        (
            lambda e: e["detail"]["case"]["fields"].pop("reference_number"),
            "the event carries no case reference",
        ),
        (
            lambda e: e["detail"]["case"]["fields"].pop(CONTACT_FIELD),
            "no phone number among the case's fields",
        ),
    ],
)
async def test_events_missing_what_a_notice_needs_are_skipped(start_gateway, change, reason):
    gateway = await start_gateway()
    event = copy.deepcopy(case_event(changed=["status"]))
    change(event)

    response = await gateway.case_event(event)

    assert response.json() == {"status": "skipped", "reason": reason}
    assert gateway.rasa.calls == []


async def test_events_not_from_connect_cases_return_422_and_not_json_400(start_gateway):
    gateway = await start_gateway()
    other = {**case_event(), "source": "aws.connect"}

    wrong_source = await gateway.case_event(other)
    shapeless = await gateway.case_event({"id": "x"})
    not_json = await gateway.client.post(
        "/webhooks/case-events",
        content=b"{nope",
        headers={"x-api-key": "case-events-key-for-tests"},
    )

    assert (wrong_source.status_code, shapeless.status_code, not_json.status_code) == (
        422,
        422,
        400,
    )


async def test_without_a_contact_field_configured_nobody_is_told(start_gateway):
    gateway = await start_gateway(case_events_contact_field_id=None)

    response = await gateway.case_event(case_event(changed=["status"]))

    assert response.json()["reason"] == "no phone number among the case's fields"


async def test_a_typed_contact_is_never_told_and_the_record_does_not_name_it(start_gateway, caplog):
    caplog.set_level("INFO")
    gateway = await start_gateway()

    response = await gateway.case_event(case_event(changed=["status"], verified="No"))

    assert response.json() == {"status": "skipped", "reason": "the case's contact is not verified"}
    record = await gateway.runtime.records.get("case-event:evt-1")
    assert record is not None and record.status == "skipped"
    assert gateway.rasa.calls == [] and gateway.sent() == []
    assert "told nobody: the case's contact is not verified" in caplog.text
    assert PHONE.lstrip("+") not in caplog.text and PHONE.lstrip("+") not in str(record)


async def test_an_event_that_cannot_say_whether_the_contact_is_verified_tells_nobody(
    start_gateway, caplog
):
    caplog.set_level("INFO")
    gateway = await start_gateway()

    response = await gateway.case_event(case_event(changed=["status"], verified=None))

    assert response.json() == {
        "status": "skipped",
        "reason": "the event does not say whether the contact is verified",
    }
    assert gateway.rasa.calls == [] and gateway.sent() == []
    assert PHONE.lstrip("+") not in caplog.text


async def test_without_a_verified_field_configured_nobody_is_told(start_gateway, caplog):
    caplog.set_level("INFO")
    gateway = await start_gateway(case_events_verified_field_id=None)

    response = await gateway.case_event(case_event(changed=["status"]))

    assert response.json() == {
        "status": "skipped",
        "reason": "whether the contact is verified is not configured",
    }
    assert gateway.rasa.calls == [] and gateway.sent() == []
    assert "no notice is sent" in caplog.text
    assert PHONE.lstrip("+") not in caplog.text


async def test_endpoint_without_the_api_key_returns_404(client):
    response = await client.post(
        "/webhooks/case-events", json=case_event(), headers={"x-api-key": "anything"}
    )

    assert response.status_code == 404
