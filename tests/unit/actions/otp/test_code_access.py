"""What a right code opens: the one case it was sent for, in its own conversation, and the
request that waited only when it was about that case."""

from __future__ import annotations

import pytest

from actions.changes import ActionUpdateCase
from actions.kit import otp as otp_module
from actions.kit.access import viewer_of
from actions.kit.handles import shown_ref
from actions.kit.otp import OneTimeCodes, case_key, matching_case
from actions.kit.settings import ActionSettings
from actions.lookup import ActionCheckCaseStatus
from actions.otp.store import SqliteCodeStore
from tests.unit.actions.fakes import FakeCases, entity, responses, tracker
from tests.unit.actions.otp.chat import Chat, Mailbox


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def codes(otp_settings: ActionSettings, mailbox: Mailbox) -> OneTimeCodes:
    store = SqliteCodeStore(otp_settings.otp_db)
    return OneTimeCodes(otp_settings, store, email=mailbox, key=b"k" * 32)


async def test_of_two_cases_sharing_a_reference_the_code_opens_the_one_whose_contact_matched(
    otp_settings: ActionSettings, codes: OneTimeCodes, mailbox: Mailbox
) -> None:
    cases = FakeCases()
    cases.add("10000007", title="Someone else's", contact="zed@example.org", case_id="id-z")
    cases.add("10000007", title="Mine", contact="Kim@Example.org", case_id="id-k")
    kim = Chat(cases, otp_settings, codes)
    await kim.ask_status("10000007")
    await kim.give_contact("kim@example.org")
    await codes.settle()
    [(to, code)] = mailbox.sent

    said = await kim.give_code(code, then=ActionCheckCaseStatus)

    # to the address on the case, as written there (its domain normalised), not as typed
    assert to == "Kim@example.org"
    assert kim.slots["verified_cases"] == ["10000007#id-k"]
    assert said[1]["text"].startswith("Case 10000007: Mine")
    viewer = viewer_of(tracker(slots=kim.slots, metadata=kim.metadata))
    assert viewer.can_see(cases.cases["10000007"]) is False
    assert viewer.can_see(cases.sharing[0]) is True


@pytest.mark.parametrize(
    ("asked", "typed"),
    [
        pytest.param("10000013", "eve@example.org", id="another contact"),
        pytest.param("10000099", "lu@example.org", id="no such case"),
    ],
)
async def test_a_code_that_went_nowhere_never_verifies_even_when_typed_right(
    otp_settings: ActionSettings,
    codes: OneTimeCodes,
    mailbox: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
    asked: str,
    typed: str,
) -> None:
    # the code kept is known here, as a guesser with all their tries might come to know it
    monkeypatch.setattr(otp_module, "new_code", lambda: "123456")
    cases = FakeCases()
    cases.add("10000013", contact="lu@example.org")
    eve = Chat(cases, otp_settings, codes)
    await eve.ask_status(asked)
    await eve.give_contact(typed)
    await codes.settle()

    said = await eve.give_code("123456")

    assert mailbox.sent == []
    assert responses(said) == ["utter_code_wrong"]
    assert "verified_cases" not in eve.slots


async def test_a_contact_matches_whatever_its_case_or_spacing(otp_settings: ActionSettings) -> None:
    cases = FakeCases()
    cases.add("10000008", contact="+44 7700 900123")
    cases.add("10000009", contact="Ann@Example.ORG")

    assert await matching_case(cases, "10000008", "+447700900123", "GB") is not None
    assert await matching_case(cases, "10000009", "ann@example.org", "GB") is not None
    assert await matching_case(cases, "10000009", "ann@example.com", "GB") is None
    assert await matching_case(cases, "99999999", "ann@example.org", "GB") is None


async def test_a_code_for_another_case_than_the_request_waiting_shows_its_status_only(
    otp_settings: ActionSettings, codes: OneTimeCodes, mailbox: Mailbox
) -> None:
    cases = FakeCases()
    cases.add("10000011", title="First", contact="lu@example.org")
    cases.add("10000012", title="Second", contact="lu@example.org", priority="Low")
    lu = Chat(cases, otp_settings, codes)
    await lu.ask_status("10000011")
    await lu.give_contact("lu@example.org")
    await codes.settle()
    [(_, code)] = mailbox.sent
    # before typing it, a change to another case is asked for, and waits for its own code
    change = [entity("case_ref", "10000012"), entity("priority", "High")]
    offered = await lu.turn(ActionUpdateCase, "set 10000012 to high", "update_case", change)
    assert responses(offered) == ["utter_offer_code"]

    await lu.give_code(code)

    assert lu.slots["otp_then"] == "check_case_status"
    assert shown_ref(lu.slots["case_ref"]) == "10000011"
    assert cases.updates == []


@pytest.mark.parametrize("written", ["c-1042", "C 1042", "C1042", "c1042#case-9"])
def test_one_reference_however_written_shares_one_hourly_count(written: str) -> None:
    assert case_key(written) == "C1042"
