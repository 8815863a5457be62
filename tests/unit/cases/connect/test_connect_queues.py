"""Queue names to ids through ListQueues: pages, the cache, unknown names and failures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from cases.backend import BackendNotConfigured, Throttled
from cases.connect.queues import QueueDirectory, is_queue_id

INSTANCE = "11111111-2222-3333-4444-555555555555"
HANDOFF = "7c3e9a51-2f4b-4d8e-a6c0-1b9d5e7f3a22"
BILLING = "0b6a1f4e-8c2d-4e9a-b7f3-5d1c9e2a4b60"
FIRST_PAGE = {"InstanceId": INSTANCE, "QueueTypes": ["STANDARD"], "MaxResults": 1000}


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def connect(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return boto3.client(
        "connect", region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t"
    )


@pytest.fixture
def stubber(connect: Any) -> Iterator[Stubber]:
    with Stubber(connect) as stub:
        yield stub
        stub.assert_no_pending_responses()


def queue(name: str, queue_id: str) -> dict[str, str]:
    return {"Id": queue_id, "Name": name, "QueueType": "STANDARD", "Arn": f"arn:q/{queue_id}"}


def listed(stubber: Stubber, *queues: dict[str, str], token: str | None = None) -> None:
    answer: dict[str, Any] = {"QueueSummaryList": list(queues)}
    if token:
        answer["NextToken"] = token
    stubber.add_response("list_queues", answer, FIRST_PAGE)


async def test_names_are_found_across_pages_and_then_cost_no_call(
    connect: Any, stubber: Stubber
) -> None:
    listed(stubber, queue("billing", BILLING), token="page-2")
    stubber.add_response(
        "list_queues",
        {"QueueSummaryList": [queue("casebot-handoff", HANDOFF)]},
        {**FIRST_PAGE, "NextToken": "page-2"},
    )
    queues = QueueDirectory(connect, INSTANCE)

    assert await queues.id_of("casebot-handoff") == HANDOFF
    assert await queues.id_of(" billing ") == BILLING
    assert await queues.id_of(HANDOFF) == HANDOFF
    assert queues.name_of(BILLING) == "billing"


async def test_the_list_is_read_again_once_it_is_older_than_the_cache(
    connect: Any, stubber: Stubber
) -> None:
    clock = Clock()
    listed(stubber, queue("casebot-handoff", HANDOFF))
    listed(stubber, queue("casebot-handoff", BILLING))
    queues = QueueDirectory(connect, INSTANCE, cache_seconds=300, clock=clock)

    assert await queues.id_of("casebot-handoff") == HANDOFF
    clock.now = 301
    assert await queues.id_of("casebot-handoff") == BILLING


async def test_an_unknown_name_reads_the_list_again_at_most_once_a_minute(
    connect: Any, stubber: Stubber
) -> None:
    clock = Clock()
    listed(stubber, queue("billing", BILLING))
    queues = QueueDirectory(connect, INSTANCE, clock=clock)
    assert await queues.id_of("billing") == BILLING

    clock.now = 10
    with pytest.raises(BackendNotConfigured, match="no queue named 'night-shift'"):
        await queues.id_of("night-shift")
    clock.now = 61
    listed(stubber, queue("billing", BILLING), queue("night-shift", HANDOFF))
    assert await queues.id_of("night-shift") == HANDOFF


async def test_a_failing_list_is_a_back_end_error(connect: Any, stubber: Stubber) -> None:
    stubber.add_client_error("list_queues", "ThrottlingException", http_status_code=429)

    with pytest.raises(Throttled):
        await QueueDirectory(connect, INSTANCE).id_of("billing")


def test_queue_ids_are_uuids() -> None:
    assert is_queue_id(HANDOFF) and is_queue_id(HANDOFF.upper())
    assert not is_queue_id("casebot-handoff")
    assert not is_queue_id(f"arn:aws:connect:us-east-1:123456789012:instance/x/queue/{HANDOFF}")
