"""A whole case life on AICC, from filing to closing, made of Huawei's published calls only.

The adapter runs against the sandbox's AICC stand-in through a transport that records every
request, so the test pins the exact calls, in order, that one life costs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from cases.aicc.backend import AiccBackend
from cases.aicc.fields import load_case_types
from cases.aicc.idempotency import SqliteIdempotencyStore
from cases.aicc.token import DEFAULT_TOKEN_PATH, AiccTokenSource
from cases.backend import Actor, CaseDraft, CaseFilter
from cases.template import load_template_spec
from sandbox.app import create_app
from sandbox.settings import SandboxSettings

REPO = Path(__file__).resolve().parents[4]
BASE = "http://sandbox/aicc"
OPENAPI = "/aicc/service/AICC__Case/1.0.0/openapi"
HANDOFF_QUEUE = "casebot-handoff"


class Recording(httpx.AsyncBaseTransport):
    """Passes requests on and keeps each one's method and path."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.seen: list[tuple[str, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.method, request.url.path))
        return await self.inner.handle_async_request(request)


@pytest.fixture
async def life(tmp_path: Path) -> AsyncIterator[tuple[AiccBackend, Recording]]:
    app = create_app(SandboxSettings(db_path=tmp_path / "sandbox.sqlite3", seed_file=None))
    recording = Recording(httpx.ASGITransport(app=app))
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=recording) as http:
        backend = AiccBackend(
            http,
            base_url=BASE,
            tokens=AiccTokenSource(
                http, BASE + DEFAULT_TOKEN_PATH, "sandbox-aicc-key", "sandbox-aicc-secret"
            ),
            spec=load_template_spec(REPO / "data" / "case_template.yaml"),
            case_type_id="casebot",
            case_type=load_case_types(REPO / "data" / "aicc" / "case_types.yaml")["casebot"],
            creator_id="casebot",
            store=SqliteIdempotencyStore(tmp_path / "keys.sqlite3"),
        )
        yield backend, recording


async def test_a_whole_case_life_is_made_of_the_published_calls_in_order(
    life: tuple[AiccBackend, Recording],
) -> None:
    backend, recording = life
    customer = "ada@example.com"
    draft = CaseDraft(
        title="Parcel lost",
        description="The parcel never arrived.",
        contact=customer,
        priority="High",
        origin="",
        conversation_id="whatsapp:447700900123",
        channel="whatsapp",
    )
    agent = Actor(channel="webchat", conversation_id="desk", agent_id="agent-7")

    case = await backend.create_case(draft, "whatsapp:447700900123:1")  # open a case
    found = await backend.get_case(case.ref)  # check its status
    mine = await backend.search_cases(CaseFilter(contact=customer, status="open"))  # list mine
    await backend.add_comment(case.ref, "Courier called.")  # comment
    await backend.update_case(case.ref, {"assigned_queue": HANDOFF_QUEUE})  # hand off
    await backend.update_case(case.ref, {"priority": "Low"}, agent)  # change
    closed = await backend.update_case(case.ref, {"status": "closed"}, agent)  # close

    one = f"{OPENAPI}/case/{case.case_id}"
    assert recording.seen == [
        ("POST", "/aicc/baas/auth/v1.0/oauth2/token"),
        ("POST", f"{OPENAPI}/case"),
        ("GET", one),
        ("POST", f"{OPENAPI}/case/list"),
        ("POST", f"{OPENAPI}/case/process"),
        ("POST", f"{OPENAPI}/case/transfer"),
        ("GET", one),
        ("GET", one),
        ("POST", f"{OPENAPI}/case/modify"),
        ("GET", one),
        ("GET", one),
        ("GET", f"{OPENAPI}/caseType/casebot"),
        ("POST", f"{OPENAPI}/status/update"),
        ("POST", f"{OPENAPI}/close"),
        ("GET", one),
    ]
    assert found.status == "open"
    assert [c.case_id for c in mine.cases] == [case.case_id]
    assert (closed.status, closed.priority, closed.fields["ownerId"]) == (
        "closed",
        "Low",
        HANDOFF_QUEUE,
    )
    history = await backend.get_history(case.ref)
    assert [(e.field, e.new) for e in history] == [
        ("status", "closed"),
        ("priority", "Low"),
        ("assigned_queue", HANDOFF_QUEUE),
        ("status", "open"),
    ]
