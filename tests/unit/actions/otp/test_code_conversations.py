"""Proving a case is yours with a one-time code, against the real Connect Cases adapter on the
sandbox's stand-in and the real SES mailer on the SES stand-in.

A customer in a fresh, anonymous conversation names a case they did not open here: they are
offered a code, give the email the case was opened with, read the code from the mail, type it,
and get what they asked for. Whatever they give, the words they get are the same.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from actions.changes import ActionAddCaseComment, ActionAskCloseCase, ActionUpdateCase
from actions.kit.handles import shown_ref
from actions.kit.otp import OneTimeCodes
from actions.kit.sdk import Action
from actions.kit.settings import ActionSettings
from actions.lookup import ActionCheckCaseStatus
from actions.otp.store import SqliteCodeStore
from actions.verification import ActionVerifyCode
from tests.unit.actions.access_support import AGENT_ARN, ConnectStand
from tests.unit.actions.fakes import agent, entity, responses
from tests.unit.actions.otp.chat import Chat, HeldSender, mailed_codes, mailer
from tests.unit.actions.otp.conftest import Clock
from tests.unit.sandbox.conftest import SandboxServer, make_settings


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    db = tmp_path_factory.mktemp("otp") / "sandbox.sqlite3"
    server = SandboxServer(make_settings(db)).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def stand(server: SandboxServer) -> ConnectStand:
    return ConnectStand(server)


@pytest.fixture
def codes(otp_settings: ActionSettings, server: SandboxServer, clock: Clock) -> OneTimeCodes:
    return OneTimeCodes(
        otp_settings,
        SqliteCodeStore(otp_settings.otp_db, clock=clock),
        email=mailer(server.url),
        key=b"k" * 32,
        clock=clock,
    )


def chat(stand: ConnectStand, settings: ActionSettings, codes: OneTimeCodes) -> Chat:
    return Chat(stand.backend, settings, codes)


def email(who: str) -> str:
    return f"{who}.{uuid.uuid4().hex[:8]}@example.org"


def shown(messages: list[dict[str, Any]], ref: str) -> list[dict[str, Any]]:
    """What was said, with the reference asked about written as <ref>."""
    return [
        {k: (str(v).replace(ref, "<ref>") if isinstance(v, str) else v) for k, v in m.items()}
        for m in messages
    ]


#: a request about a case, made in a conversation; what the assistant answered
Request = Callable[[Chat, str], Awaitable[list[dict[str, Any]]]]


@dataclass
class Waiting:
    """A conversation that asked about a case and waits for the code mailed to its contact."""

    chat: Chat
    ref: str
    code: str
    #: what the assistant answered the request
    offered: list[dict[str, Any]]


async def code_mailed(
    stand: ConnectStand,
    otp_settings: ActionSettings,
    codes: OneTimeCodes,
    server: SandboxServer,
    title: str,
    ask: Request = Chat.ask_status,
) -> Waiting:
    """A case opened with a contact of its own, asked about by ``ask`` in a fresh
    conversation that then gives that contact and receives one code."""
    mine = email("who")
    ref = await stand.open(title, mine)
    asking = chat(stand, otp_settings, codes)
    offered = await ask(asking, ref)
    await asking.give_contact(mine)
    await codes.settle()
    [code] = mailed_codes(server.url, mine)
    return Waiting(asking, ref, code, offered)


async def test_a_stranger_gets_yesterdays_case_by_a_code_from_the_cases_email(
    stand: ConnectStand, otp_settings: ActionSettings, codes: OneTimeCodes, server: SandboxServer
) -> None:
    mine = email("ann")
    ref = await stand.open("Boiler makes a knocking noise", mine)
    ann = chat(stand, otp_settings, codes)

    offered = await ann.ask_status(ref)
    assert responses(offered) == ["utter_offer_code"]
    assert offered[0]["case_ref"] == ref and offered[0]["contact"] == "email address"
    assert "Boiler" not in str(offered)

    on_its_way = await ann.give_contact(mine)
    assert responses(on_its_way) == ["utter_code_on_its_way"]
    assert on_its_way[0]["to"] == "a***@example.org"
    assert await codes.settle() == [True]
    [code] = mailed_codes(server.url, mine)

    said = await ann.give_code(code, then=ActionCheckCaseStatus)

    assert responses(said)[0] == "utter_code_right"
    assert said[1]["text"].startswith(f"Case {ref}: Boiler makes a knocking noise")
    assert [shown_ref(h) for h in ann.slots["verified_cases"]] == [ref]
    assert ann.slots["otp_resume"] is None
    # the case stays theirs in this conversation, without another code
    again = await ann.ask_status(ref)
    assert "Boiler" in again[0]["text"]
    # and only in this one
    other = chat(stand, otp_settings, codes)
    assert responses(await other.ask_status(ref)) == ["utter_offer_code"]


async def test_the_answers_are_the_same_for_a_wrong_reference_a_wrong_contact_and_the_right_one(
    stand: ConnectStand, otp_settings: ActionSettings, codes: OneTimeCodes, server: SandboxServer
) -> None:
    owner = email("amy")
    ref = await stand.open("Lost parcel", owner)
    missing = stand.missing_ref
    someone = "a" + email("other")[1:]  # masked alike: a***@example.org
    heard = []
    for asked, typed in ((missing, owner), (ref, someone), (ref, owner)):
        stranger = chat(stand, otp_settings, codes)
        said = await stranger.ask_status(asked)
        said += await stranger.give_contact(typed)
        said += await stranger.give_code("000000")
        heard.append(shown(said, asked))
    await codes.settle()

    assert heard[0] == heard[1] == heard[2]
    assert responses(heard[0]) == ["utter_offer_code", "utter_code_on_its_way", "utter_code_wrong"]
    # a code went to the case's own contact only, and only when it was typed for that case
    assert len(mailed_codes(server.url, owner)) == 1
    assert mailed_codes(server.url, someone) == []


async def test_the_answer_does_not_wait_for_the_mail_to_go(
    stand: ConnectStand, otp_settings: ActionSettings, server: SandboxServer, clock: Clock
) -> None:
    held = HeldSender(mailer(server.url))
    codes = OneTimeCodes(
        otp_settings, SqliteCodeStore(otp_settings.otp_db, clock), email=held, key=b"k" * 32
    )
    mine = email("bea")
    ref = await stand.open("Router", mine)
    bea = chat(stand, otp_settings, codes)
    await bea.ask_status(ref)

    # an answer that waited for the held mail would never come: fail in seconds, not hang
    said = await asyncio.wait_for(bea.give_contact(mine), timeout=5)

    assert responses(said) == ["utter_code_on_its_way"]
    await asyncio.sleep(0.05)
    # the send began after the answer and is still waiting: nothing has been mailed
    assert held.started == 1 and mailed_codes(server.url, mine) == []
    held.release.set()
    assert await codes.settle() == [True]
    assert len(mailed_codes(server.url, mine)) == 1


async def ask_update(asking: Chat, ref: str) -> list[dict[str, Any]]:
    found = [entity("case_ref", ref), entity("priority", "High")]
    return await asking.turn(ActionUpdateCase, f"set {ref} to high", "update_case", found)


async def ask_close(asking: Chat, ref: str) -> list[dict[str, Any]]:
    found = [entity("case_ref", ref)]
    return await asking.turn(ActionAskCloseCase, f"close case {ref}", "close_case", found)


async def ask_comment(asking: Chat, ref: str) -> list[dict[str, Any]]:
    asking.slots["comment_text"] = "It is leaking again since this morning"
    found = [entity("case_ref", ref)]
    said = await asking.turn(ActionAddCaseComment, "", "add_case_comment", found)
    # the words wait with the request, not in the conversation's slots
    assert asking.slots["comment_text"] is None
    return said


async def updated(stand: ConnectStand, waited: Waiting) -> bool:
    return (await stand.backend.get_case(waited.ref)).priority == "High"


async def asked_to_confirm(stand: ConnectStand, waited: Waiting) -> bool:
    pending = waited.chat.slots.get("pending_close")
    return pending is not None and shown_ref(pending) == waited.ref


async def commented(stand: ConnectStand, waited: Waiting) -> bool:
    return "comment" in [field for field, _ in await stand.trail(waited.ref)]


@pytest.mark.parametrize(
    ("ask", "then", "answers", "done"),
    [
        pytest.param(ask_update, ActionUpdateCase, ["utter_case_updated"], updated, id="update"),
        pytest.param(
            ask_close, ActionAskCloseCase, ["utter_ask_close_case"], asked_to_confirm, id="close"
        ),
        pytest.param(
            ask_comment, ActionAddCaseComment, ["utter_comment_added"], commented, id="comment"
        ),
    ],
)
async def test_a_right_code_does_the_request_that_waited_for_it_and_not_before(
    stand: ConnectStand,
    otp_settings: ActionSettings,
    codes: OneTimeCodes,
    server: SandboxServer,
    ask: Request,
    then: type[Action],
    answers: list[str],
    done: Callable[[ConnectStand, Waiting], Awaitable[bool]],
) -> None:
    waited = await code_mailed(stand, otp_settings, codes, server, "Washing machine", ask)
    assert responses(waited.offered) == ["utter_offer_code"]
    assert (await stand.backend.get_case(waited.ref)).priority == "Medium"
    assert not await done(stand, waited)

    said = await waited.chat.give_code(waited.code, then=then)

    assert responses(said) == ["utter_code_right", *answers]
    assert await done(stand, waited)


async def test_five_wrong_codes_and_the_right_one_no_longer_works(
    stand: ConnectStand, otp_settings: ActionSettings, codes: OneTimeCodes, server: SandboxServer
) -> None:
    eve = await code_mailed(stand, otp_settings, codes, server, "Heating")
    wrong = f"{(int(eve.code) + 1) % 1_000_000:06d}"

    tries = [await eve.chat.give_code(wrong) for _ in range(5)]

    assert [t[0].get("tries") for t in tries[:4]] == [4, 3, 2, 1]
    assert responses(tries[4]) == ["utter_code_locked"]
    assert responses(await eve.chat.give_code(eve.code)) == ["utter_code_locked"]
    assert "verified_cases" not in eve.chat.slots


async def test_a_code_expires_after_ten_minutes(
    stand: ConnectStand,
    otp_settings: ActionSettings,
    codes: OneTimeCodes,
    server: SandboxServer,
    clock: Clock,
) -> None:
    fay = await code_mailed(stand, otp_settings, codes, server, "Oven")

    clock.now += 600

    assert responses(await fay.chat.give_code(fay.code)) == ["utter_code_expired"]


async def test_a_reference_gets_three_codes_an_hour_whoever_asks_and_whether_it_exists(
    stand: ConnectStand, otp_settings: ActionSettings, codes: OneTimeCodes, server: SandboxServer
) -> None:
    mine = email("gil")
    ref = await stand.open("Dishwasher", mine)
    for asked in (ref, stand.missing_ref):
        said = []
        for _ in range(4):
            stranger = chat(stand, otp_settings, codes)
            await stranger.ask_status(asked)
            said.append(responses(await stranger.give_contact(mine))[0])
        assert said == ["utter_code_on_its_way"] * 3 + ["utter_code_limit"], asked
    await codes.settle()
    assert len(mailed_codes(server.url, mine)) == 3


async def test_a_code_works_only_in_the_conversation_it_was_asked_for_in(
    stand: ConnectStand, otp_settings: ActionSettings, codes: OneTimeCodes, server: SandboxServer
) -> None:
    hal = await code_mailed(stand, otp_settings, codes, server, "Kettle")

    thief = chat(stand, otp_settings, codes)
    assert responses(await thief.give_code(hal.code)) == ["utter_no_code_waiting"]
    assert responses(await hal.chat.give_code(hal.code)) == ["utter_code_right"]


async def test_no_code_is_offered_to_an_agent_or_when_none_can_be_sent(
    stand: ConnectStand, otp_settings: ActionSettings, codes: OneTimeCodes, tmp_path: Path
) -> None:
    missing = stand.missing_ref
    staff = Chat(stand.backend, otp_settings, codes, metadata=agent(AGENT_ARN))
    assert responses(await staff.ask_status(missing)) == ["utter_case_not_found"]

    off = ActionSettings(outbox_db=tmp_path / "o.sqlite3", otp_db=tmp_path / "otp.sqlite3")
    quiet = chat(stand, off, OneTimeCodes(off, key=b"k" * 32))
    assert responses(await quiet.ask_status(missing)) == ["utter_case_not_found"]
    assert quiet.slots == {"case_ref": None}


async def test_a_contact_no_code_can_go_to_is_asked_for_again(
    stand: ConnectStand, otp_settings: ActionSettings, codes: OneTimeCodes
) -> None:
    ivy = chat(stand, otp_settings, codes)
    await ivy.ask_status(stand.missing_ref)

    unreadable = await ivy.turn(ActionVerifyCode, "the code? not yet", "give_code")
    phone = await ivy.give_contact("+44 7700 900123")
    nonsense = await ivy.give_contact("not sure")

    assert responses(unreadable) == ["utter_code_unreadable"]
    assert responses(phone) == ["utter_code_no_channel"]
    assert responses(nonsense) == ["utter_code_contact_unreadable"]
    # still waiting for where to send it
    assert ivy.slots["otp_case"] == stand.missing_ref
