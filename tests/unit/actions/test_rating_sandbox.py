"""Whole turns over the real adapters and their stand-ins: Connect Cases (boto3) and AICC (httpx).

A customer closes their case, is asked how it went and answers "3 - slow but ok": Connect keeps
the score in the ``Customer satisfaction`` field and the words as a comment; AICC, with no such
field, keeps it all as a comment. A customer who asks for a person midway through the case form
gets what they told it filed and on the handoff queue, on both.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
import yaml
from rasa_sdk.events import ActionExecuted, SlotSet, UserUttered

from actions.changes import ActionCloseCase
from actions.handoff import ActionRequestHuman
from actions.kit.sdk import Action, CollectingDispatcher, Tracker
from actions.kit.settings import ActionSettings
from actions.rating import ActionRateCase
from cases.aicc.backend import AiccBackend
from cases.aicc.fields import load_case_types
from cases.aicc.idempotency import SqliteIdempotencyStore
from cases.aicc.token import DEFAULT_TOKEN_PATH, AiccTokenSource
from cases.backend import CaseBackend, CaseDraft
from cases.connect.backend import ConnectCasesBackend
from cases.connect.queues import QueueDirectory
from cases.settings import CaseSettings
from cases.template import load_template_spec
from sandbox.app import create_app
from sandbox.settings import SandboxSettings
from tests.unit.actions.fakes import responses, tracker, whatsapp
from tests.unit.sandbox.conftest import SEED_FILE, SandboxServer, make_settings

REPO = Path(__file__).resolve().parents[3]
SPEC = load_template_spec(REPO / "data" / "case_template.yaml")
QUEUE_ID = "5e1c0a7d-3b2f-4c6e-9a8d-2f4b6c8e0a13"


@dataclass
class Stand:
    """An adapter over its stand-in, and how to read a case's comments back."""

    kind: str
    backend: CaseBackend
    http: httpx.AsyncClient | None = None
    client: Any = None
    domain_id: str = ""

    async def comments(self, case_id: str) -> list[str]:
        if self.kind == "aicc":
            assert self.http is not None
            answer = await self.http.get(f"/aicc/_aicc/cases/{case_id}/comments")
            return [str(comment["content"]) for comment in answer.json()]
        found = self.client.search_related_items(
            domainId=self.domain_id, caseId=case_id, filters=[{"comment": {}}]
        )
        items = sorted(found["relatedItems"], key=lambda item: item["associationTime"])
        return [item["content"]["comment"]["body"] for item in items]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    server = SandboxServer(make_settings(tmp_path_factory.mktemp("rating") / "db.sqlite3")).start()
    yield server
    server.stop()


@pytest.fixture(params=["connect", "aicc"])
async def stand(
    request: pytest.FixtureRequest, server: SandboxServer, tmp_path: Path
) -> AsyncIterator[Stand]:
    if request.param == "connect":
        seed = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
        client = server.client()
        connect = boto3.client(
            "connect",
            endpoint_url=f"{server.url}/connect",
            region_name="us-east-1",
            aws_access_key_id="sandbox",
            aws_secret_access_key="sandbox",
        )
        backend = ConnectCasesBackend(
            client,
            seed["domain"]["domainId"],
            seed["template"]["templateId"],
            spec=SPEC,
            queues=QueueDirectory(connect, QUEUE_ID),
        )
        yield Stand("connect", backend, client=client, domain_id=seed["domain"]["domainId"])
        return
    app = create_app(SandboxSettings(db_path=tmp_path / "aicc.sqlite3", seed_file=None))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://sandbox"
        ) as http,
    ):
        base_url = "http://sandbox/aicc"
        backend = AiccBackend(
            http,
            base_url=base_url,
            tokens=AiccTokenSource(
                http, base_url + DEFAULT_TOKEN_PATH, "sandbox-aicc-key", "sandbox-aicc-secret"
            ),
            spec=SPEC,
            case_type_id="casebot",
            case_type=load_case_types(REPO / "data" / "aicc" / "case_types.yaml")["casebot"],
            creator_id="casebot",
            store=SqliteIdempotencyStore(tmp_path / "keys.sqlite3"),
        )
        yield Stand("aicc", backend, http=http)


