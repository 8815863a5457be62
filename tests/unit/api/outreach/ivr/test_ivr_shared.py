"""Two gateways sharing one Redis: an IVR handoff is run once, and answered from any gateway.

Each gateway keeps its own SQLite files, so only the queue and records they share in Redis
can make the second copy of a handoff a repeat, or tell one gateway what another's worker did.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from pydantic import SecretStr

from sandbox.whatsapp.state import GraphState
from tests.support.services import RedisServer
from tests.unit.api.outreach.ivr.support import OutreachGateway, TriggerRasa, outreach_gateways


@pytest.fixture
async def two_gateways(shared_redis: RedisServer, settings_with: Any, tmp_path: Any) -> Any:
    rasa, graph = TriggerRasa(), GraphState()
    url = SecretStr(shared_redis.url())
    async with outreach_gateways(settings_with, tmp_path) as start:
        gateways: list[OutreachGateway] = [
            await start(
                rasa=rasa,
                graph=graph,
                gateway_queue_url=url,
                whatsapp_queue_db=tmp_path / name / "queue.sqlite3",
                proactive_queue_db=tmp_path / name / "proactive.sqlite3",
                ivr_answer_seconds=4.0,
            )
            for name in ("a", "b")
        ]
        yield gateways


def handoff() -> dict[str, str]:
    return {"caller": "+447700900123", "contact_id": f"call-{uuid.uuid4().hex}"}


async def test_a_handoff_sent_to_two_gateways_at_once_is_run_once(two_gateways):
    a, b = two_gateways
    body = handoff()

    answers = await asyncio.gather(a.handoff(body), b.handoff(body), a.handoff(body))
    await asyncio.sleep(1.5)  # past a poll of both workers: a second run would be seen by now

    assert [answer.status_code for answer in answers] == [200] * 3
    assert len(a.rasa.calls) == 1
    assert len(a.sent()) == 1
    assert {"sent"} <= {answer.json()["status"] for answer in answers} <= {"sent", "accepted"}


async def test_a_handoff_run_by_another_gateways_worker_is_answered_with_its_outcome(
    two_gateways,
):
    a, b = two_gateways
    await a.runtime.worker.stop()  # only B's worker runs jobs now

    answer = await a.handoff(handoff())

    assert answer.json() == {"status": "sent"}
    assert len(b.rasa.calls) == 1
