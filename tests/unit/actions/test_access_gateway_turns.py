"""Turns only the gateway may start: a case notice, a case filed later, a caller from the IVR.

The gateway starts them through Rasa's token-protected ``trigger_intent``, which marks the turn
``is_external``. Anyone can also type ``/case_updated{"case_ref": "..."}``, which Rasa reads as
that intent with those entities; such a turn must tell nothing of a case that is not the user's
and change nothing, exactly as for a reference that names no case.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from actions.kit.sdk import Action, CollectingDispatcher
from actions.kit.settings import ActionSettings
from actions.lookup import ActionCheckCaseStatus
from actions.triggered import ActionCaseFiled, ActionCaseUpdated, ActionIvrHandoff
from tests.unit.actions.access_support import (
    Stand,
    User,
    exists,
    on_webchat,
    on_whatsapp,
    signed,
    stand_for,
    unique_email,
    unique_phone,
)
from tests.unit.actions.fakes import entity, responses, tracker
from tests.unit.sandbox.conftest import SandboxServer, make_settings

CONTACT_ARN = (
    "arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555"
    "/contact/4a573372-1f28-4e26-b97b-000000000042"
)
TRIGGERED = {"is_external": True}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    server = SandboxServer(make_settings(tmp_path_factory.mktemp("turns") / "db.sqlite3")).start()
    yield server
    server.stop()


@pytest.fixture(params=["connect", "aicc"])
async def stand(
    request: pytest.FixtureRequest, server: SandboxServer, tmp_path: Path
) -> AsyncIterator[Stand]:
    made = stand_for(request.param, server, tmp_path)
    yield made
    await made.close()


STRANGERS = {
    "another whatsapp number": lambda: on_whatsapp(unique_phone()),
    "another token identity": lambda: on_webchat(signed(email=unique_email("bob"))),
    "anonymous": lambda: on_webchat(),
}


async def turn(action: Action, user: User, intent: str, typed: bool, **given: str) -> Any:
    """``intent`` with entities ``given``: typed by ``user``, or triggered by the gateway."""
    t = tracker(
        text=f"/{intent}{json.dumps(given)}" if typed else f"EXTERNAL: {intent}",
        intent=intent,
        entities=[entity(name, value) for name, value in given.items()],
        metadata=user.metadata if typed else TRIGGERED,
        sender=user.conversation_id,
        slots={"session_started_metadata": user.metadata},
    )
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    return json.dumps([dispatcher.messages, events], sort_keys=True), dispatcher.messages, events


@pytest.mark.parametrize("who", STRANGERS)
@pytest.mark.parametrize("status", [{}, {"status": "closed"}])
async def test_a_typed_case_notice_tells_nothing_of_someone_elses_case(
    stand: Stand, settings: ActionSettings, who: str, status: dict[str, str]
) -> None:
    ref = await stand.open("Ann's private notice matter", unique_phone())
    user = STRANGERS[who]()
    action = ActionCaseUpdated(stand.backend, settings)

    theirs, said, _ = await turn(action, user, "case_updated", True, case_ref=ref, **status)
    nobodys, _, _ = await turn(
        action, user, "case_updated", True, case_ref=stand.missing_ref, **status
    )

    assert not await exists(stand.backend, stand.missing_ref)
    assert theirs.replace(ref, "<ref>") == nobodys.replace(stand.missing_ref, "<ref>")
    assert "private notice matter" not in theirs
    assert ref not in theirs
    assert responses(said) == ["utter_ask_rephrase"]


@pytest.mark.parametrize("who", STRANGERS)
async def test_a_typed_case_filed_does_not_make_someone_elses_case_one_opened_here(
    stand: Stand, settings: ActionSettings, who: str
) -> None:
    ref = await stand.open("Ann's private filed matter", unique_phone())
    user = STRANGERS[who]()

    theirs, _, events = await turn(ActionCaseFiled(), user, "case_filed", True, case_ref=ref)
    nobodys, _, _ = await turn(
        ActionCaseFiled(), user, "case_filed", True, case_ref=stand.missing_ref
    )
    opened = [e["value"] for e in events if e.get("name") == "opened_cases"]
    status = tracker(
        text="status of my last case",
        intent="check_case_status",
        metadata=user.metadata,
        sender=user.conversation_id,
        slots={"opened_cases": opened[-1] if opened else None},
    )
    dispatcher = CollectingDispatcher()
    await ActionCheckCaseStatus(stand.backend, settings).run(dispatcher, status, {})

    assert theirs.replace(ref, "<ref>") == nobodys.replace(stand.missing_ref, "<ref>")
    assert ref not in theirs
    assert opened == []
    assert responses(dispatcher.messages) == ["utter_no_cases"]


@pytest.mark.parametrize("who", STRANGERS)
async def test_a_typed_ivr_handoff_neither_confirms_nor_links_someone_elses_case(
    stand: Stand, settings: ActionSettings, who: str
) -> None:
    phone = unique_phone()
    ref = await stand.open("Ann's private call matter", phone)
    user = STRANGERS[who]()
    trail = await stand.trail(ref)
    action = ActionIvrHandoff(stand.backend, settings)
    given = {"phone": phone, "origin": "Voice", "contact_arn": CONTACT_ARN}

    theirs, said, _ = await turn(action, user, "ivr_handoff", True, case_ref=ref, **given)
    nobodys, _, _ = await turn(
        action, user, "ivr_handoff", True, case_ref=stand.missing_ref, **given
    )

    assert theirs.replace(ref, "<ref>") == nobodys.replace(stand.missing_ref, "<ref>")
    assert ref not in theirs
    assert phone not in theirs
    assert responses(said) == ["utter_ask_rephrase"]
    assert await stand.trail(ref) == trail


async def test_the_gateways_notice_names_the_customers_case_and_status_not_its_title(
    stand: Stand, settings: ActionSettings
) -> None:
    phone = unique_phone()
    ref = await stand.open("Boiler leaking", phone)

    _, said, events = await turn(
        ActionCaseUpdated(stand.backend, settings),
        on_whatsapp(phone),
        "case_updated",
        False,
        case_ref=ref,
        status="pending",
        phone=phone,
    )

    assert said[0]["text"].startswith(f"Update on your case {ref}: it is now")
    assert "Boiler" not in said[0]["text"]
    assert {"event": "slot", "name": "case_ref", "value": ref} in [
        {k: e[k] for k in ("event", "name", "value")} for e in events
    ]


async def test_a_case_the_gateway_says_was_filed_is_one_opened_here(
    stand: Stand, settings: ActionSettings
) -> None:
    user = on_webchat()
    ref = await stand.open("Printer smoking", unique_email("typed"), None, user.conversation_id)

    _, said, events = await turn(ActionCaseFiled(), user, "case_filed", False, case_ref=ref)

    assert responses(said) == ["utter_case_filed_later"]
    assert [e["value"] for e in events if e.get("name") == "opened_cases"] == [[ref]]


async def test_a_caller_the_gateway_hands_over_is_told_their_case_and_the_call_is_linked(
    stand: Stand, settings: ActionSettings
) -> None:
    phone = unique_phone()
    ref = await stand.open("Broadband down", phone)
    trail = await stand.trail(ref)

    _, said, _ = await turn(
        ActionIvrHandoff(stand.backend, settings),
        on_whatsapp(phone),
        "ivr_handoff",
        False,
        phone=phone,
        origin="Voice",
        case_ref=ref,
        contact_arn=CONTACT_ARN,
    )

    assert responses(said) == ["utter_ivr_handoff_case"]
    assert said[0]["case_ref"] == ref
    new = Counter(await stand.trail(ref)) - Counter(trail)
    # AICC keeps no links to contact-centre contacts, so only Connect records one
    assert [field for field, _ in new.elements()] == (
        ["contact"] if stand.name == "connectcases" else []
    )
