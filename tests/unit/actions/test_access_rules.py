from __future__ import annotations

from datetime import timedelta

import pytest

from actions.kit.access import last_case, own_cases, viewer_of, visible_case
from cases.backend import Actor, CaseFilter, CaseNotFound, Page
from tests.unit.actions.fakes import (
    AGENT_ARN,
    ANN_EMAIL,
    ANN_PHONE,
    FakeCases,
    agent,
    tracker,
    webchat_identity,
    whatsapp,
)

PROFILE = "arn:aws:profile:us-east-1:123456789012:domains/casebot/profiles/ann"


@pytest.fixture
def cases() -> FakeCases:
    cases = FakeCases()
    cases.add("10000001", contact=ANN_PHONE)
    cases.add("10000002", contact=ANN_EMAIL)
    cases.add("10000006", contact="ANN@Example.org")
    cases.add("10000003", contact="+447700900999", customer_id=PROFILE)
    cases.add("10000004", contact="bob@example.com")
    return cases


def test_whatsapp_phone_is_a_verified_contact() -> None:
    viewer = viewer_of(tracker(metadata=whatsapp("+44 7700 900123")))

    assert viewer.role == "customer"
    assert viewer.contacts == {ANN_PHONE}
    assert viewer.channel == "whatsapp"


def test_identity_email_phone_and_customer_id_are_verified() -> None:
    metadata = webchat_identity(email=ANN_EMAIL, phone="07700 900123", customer_id=PROFILE)

    viewer = viewer_of(tracker(metadata=metadata))

    assert viewer.contacts == {ANN_EMAIL, ANN_PHONE}
    assert viewer.customer_id == PROFILE


def test_the_contact_the_user_typed_into_the_form_is_not_trusted() -> None:
    viewer = viewer_of(
        tracker(metadata={"channel": "webchat", "role": "customer"}, slots={"contact": ANN_EMAIL})
    )

    assert viewer.contacts == frozenset()


def test_what_a_client_sends_in_its_own_metadata_is_ignored() -> None:
    metadata = {
        "channel": "webchat",
        "role": "customer",
        "client": {"identity": {"role": "agent", "email": ANN_EMAIL}, "role": "agent"},
    }

    viewer = viewer_of(tracker(metadata=metadata))

    assert viewer.role == "customer"
    assert viewer.contacts == frozenset()


def test_session_metadata_counts_when_the_message_has_none() -> None:
    viewer = viewer_of(tracker(slots={"session_started_metadata": whatsapp()}))

    assert viewer.contacts == {ANN_PHONE}


def test_agent_identity_gives_the_agent_id_and_an_agent_actor() -> None:
    viewer = viewer_of(tracker(metadata=agent(), sender="webchat:agent-7"))

    assert viewer.is_agent
    assert viewer.agent_id == AGENT_ARN
    assert viewer.actor() == Actor(
        channel="webchat", conversation_id="webchat:agent-7", agent_id=AGENT_ARN
    )


def test_an_agent_known_by_their_whatsapp_number_acts_as_that_number() -> None:
    metadata = {**whatsapp("+44 7700 900777"), "role": "agent"}

    viewer = viewer_of(tracker(metadata=metadata, sender="whatsapp:447700900777"))

    assert viewer.is_agent
    # no user id to assign cases to, but their changes name them
    assert viewer.agent_id is None
    assert viewer.actor().agent_id == "+447700900777"


def test_a_customer_actor_carries_no_agent_id_even_if_the_identity_names_one() -> None:
    metadata = webchat_identity(email=ANN_EMAIL, agent_id="agent-7")

    viewer = viewer_of(tracker(metadata=metadata))

    assert viewer.agent_id is None
    assert viewer.actor().agent_id is None


async def test_agent_sees_every_case(cases: FakeCases) -> None:
    viewer = viewer_of(tracker(metadata=agent()))

    for ref in cases.cases:
        assert (await visible_case(cases, viewer, ref)).ref == ref


