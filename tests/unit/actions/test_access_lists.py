"""Who may list which cases, and what only agents may change, over the sandbox's back ends.

Customers list exactly their own cases whatever they ask for; agents list any customer's open
cases and their own, set status and assignment, and write internal notes as themselves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from actions.changes import ActionAddCaseComment, ActionUpdateCase
from actions.kit.handles import shown_ref
from actions.kit.settings import ActionSettings
from actions.lookup import ActionCheckCaseStatus, ActionListCases
from tests.unit.actions.access_support import AGENT_PHONE, Stand, User, on_whatsapp, stand_for
from tests.unit.actions.access_world import (
    AGENTS,
    OWNERS,
    STRANGERS,
    World,
    added,
    run,
    shown_refs,
)
from tests.unit.actions.fakes import entity, responses
from tests.unit.sandbox.conftest import SandboxServer, make_settings


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    server = SandboxServer(make_settings(tmp_path_factory.mktemp("lists") / "db.sqlite3")).start()
    yield server
    server.stop()


@pytest.fixture(params=["connect", "aicc"])
async def stand(
    request: pytest.FixtureRequest, server: SandboxServer, tmp_path: Path
) -> AsyncIterator[Stand]:
    made = stand_for(request.param, server, tmp_path)
    yield made
    await made.close()


@pytest.fixture
async def world(stand: Stand) -> World:
    return await World.make(stand)


@pytest.mark.parametrize("who", {**OWNERS, **STRANGERS})
async def test_a_customer_lists_exactly_their_own_cases(
    world: World, settings: ActionSettings, who: str
) -> None:
    asker = {**OWNERS, **STRANGERS}[who](world)

    turn = await run(
        ActionListCases(world.stand.backend, settings),
        asker.user,
        text="my cases",
        intent="list_cases",
    )

    shown = shown_refs(turn)
    anns = {world.refs[asker.target]} if who in OWNERS else set()
    assert shown & set(world.refs.values()) == anns
    if who == "anonymous with a case of its own":
        assert shown == {world.bobs_ref}
    if not shown:
        assert responses(turn.messages) == ["utter_no_cases"]
        assert not any(title in str(turn.messages) for title in world.titles.values())


@pytest.mark.parametrize("who", {**AGENTS, **OWNERS, **STRANGERS})
async def test_only_agents_list_the_open_cases_of_a_customers_number(
    world: World, settings: ActionSettings, who: str
) -> None:
    asker = {**AGENTS, **OWNERS, **STRANGERS}[who](world)
    spaced = f"{world.phone[:3]} {world.phone[3:7]} {world.phone[7:]}"

    turn = await run(
        ActionListCases(world.stand.backend, settings),
        asker.user,
        text=f"open cases for {spaced}",
        intent="list_cases",
        entities=[entity("phone", spaced)],
    )

    if asker.is_agent:
        expected = {world.refs["phone"]}
    elif who in OWNERS:
        # a customer gets their own list, whatever number they name
        expected = {world.refs[asker.target]}
    else:
        expected = set()
    assert shown_refs(turn) & set(world.refs.values()) == expected


@pytest.mark.parametrize("who", {**AGENTS, **OWNERS, **STRANGERS})
async def test_status_without_a_reference_is_the_users_own_newest_case(
    world: World, settings: ActionSettings, who: str
) -> None:
    asker = {**AGENTS, **OWNERS, **STRANGERS}[who](world)

    turn = await run(
        ActionCheckCaseStatus(world.stand.backend, settings),
        asker.user,
        text="status of my case",
        intent="check_case_status",
    )

    kept = [shown_ref(e["value"]) for e in turn.events if e.get("name") == "case_ref"]
    if who in OWNERS:
        assert kept == [world.refs[asker.target]]
    elif who == "anonymous with a case of its own":
        assert kept == [world.bobs_ref]
    else:
        assert responses(turn.messages) == [
            "utter_ask_case_ref" if asker.is_agent else "utter_no_cases"
        ]
        assert turn.events == []


@pytest.mark.parametrize("who", AGENTS)
async def test_agents_change_status_and_write_internal_notes_as_themselves(
    world: World, settings: ActionSettings, who: str
) -> None:
    agent = AGENTS[who](world)
    ref = world.refs[agent.target]
    stand = world.stand
    before = await stand.trail(ref)

    changed = await run(
        ActionUpdateCase(stand.backend, settings),
        agent.user,
        text=f"mark case {ref} as pending",
        intent="update_case",
        entities=[entity("case_ref", ref, 5)],
    )
    noted = await run(
        ActionAddCaseComment(stand.backend, settings),
        agent.user,
        intent="add_case_comment",
        entities=[entity("case_ref", ref)],
        slots={"comment_text": "Engineer booked for Tuesday."},
    )

    assert responses(changed.messages + noted.messages) == [
        "utter_case_updated",
        "utter_comment_added",
    ]
    assert (await stand.backend.get_case(ref)).status == "pending"
    new = added(before, await stand.trail(ref))
    assert ("status", agent.performer) in new
    assert ("comment", agent.performer) in new


async def test_an_agent_with_a_user_id_takes_a_case_and_finds_it_among_their_own(
    world: World, settings: ActionSettings
) -> None:
    agent = AGENTS["agent by token role"](world)
    ref = world.refs["email"]

    took = await run(
        ActionUpdateCase(world.stand.backend, settings),
        agent.user,
        text=f"assign case {ref} to me",
        intent="update_case",
        entities=[entity("case_ref", ref, 12)],
    )
    mine = await run(
        ActionListCases(world.stand.backend, settings),
        agent.user,
        text="my medium-priority cases",
        intent="list_cases",
        entities=[entity("priority", "Medium")],
    )

    assert responses(took.messages) == ["utter_case_updated"]
    assert ref in shown_refs(mine)


@pytest.mark.parametrize("who", OWNERS)
@pytest.mark.parametrize(
    ("text", "start"), [("mark case {ref} as closed", 5), ("assign case {ref} to me", 12)]
)
async def test_customers_may_not_set_status_or_assignment_even_on_their_own_case(
    world: World, settings: ActionSettings, who: str, text: str, start: int
) -> None:
    owner = OWNERS[who](world)
    ref = world.refs[owner.target]
    trail = await world.stand.trail(ref)

    turn = await run(
        ActionUpdateCase(world.stand.backend, settings),
        owner.user,
        text=text.format(ref=ref),
        intent="update_case",
        entities=[entity("case_ref", ref, start)],
    )

    assert responses(turn.messages) == ["utter_change_not_allowed"]
    assert await world.stand.trail(ref) == trail


async def test_a_list_continued_after_agent_rights_end_shows_no_one_elses_cases(
    world: World, settings: ActionSettings
) -> None:
    # an agent lists a customer's cases; the number then leaves the allow-list (the gateway
    # now says "customer") and its "Show more" button is pressed
    for n in range(3):
        await world.stand.open(f"Ann's further matter {n}", world.phone)
    agent = on_whatsapp(AGENT_PHONE)
    first = await run(
        ActionListCases(world.stand.backend, settings),
        agent,
        text=f"open cases for {world.phone}",
        intent="list_cases",
        entities=[entity("phone", world.phone)],
    )
    assert first.messages[0]["buttons"][0]["title"] == "Show more"
    former = User(agent.conversation_id, {**agent.metadata, "role": "customer"})

    more = await run(
        ActionListCases(world.stand.backend, settings),
        former,
        text="/list_cases",
        intent="list_cases",
        entities=[entity("list_page", "2")],
        slots={"list_next": first.events[0]["value"]},
    )

    assert not shown_refs(more) & set(world.refs.values())
    assert "Ann's" not in str(more.messages)