def of(stand: Stand, settings: ActionSettings, action: type[Action]) -> Action:
    case_settings = CaseSettings(case_backend=stand.kind)  # type: ignore[arg-type]
    return action(stand.backend, settings, case_settings)  # type: ignore[call-arg]


async def run(action: Action, t: Tracker) -> tuple[list[Any], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    return events, dispatcher.messages


def new_phone() -> str:
    return f"+4477009{uuid.uuid4().int % 100000:05d}"


async def test_a_closed_case_is_rated_and_the_rating_is_on_the_case(
    stand: Stand, settings: ActionSettings
) -> None:
    phone = new_phone()
    case = await stand.backend.create_case(
        CaseDraft(
            title="Router keeps dropping",
            description="It drops every hour.",
            contact=phone,
            priority="Medium",
            origin="WhatsApp",
            conversation_id=f"whatsapp:{phone.lstrip('+')}",
            channel="whatsapp",
            contact_verified=True,
        ),
        uuid.uuid4().hex,
    )
    yes = [
        ActionExecuted("action_ask_close_case"),
        ActionExecuted("action_listen"),
        UserUttered("yes", {"intent": {"name": "affirm"}}),
    ]
    closing = tracker(
        intent="affirm", metadata=whatsapp(phone), slots={"pending_close": case.ref}, events=yes
    )

    closed, said = await run(of(stand, settings, ActionCloseCase), closing)

    assert responses(said) == ["utter_case_closed", "utter_ask_rating"]
    asked = next(e["value"] for e in closed if e.get("name") == "rating_case")
    answer = tracker(
        text="3 - slow but ok",
        intent="give_rating",
        metadata=whatsapp(phone),
        slots={"rating_case": asked},
        events=[
            *yes,
            ActionExecuted("action_close_case"),
            SlotSet("rating_case", asked),
            ActionExecuted("action_listen"),
            UserUttered("3 - slow but ok", {"intent": {"name": "give_rating"}}),
        ],
    )

    _, said = await run(of(stand, settings, ActionRateCase), answer)

    assert responses(said) == ["utter_rating_thanks"]
    read = await stand.backend.get_case(case.ref)
    assert read.status == "closed"
    assert read.fields.get("satisfaction") == {"connect": 3.0, "aicc": None}[stand.kind]
    assert (await stand.comments(case.case_id))[-1] == "Customer rating: 3/5 - slow but ok"


async def test_a_person_asked_for_midway_gets_what_was_said_filed_and_queued(
    stand: Stand, settings: ActionSettings
) -> None:
    phone = new_phone()
    form = [
        UserUttered("open a case", {"intent": {"name": "open_case"}}),
        {"event": "active_loop", "name": "case_form", "timestamp": 1700000000.0},
        ActionExecuted("case_form"),
        ActionExecuted("action_listen"),
        UserUttered("agent pls", {"intent": {"name": "request_human", "confidence": 0.96}}),
        ActionExecuted("action_deactivate_loop"),
        {"event": "active_loop", "name": None},
    ]
    asking = tracker(
        text="agent pls",
        intent="request_human",
        metadata=whatsapp(phone),
        slots={
            "title": "Router keeps dropping",
            "description": "It drops every hour since Monday.",
            "contact": phone,
            "origin": "WhatsApp",
            "channel": "whatsapp",
        },
        events=form,
        sender=f"whatsapp:{phone.lstrip('+')}",
    )
    queued = settings.model_copy(update={"handoff_queue": "casebot-handoff"})

    events, said = await run(of(stand, queued, ActionRequestHuman), asking)

    assert responses(said) == ["utter_handoff_filed_case"]
    ref = said[0]["case_ref"]
    case = await stand.backend.get_case(ref)
    assert (case.title, case.description, case.contact, case.priority) == (
        "Router keeps dropping",
        "It drops every hour since Monday.",
        phone,
        "Medium",
    )
    if stand.kind == "connect":
        assert case.fields["assigned_queue"] == "casebot-handoff"
    else:
        # AICC moves the case to the queue by a transfer: the queue owns it
        assert (case.fields["ownerType"], case.fields["ownerId"]) == ("queue", "casebot-handoff")
    [note] = await stand.comments(case.case_id)
    assert note.startswith(
        "Filed when the customer asked for a person before the case form was finished. "
        "Not given by the customer: priority (Medium is used)."
    )
    assert SlotSet("title", None) in events