async def test_customer_sees_a_case_with_their_verified_phone(cases: FakeCases) -> None:
    viewer = viewer_of(tracker(metadata=whatsapp()))

    assert (await visible_case(cases, viewer, "10000001")).ref == "10000001"


async def test_customer_sees_a_case_with_their_email_whatever_its_case(cases: FakeCases) -> None:
    viewer = viewer_of(tracker(metadata=webchat_identity(email=ANN_EMAIL)))

    assert (await visible_case(cases, viewer, "10000002")).ref == "10000002"
    assert (await visible_case(cases, viewer, "10000006")).ref == "10000006"


async def test_customer_sees_a_case_with_their_customer_id(cases: FakeCases) -> None:
    viewer = viewer_of(tracker(metadata=webchat_identity(customer_id=PROFILE)))

    assert (await visible_case(cases, viewer, "10000003")).ref == "10000003"


async def test_customer_sees_a_case_opened_in_this_conversation(cases: FakeCases) -> None:
    viewer = viewer_of(tracker(slots={"opened_cases": ["10000004"]}))

    assert (await visible_case(cases, viewer, "10000004")).ref == "10000004"


async def test_a_guessed_reference_is_answered_like_one_that_does_not_exist(
    cases: FakeCases,
) -> None:
    viewer = viewer_of(tracker(metadata=whatsapp()))

    with pytest.raises(CaseNotFound) as someone_elses:
        await visible_case(cases, viewer, "10000004")
    with pytest.raises(CaseNotFound) as nobodys:
        await visible_case(cases, viewer, "99999999")

    assert type(someone_elses.value) is type(nobodys.value)
    assert str(someone_elses.value) == "10000004"
    assert "bob@example.com" not in str(someone_elses.value)


async def test_an_anonymous_customer_sees_nothing_but_what_they_opened(cases: FakeCases) -> None:
    viewer = viewer_of(tracker(metadata={"channel": "webchat", "role": "customer"}))

    for ref in cases.cases:
        with pytest.raises(CaseNotFound):
            await visible_case(cases, viewer, ref)
    assert await own_cases(cases, viewer) == []
    assert await last_case(cases, viewer) is None


async def test_own_cases_merge_every_verified_way_newest_first(cases: FakeCases) -> None:
    cases.add("10000005", contact=ANN_PHONE, age=timedelta(hours=1))
    metadata = {**whatsapp(), "identity": {"email": ANN_EMAIL, "customer_id": PROFILE}}
    viewer = viewer_of(tracker(metadata=metadata, slots={"opened_cases": ["10000004"]}))

    found = await own_cases(cases, viewer)

    assert sorted(c.ref for c in found) == [
        "10000001",
        "10000002",
        "10000003",
        "10000004",
        "10000005",
    ]
    assert found[0].ref == "10000005"
    assert (await last_case(cases, viewer)).ref == "10000005"  # type: ignore[union-attr]


async def test_a_search_result_the_customer_may_not_see_is_dropped(cases: FakeCases) -> None:
    # a back end whose contact search matches loosely must not widen what a customer sees
    async def loose_search(filter: CaseFilter, page: str | None = None) -> Page:
        return Page(cases=list(cases.cases.values()))

    cases.search_cases = loose_search  # type: ignore[method-assign]
    viewer = viewer_of(tracker(metadata=whatsapp()))

    assert [c.ref for c in await own_cases(cases, viewer)] == ["10000001"]


async def test_agents_last_case_is_the_last_one_opened_in_this_conversation(
    cases: FakeCases,
) -> None:
    viewer = viewer_of(tracker(metadata=agent(), slots={"opened_cases": ["10000002", "10000004"]}))

    assert (await last_case(cases, viewer)).ref == "10000004"  # type: ignore[union-attr]
    assert await last_case(cases, viewer_of(tracker(metadata=agent()))) is None
