"""A case put on a queue by name: the back end writes the queue's id, as Connect Cases wants.

The Connect Cases stand-in refuses a queue name in ``assigned_queue``; the back end looks the
name up in the Amazon Connect stand-in's ListQueues and writes the id.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from cases.backend import BackendNotConfigured, CaseDraft
from cases.connect.backend import ConnectCasesBackend
from cases.connect.queues import QueueDirectory
from cases.template import load_template_spec
from sandbox.connect.instance import SEEDED_QUEUES

REPO = Path(__file__).resolve().parents[4]
SPEC = load_template_spec(REPO / "data" / "case_template.yaml")
INSTANCE = "5e1c0a7d-3b2f-4c6e-9a8d-2f4b6c8e0a13"
HANDOFF_ID = SEEDED_QUEUES["casebot-handoff"]


@pytest.fixture
def connect_client(sandbox: Any) -> Any:
    return boto3.client(
        "connect",
        endpoint_url=f"{sandbox.url}/connect",
        region_name="us-east-1",
        aws_access_key_id="sandbox",
        aws_secret_access_key="sandbox",
        config=Config(retries={"max_attempts": 1}),
    )


@pytest.fixture
def calls(http: httpx.Client) -> Callable[[], dict[str, dict[str, int]]]:
    """The calls each stand-in served since the last look (or the test's start)."""
    http.post("/_sandbox/calls/reset")

    def counts() -> dict[str, dict[str, int]]:
        snapshot: dict[str, dict[str, int]] = http.get("/_sandbox/calls").json()
        http.post("/_sandbox/calls/reset")
        return {
            service: {op: n for op, n in snapshot.get(service, {}).items() if n}
            for service in ("connectcases", "connect")
        }

    return counts


def backend_over(client: Any, ids: Any, queues: QueueDirectory | None) -> ConnectCasesBackend:
    return ConnectCasesBackend(client, ids.domain, ids.template, spec=SPEC, queues=queues)


async def open_case(backend: ConnectCasesBackend) -> str:
    conversation = f"whatsapp:{uuid.uuid4().hex[:12]}"
    draft = CaseDraft(
        title="Need a person",
        description="It keeps happening.",
        contact=f"{uuid.uuid4().hex[:10]}@example.com",
        priority="Medium",
        origin="WhatsApp",
        conversation_id=conversation,
        channel="whatsapp",
    )
    return (await backend.create_case(draft, conversation)).ref


def stored_queue(client: Any, ids: Any, case_id: str) -> Any:
    found = client.get_case(domainId=ids.domain, caseId=case_id, fields=[{"id": "assigned_queue"}])
    return found["fields"][0]["value"].get("stringValue")


def test_the_stand_in_refuses_a_queue_name_and_takes_a_queue_id(
    client: Any, ids: Any, new_case: Callable[..., str]
) -> None:
    case_id = new_case()

    with pytest.raises(ClientError) as caught:
        client.update_case(
            domainId=ids.domain,
            caseId=case_id,
            fields=[{"id": "assigned_queue", "value": {"stringValue": "casebot-handoff"}}],
        )
    client.update_case(
        domainId=ids.domain,
        caseId=case_id,
        fields=[{"id": "assigned_queue", "value": {"stringValue": HANDOFF_ID}}],
    )

    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert stored_queue(client, ids, case_id) == HANDOFF_ID


async def test_a_queue_name_is_written_as_its_id_and_read_back_and_in_history_by_name(
    client: Any, ids: Any, connect_client: Any, calls: Callable[[], dict[str, dict[str, int]]]
) -> None:
    backend = backend_over(client, ids, QueueDirectory(connect_client, INSTANCE))
    first, second = await open_case(backend), await open_case(backend)
    calls()  # what the set-up cost is not counted

    queued = await backend.update_case(first, {"assigned_queue": "casebot-handoff"})
    again = await backend.update_case(second, {"assigned_queue": "casebot-handoff"})

    assert stored_queue(client, ids, queued.case_id) == HANDOFF_ID
    assert queued.fields["assigned_queue"] == again.fields["assigned_queue"] == "casebot-handoff"
    assert (await backend.get_case(first)).fields["assigned_queue"] == "casebot-handoff"
    # the queue list is read once for both handoffs
    assert calls()["connect"] == {"ListQueues": 1}
    history = await backend.get_history(first)
    assert [(e.field, e.new) for e in history if e.field == "assigned_queue"] == [
        ("assigned_queue", "casebot-handoff")
    ]


async def test_a_queue_the_instance_lacks_is_a_clear_error_and_nothing_is_written(
    client: Any, ids: Any, connect_client: Any, calls: Callable[[], dict[str, dict[str, int]]]
) -> None:
    backend = backend_over(client, ids, QueueDirectory(connect_client, INSTANCE))
    ref = await open_case(backend)
    calls()  # what the set-up cost is not counted

    with pytest.raises(BackendNotConfigured, match="no queue named 'night-shift'"):
        await backend.update_case(ref, {"assigned_queue": "night-shift"})

    assert "UpdateCase" not in calls()["connectcases"]


async def test_without_an_instance_a_queue_name_is_refused_before_any_write(
    client: Any, ids: Any, calls: Callable[[], dict[str, dict[str, int]]]
) -> None:
    backend = backend_over(client, ids, None)
    ref = await open_case(backend)
    calls()  # what the set-up cost is not counted

    with pytest.raises(BackendNotConfigured, match="CONNECT_INSTANCE_ID"):
        await backend.update_case(ref, {"assigned_queue": "casebot-handoff"})
    by_id = await backend.update_case(ref, {"assigned_queue": HANDOFF_ID})

    assert calls()["connectcases"].get("UpdateCase") == 1
    assert by_id.fields["assigned_queue"] == HANDOFF_ID
