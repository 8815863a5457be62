"""The look-up and change actions against the real Connect Cases adapter over the stand-in."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from rasa_sdk.events import ActionExecuted, ConversationPaused, UserUttered

from actions.changes import ActionAskCloseCase, ActionCloseCase, ActionUpdateCase
from actions.handoff import ActionRequestHuman
from actions.kit.sdk import Action, CollectingDispatcher, Tracker
from actions.kit.settings import ActionSettings
from actions.lookup import ActionCheckCaseStatus, ActionListCases
from cases.backend import CaseDraft
from cases.connect.backend import ConnectCasesBackend
from cases.connect.queues import QueueDirectory
from cases.template import load_template_spec
from tests.unit.actions.fakes import entity, responses, tracker, whatsapp
from tests.unit.sandbox.conftest import SEED_FILE, SandboxServer, make_settings

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    server = SandboxServer(make_settings(tmp_path_factory.mktemp("cases") / "db.sqlite3")).start()
    yield server
    server.stop()


@pytest.fixture
def backend(server: SandboxServer) -> ConnectCasesBackend:
    seed = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
    return ConnectCasesBackend(
        server.client(),
        seed["domain"]["domainId"],
        seed["template"]["templateId"],
        spec=load_template_spec(REPO / "data" / "case_template.yaml"),
        page_size=2,
        # assigned_queue holds a queue id: the handoff queue's name is looked up on the instance
        queues=QueueDirectory(
            boto3.client(
                "connect",
                endpoint_url=f"{server.url}/connect",
                region_name="us-east-1",
                aws_access_key_id="sandbox",
                aws_secret_access_key="sandbox",
            ),
            "5e1c0a7d-3b2f-4c6e-9a8d-2f4b6c8e0a13",
        ),
    )


def new_phone() -> str:
    return f"+447700{random.randrange(100000, 999999)}"


async def open_case(backend: ConnectCasesBackend, phone: str, title: str) -> str:
    conversation = f"whatsapp:{uuid.uuid4().hex[:10]}"
    draft = CaseDraft(
        title=title,
        description="It keeps happening.",
        contact=phone,
        priority="Medium",
        origin="WhatsApp",
        conversation_id=conversation,
        channel="whatsapp",
    )
    return (await backend.create_case(draft, conversation)).ref


async def run(action: Action, t: Tracker) -> tuple[list[Any], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    return events, dispatcher.messages


async def test_customer_checks_changes_and_closes_their_case(
    backend: ConnectCasesBackend, settings: ActionSettings
) -> None:
    phone = new_phone()
    ref = await open_case(backend, phone, "Router keeps dropping")
    mine = {"metadata": whatsapp(phone)}

    _, said = await run(ActionCheckCaseStatus(backend, settings), tracker(**mine))
    assert said[0]["text"].splitlines()[:2] == [
        f"Case {ref}: Router keeps dropping",
        "Status: open, and our team is on it (last changed just now)",
    ]

    change = tracker(text="make it urgent", entities=[entity("priority", "High")], **mine)
    _, said = await run(ActionUpdateCase(backend, settings), change)
    assert responses(said) == ["utter_case_updated"]
    assert (await backend.get_case(ref)).priority == "High"

    events, said = await run(ActionAskCloseCase(backend, settings), tracker(**mine))
    assert said[0]["case_ref"] == ref
    asked_then_yes = [
        ActionExecuted("action_ask_close_case"),
        ActionExecuted("action_listen"),
        UserUttered("yes", {"intent": {"name": "affirm"}}),
    ]
    yes = tracker(intent="affirm", slots={"pending_close": ref}, events=asked_then_yes, **mine)
    _, said = await run(ActionCloseCase(backend, settings), yes)
    assert responses(said) == ["utter_case_closed", "utter_ask_rating"]
    assert (await backend.get_case(ref)).status == "closed"

    asked = tracker(entities=[entity("case_ref", ref)], **mine)
    _, said = await run(ActionCheckCaseStatus(backend, settings), asked)
    assert "Status: closed" in said[0]["text"]
    assert "- the status changed to closed" in said[0]["text"]


async def test_someone_elses_case_is_not_found_over_the_real_adapter(
    backend: ConnectCasesBackend, settings: ActionSettings
) -> None:
    ref = await open_case(backend, new_phone(), "Private matter")
    stranger = tracker(entities=[entity("case_ref", ref)], metadata=whatsapp(new_phone()))

    _, said = await run(ActionCheckCaseStatus(backend, settings), stranger)

    assert responses(said) == ["utter_case_not_found"]
    assert "Private matter" not in str(said)


async def test_list_pages_through_the_customers_cases(
    backend: ConnectCasesBackend, settings: ActionSettings
) -> None:
    phone = new_phone()
    refs = [await open_case(backend, phone, f"Problem {n}") for n in range(4)]

    events, said = await run(ActionListCases(backend, settings), tracker(metadata=whatsapp(phone)))
    assert said[0]["buttons"][0]["title"] == "Show more"
    more = tracker(
        entities=[entity("list_page", "2")],
        metadata=whatsapp(phone),
        slots={"list_next": events[0]["value"]},
    )
    _, rest = await run(ActionListCases(backend, settings), more)

    shown = said[0]["text"] + rest[0]["text"]
    assert all(ref in shown for ref in refs)
    assert not rest[0]["buttons"]


async def test_handoff_queues_the_case_and_pauses(
    backend: ConnectCasesBackend, settings: ActionSettings
) -> None:
    phone = new_phone()
    ref = await open_case(backend, phone, "Need a person")
    t = tracker(metadata=whatsapp(phone), slots={"opened_cases": [ref]})

    events, said = await run(ActionRequestHuman(backend, settings), t)

    assert responses(said) == ["utter_handoff_case"]
    assert events[-2:] == [ActionExecuted("action_listen"), ConversationPaused()]
    assert (await backend.get_case(ref)).fields.get("assigned_queue") == settings.handoff_queue
