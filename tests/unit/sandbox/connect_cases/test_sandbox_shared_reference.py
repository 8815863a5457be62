"""Two cases with one reference number, as Connect Cases allows: no look-up picks either.

The stand-in numbers its cases one after another; the test gives a second case the first one's
number in the stand-in's database, which the service's promise (none) allows.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from rasa_sdk.events import SlotSet

from actions.changes import ActionUpdateCase
from actions.kit.sdk import CollectingDispatcher
from actions.lookup import ActionCheckCaseStatus
from cases.backend import CaseDraft, Conflict
from cases.connect.backend import ConnectCasesBackend
from tests.unit.actions.fakes import entity, responses, tracker, whatsapp
from tests.unit.sandbox.connect_cases.support import SPEC


def backend_over(server: Any, ids: Any) -> ConnectCasesBackend:
    return ConnectCasesBackend(server.client(), ids.domain, ids.template, spec=SPEC)


def draft(contact: str) -> CaseDraft:
    return CaseDraft(
        title="Parcel lost",
        description="The parcel never arrived.",
        contact=contact,
        priority="High",
        origin="WhatsApp",
        conversation_id=f"whatsapp:{uuid.uuid4().hex[:10]}",
        channel="whatsapp",
    )


def give_reference(db_path: Path, case_id: str, ref: str) -> None:
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE cases SET reference_number = ? WHERE case_id = ?", (int(ref), case_id))
        conn.execute(
            "UPDATE case_fields SET value = ? WHERE case_id = ? AND field_id = 'reference_number'",
            (json.dumps({"stringValue": ref}), case_id),
        )
    conn.close()


async def test_a_reference_two_cases_share_is_refused_not_answered_with_either(
    server: Any, ids: Any, db_path: Path
) -> None:
    mine = await backend_over(server, ids).create_case(draft("ada@example.com"), "k-1")
    theirs = await backend_over(server, ids).create_case(draft("bob@example.com"), "k-2")
    give_reference(db_path, theirs.case_id, mine.ref)
    backend = backend_over(server, ids)

    with pytest.raises(Conflict, match="more than one case"):
        await backend.get_case(mine.ref)
    with pytest.raises(Conflict):
        await backend.update_case(mine.ref, {"priority": "Low"})
    with pytest.raises(Conflict):
        await backend.add_comment(mine.ref, "Meant for one case only.")


async def test_a_remembered_reference_found_shared_later_is_not_used_again(
    server: Any, ids: Any, db_path: Path
) -> None:
    backend = backend_over(server, ids)
    mine = await backend.create_case(draft("ada@example.com"), "k-1")
    await backend.add_comment(mine.ref, "Remembered: this needs no search.")
    theirs = await backend_over(server, ids).create_case(draft("bob@example.com"), "k-2")
    give_reference(db_path, theirs.case_id, mine.ref)

    with pytest.raises(Conflict):
        await backend.get_case(mine.ref)
    # the reference is forgotten: a comment searches again and is refused, not filed on a guess
    with pytest.raises(Conflict):
        await backend.add_comment(mine.ref, "Meant for one case only.")


# What a person asking about a shared reference is answered, through the real actions.


def asking(phone: str, *, named: str | None = None, slots: dict[str, Any] | None = None) -> Any:
    """A WhatsApp customer's turn asking for the status of ``named`` (a handle or reference)."""
    entities = [entity("case_ref", named)] if named is not None else []
    return tracker(
        text=f"status of {named}" if named else "status of my case",
        intent="check_case_status",
        entities=entities,
        metadata=whatsapp(phone),
        slots=slots,
        sender=f"whatsapp:{phone.lstrip('+')}",
    )


async def status_turn(backend: ConnectCasesBackend, settings: Any, turn: Any) -> tuple[Any, Any]:
    dispatcher = CollectingDispatcher()
    events = await ActionCheckCaseStatus(backend, settings).run(dispatcher, turn, {})
    return events, dispatcher.messages


