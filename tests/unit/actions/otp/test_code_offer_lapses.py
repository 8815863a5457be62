"""An offer of a code lapses once the conversation moves on or a code's lifetime passes: a number
typed later for another reason is not taken for the contact, and a right code no longer carries
out a request given up on; a code typed within the flow still works."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from actions.changes import ActionUpdateCase
from actions.kit.otp import OneTimeCodes
from actions.kit.sdk import CollectingDispatcher
from actions.kit.settings import ActionSettings
from actions.otp.pending import lapsed
from actions.otp.store import SqliteCodeStore
from actions.verification import ActionWithdrawCodeOffer
from tests.unit.actions.fakes import FakeCases, entity, responses, tracker
from tests.unit.actions.otp.chat import Chat, Mailbox

TTL = 600.0
PHONE = "+447700900123"


class Clock:
    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def outbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def otp_settings(tmp_path: Path) -> ActionSettings:
    return ActionSettings(
        outbox_db=tmp_path / "outbox.sqlite3",
        otp_db=tmp_path / "otp.sqlite3",
        otp_email_sender="casebot@example.com",
        otp_code_ttl_seconds=TTL,
    )


@pytest.fixture
def codes(otp_settings: ActionSettings, clock: Clock, outbox: Mailbox) -> OneTimeCodes:
    store = SqliteCodeStore(otp_settings.otp_db, clock=clock)
    return OneTimeCodes(otp_settings, store, email=outbox, phone=outbox, key=b"k" * 32, clock=clock)


@pytest.fixture
def cases() -> FakeCases:
    cases = FakeCases()
    cases.add("10000021", title="Boiler", contact=PHONE)
    return cases


@pytest.fixture
def jo(cases: FakeCases, otp_settings: ActionSettings, codes: OneTimeCodes) -> Chat:
    return Chat(cases, otp_settings, codes)


async def test_a_phone_number_typed_after_turning_to_something_else_asks_for_no_code(
    jo: Chat, outbox: Mailbox, codes: OneTimeCodes
) -> None:
    assert responses(await jo.ask_status("10000021")) == ["utter_offer_code"]

    await jo.says("actually, how do I reset my password?", "out_of_scope")

    assert (jo.slots["otp_case"], jo.slots["otp_resume"]) == (None, None)
    # the number they type next is theirs for another reason; were it still taken for the
    # contact, a code would go to the case's phone and count against its hourly limit
    said = await jo.give_contact(PHONE)
    await codes.settle()
    assert responses(said) == ["utter_ask_case_ref"]
    assert outbox.sent == []


async def test_an_offer_left_unanswered_past_a_codes_lifetime_is_withdrawn(
    jo: Chat, outbox: Mailbox, codes: OneTimeCodes, clock: Clock
) -> None:
    await jo.ask_status("10000021")

    clock.now += TTL
    said = await jo.give_contact(PHONE)
    await codes.settle()

    assert responses(said) == ["utter_ask_case_ref"]
    assert (jo.slots["otp_case"], jo.slots["otp_resume"]) == (None, None)
    assert outbox.sent == []


async def test_a_contact_and_code_given_late_in_their_lifetimes_still_make_the_change(
    jo: Chat, cases: FakeCases, outbox: Mailbox, codes: OneTimeCodes, clock: Clock
) -> None:
    change = [entity("case_ref", "10000021"), entity("priority", "High")]
    offered = await jo.turn(ActionUpdateCase, "set 10000021 to high", "update_case", change)
    assert responses(offered) == ["utter_offer_code"]

    clock.now += TTL - 1
    assert responses(await jo.give_contact(PHONE)) == ["utter_code_on_its_way"]
    await codes.settle()
    [(_, code)] = outbox.sent
    # longer after the offer than a code lives, but not after the code was asked for
    clock.now += TTL - 1
    said = await jo.give_code(code, then=ActionUpdateCase)

    assert responses(said)[0] == "utter_code_right"
    assert [(ref, fields) for ref, fields, _ in cases.updates] == [
        ("10000021", {"priority": "High"})
    ]
    assert jo.slots["otp_resume"] is None


async def test_a_right_code_after_turning_away_does_not_make_the_change_given_up_on(
    jo: Chat, cases: FakeCases, outbox: Mailbox, codes: OneTimeCodes
) -> None:
    change = [entity("case_ref", "10000021"), entity("priority", "High")]
    await jo.turn(ActionUpdateCase, "set 10000021 to high", "update_case", change)
    await jo.give_contact(PHONE)
    await codes.settle()
    [(_, code)] = outbox.sent

    await jo.says("never mind", "cancel")
    said = await jo.give_code(code, then=ActionUpdateCase)

    # the code is still theirs: it shows the case, and changes nothing
    assert responses(said)[0] == "utter_code_right"
    assert jo.slots["otp_then"] == "check_case_status"
    assert cases.updates == []


async def test_the_answers_an_offer_waits_for_keep_it(jo: Chat, clock: Clock) -> None:
    await jo.ask_status("10000021")
    offered = dict(jo.slots)

    clock.now += TTL - 1
    await jo.says("hmm let me look", "inform")
    await jo.says("123456", "give_code")

    assert jo.slots == offered


async def test_a_yes_to_the_offer_keeps_it_and_the_contact_typed_next_gets_the_code(
    jo: Chat, outbox: Mailbox, codes: OneTimeCodes
) -> None:
    """ "ok", then the contact: the yes withdrew the offer, and the contact was not taken."""
    await jo.ask_status("10000021")

    await jo.says("ok", "affirm")
    said = await jo.give_contact(PHONE)
    await codes.settle()

    assert responses(said) == ["utter_code_on_its_way"]
    assert [to for to, _ in outbox.sent] == [PHONE]


async def test_a_turn_the_gateway_started_does_not_withdraw_an_offer(
    jo: Chat, codes: OneTimeCodes, cases: FakeCases, otp_settings: ActionSettings
) -> None:
    await jo.ask_status("10000021")
    notice = tracker(
        intent="case_updated",
        entities=[entity("case_ref", "10000099")],
        metadata={**jo.metadata, "is_external": True},
        slots=jo.slots,
        sender=jo.sender,
    )
    typed = tracker(intent="case_updated", metadata=jo.metadata, slots=jo.slots)
    action = ActionWithdrawCodeOffer(cases, otp_settings, codes=codes)

    assert await action.run(CollectingDispatcher(), notice, {}) == []
    assert len(await action.run(CollectingDispatcher(), typed, {})) == 2


async def test_nothing_pending_is_left_alone(
    codes: OneTimeCodes, cases: FakeCases, otp_settings: ActionSettings
) -> None:
    action = ActionWithdrawCodeOffer(cases, otp_settings, codes=codes)
    said = tracker(intent="greet", slots={"otp_case": None, "otp_resume": None})

    assert await action.run(CollectingDispatcher(), said, {}) == []
    assert cases.reads == []


@pytest.mark.parametrize(
    ("waiting", "intent", "now", "gone"),
    [
        ({"at": 100.0}, "inform", 100.0 + TTL - 0.001, False),
        ({"at": 100.0}, "give_code", 100.0 + TTL, True),
        ({"at": 100.0}, "affirm", 101.0, False),
        ({"at": 100.0}, "affirm", 100.0 + TTL, True),
        ({"at": 100.0}, "deny", 101.0, True),
        ({"at": 100.0}, "greet", 101.0, True),
        ({"at": 100.0}, "cancel", 101.0, True),
        # not understood: asked again, not turned away
        ({"at": 100.0}, "nlu_fallback", 101.0, False),
        ({"at": 100.0}, "nlu_fallback", 100.0 + TTL, True),
        ({"at": 100.0}, None, 101.0, False),
        # another action server's clock a little ahead
        ({"at": 105.0}, "inform", 101.0, False),
        ({}, "inform", 101.0, True),
        (None, "inform", 101.0, True),
        ({"at": True}, "inform", 101.0, True),
        ({"at": "100"}, "inform", 101.0, True),
        ({"at": float("nan")}, "inform", 101.0, True),
    ],
)
def test_when_an_offer_lapses(waiting: Any, intent: str | None, now: float, gone: bool) -> None:
    assert lapsed(waiting, intent, now, TTL) is gone