async def test_two_of_ones_own_cases_sharing_a_reference_are_offered_to_choose(
    server: Any, ids: Any, db_path: Path, settings: Any
) -> None:
    ada = "+447700900311"
    first = await backend_over(server, ids).create_case(draft(ada), "k-1")
    second = await backend_over(server, ids).create_case(draft(ada), "k-2")
    give_reference(db_path, second.case_id, first.ref)
    backend = backend_over(server, ids)

    events, messages = await status_turn(backend, settings, asking(ada, named=first.ref))

    assert responses(messages) == ["utter_which_case"]
    assert messages[0]["case_ref"] == first.ref
    payloads = [button["payload"] for button in messages[0]["buttons"]]
    assert sorted(payloads) == sorted(
        f'/check_case_status{{"case_ref": "{first.ref}#{case.case_id}"}}'
        for case in (first, second)
    )
    assert events == [SlotSet("case_ref", None)]

    # the button's handle names exactly one case: its status, and it is the one talked about
    chosen = f"{first.ref}#{second.case_id}"
    events, messages = await status_turn(backend, settings, asking(ada, named=chosen))

    assert messages[0]["text"].startswith(f"Case {first.ref}: ")
    assert events == [SlotSet("case_ref", chosen)]


async def test_a_reference_shared_with_a_stranger_answers_with_ones_own_case_only(
    server: Any, ids: Any, db_path: Path, settings: Any
) -> None:
    ada, bob = "+447700900312", "+447700900313"
    mine = await backend_over(server, ids).create_case(draft(ada), "k-1")
    theirs = await backend_over(server, ids).create_case(draft(bob), "k-2")
    give_reference(db_path, theirs.case_id, mine.ref)
    backend = backend_over(server, ids)

    events, _ = await status_turn(backend, settings, asking(ada, named=mine.ref))
    assert events == [SlotSet("case_ref", f"{mine.ref}#{mine.case_id}")]
    events, _ = await status_turn(backend, settings, asking(bob, named=mine.ref))
    assert events == [SlotSet("case_ref", f"{mine.ref}#{theirs.case_id}")]

    # a handle is no key: Ada naming Bob's case id is told what anyone is told of no case
    events, messages = await status_turn(
        backend, settings, asking(ada, named=f"{mine.ref}#{theirs.case_id}")
    )
    assert responses(messages) == ["utter_case_not_found"]
    assert messages[0]["case_ref"] == mine.ref
    assert events == [SlotSet("case_ref", None)]


async def test_a_change_to_the_case_at_hand_goes_on_that_case_with_no_search(
    server: Any, ids: Any, db_path: Path, settings: Any
) -> None:
    ada, bob = "+447700900314", "+447700900315"
    mine = await backend_over(server, ids).create_case(draft(ada), "k-1")
    theirs = await backend_over(server, ids).create_case(draft(bob), "k-2")
    give_reference(db_path, theirs.case_id, mine.ref)
    backend = backend_over(server, ids)
    await backend.get_template()
    httpx.post(f"{server.url}/_sandbox/calls/reset").raise_for_status()

    turn = tracker(
        text="please make it low priority",
        intent="update_case",
        entities=[entity("priority", "low")],
        metadata=whatsapp(ada),
        slots={"case_ref": f"{mine.ref}#{mine.case_id}"},
        sender=f"whatsapp:{ada.lstrip('+')}",
    )
    dispatcher = CollectingDispatcher()
    events = await ActionUpdateCase(backend, settings).run(dispatcher, turn, {})

    calls = httpx.get(f"{server.url}/_sandbox/calls").json()["connectcases"]
    # the case is read by its id and changed: SearchCases (2 a second on AWS) is not asked
    assert {op: n for op, n in calls.items() if n} == {"GetCase": 1, "UpdateCase": 1}
    assert responses(dispatcher.messages) == ["utter_case_updated"]
    assert (await backend.get_case(mine.ref, mine.case_id)).priority == "Low"
    assert (await backend.get_case(mine.ref, theirs.case_id)).priority == "High"
    assert events == [SlotSet("case_ref", f"{mine.ref}#{mine.case_id}")]
