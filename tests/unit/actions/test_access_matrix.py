"""Who may read and change which case: every path that names a case, for every kind of user.

The real actions run over the real Connect Cases and AICC adapters against the sandbox (see
``access_world`` for Ann's cases and the users). Owners and agents may use every path, and their
changes name them; anyone else asking about one of Ann's cases gets, byte for byte, the answer a
reference that names no case gets, and the case is left as it was.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from rasa_sdk.events import ActionExecuted, SlotSet, UserUttered

from actions.changes import (
    ActionAddCaseComment,
    ActionAskCloseCase,
    ActionCloseCase,
    ActionUpdateCase,
)
from actions.handoff import ActionRequestHuman
from actions.kit.handles import handle_of
from actions.kit.settings import ActionSettings
from actions.lookup import ActionCheckCaseStatus
from tests.unit.actions.access_support import Stand, User, exists, stand_for
from tests.unit.actions.access_world import ALLOWED, STRANGERS, Turn, World, added, run
from tests.unit.actions.fakes import entity, responses
from tests.unit.sandbox.conftest import SandboxServer, make_settings


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    server = SandboxServer(make_settings(tmp_path_factory.mktemp("access") / "db.sqlite3")).start()
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


Probe = Callable[[Stand, ActionSettings, User, str], Awaitable[Turn]]


async def check_status(stand: Stand, settings: ActionSettings, user: User, ref: str) -> Turn:
    return await run(
        ActionCheckCaseStatus(stand.backend, settings),
        user,
        text=f"status of {ref}",
        intent="check_case_status",
        entities=[entity("case_ref", ref)],
    )


async def add_comment(stand: Stand, settings: ActionSettings, user: User, ref: str) -> Turn:
    return await run(
        ActionAddCaseComment(stand.backend, settings),
        user,
        intent="add_case_comment",
        entities=[entity("case_ref", ref)],
        slots={"comment_text": "The engineer never came."},
    )


async def lower_priority(stand: Stand, settings: ActionSettings, user: User, ref: str) -> Turn:
    return await run(
        ActionUpdateCase(stand.backend, settings),
        user,
        text=f"set case {ref} to low",
        intent="update_case",
        entities=[entity("case_ref", ref, 9), entity("priority", "Low", 21)],
    )


async def ask_to_close(stand: Stand, settings: ActionSettings, user: User, ref: str) -> Turn:
    return await run(
        ActionAskCloseCase(stand.backend, settings),
        user,
        text=f"close case {ref}",
        intent="close_case",
        entities=[entity("case_ref", ref)],
    )


async def confirm_close(stand: Stand, settings: ActionSettings, user: User, ref: str) -> Turn:
    asked_then_yes = [
        ActionExecuted("action_ask_close_case"),
        ActionExecuted("action_listen"),
        UserUttered("yes", {"intent": {"name": "affirm"}}),
    ]
    return await run(
        ActionCloseCase(stand.backend, settings),
        user,
        text="yes",
        intent="affirm",
        slots={"pending_close": ref},
        events=asked_then_yes,
    )


async def ask_for_a_person(stand: Stand, settings: ActionSettings, user: User, ref: str) -> Turn:
    return await run(
        ActionRequestHuman(stand.backend, settings),
        user,
        text=f"I need a person about {ref}",
        intent="request_human",
        entities=[entity("case_ref", ref)],
    )


PATHS: dict[str, Probe] = {
    "status": check_status,
    "comment": add_comment,
    "update": lower_priority,
    "ask to close": ask_to_close,
    "close": confirm_close,
    "handoff": ask_for_a_person,
}
WRITING_PATHS = {"comment", "update", "close", "handoff"}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("who", ALLOWED)
async def test_owners_and_agents_use_every_path_and_writes_name_who_made_them(
    world: World, settings: ActionSettings, who: str, path: str
) -> None:
    asker = ALLOWED[who](world)
    ref, title = world.refs[asker.target], world.titles[asker.target]
    before = await world.stand.trail(ref)

    turn = await PATHS[path](world.stand, settings, asker.user, ref)

    case = await world.stand.backend.get_case(ref)
    new = added(before, await world.stand.trail(ref))
    said = responses(turn.messages)
    if path == "status":
        assert turn.messages[0]["text"].startswith(f"Case {ref}: {title}\nStatus: open")
        # the conversation keeps the case by reference and id: exactly this case next turn
        assert turn.events == [SlotSet("case_ref", handle_of(case))]
    elif path == "comment":
        assert said == ["utter_comment_added"]
        assert new == [("comment", asker.performer)]
    elif path == "update":
        assert said == ["utter_case_updated"]
        assert case.priority == "Low"
        assert new and {by for _, by in new} == {asker.performer}
    elif path == "ask to close":
        assert said == ["utter_ask_close_case"]
        assert turn.messages[0]["title"] == title
        assert SlotSet("pending_close", handle_of(case)) in turn.events
    elif path == "close":
        # the customer who closed it is asked how it went; an agent is not
        rated = [] if asker.is_agent else ["utter_ask_rating"]
        assert said == ["utter_case_closed", *rated]
        assert case.status == "closed"
        assert new and {by for _, by in new} == {asker.performer}
    else:
        assert said == ["utter_handoff_case"]
        assert new and {by for _, by in new} == {asker.performer}
    if path not in WRITING_PATHS:
        assert new == []


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("who", STRANGERS)
async def test_someone_elses_case_is_answered_as_no_case_and_left_untouched(
    world: World, settings: ActionSettings, who: str, path: str
) -> None:
    asker = STRANGERS[who](world)
    stand = world.stand
    ref, title = world.refs[asker.target], world.titles[asker.target]
    assert not await exists(stand.backend, stand.missing_ref)
    trail = await stand.trail(ref)

    writes = stand.writes()
    theirs = await PATHS[path](stand, settings, asker.user, ref)
    writes_for_theirs = Counter(stand.writes()) - Counter(writes)
    writes = stand.writes()
    nobodys = await PATHS[path](stand, settings, asker.user, stand.missing_ref)
    writes_for_nobodys = Counter(stand.writes()) - Counter(writes)

    assert theirs.shown(ref) == nobodys.shown(stand.missing_ref)
    assert title not in theirs.shown(ref)
    assert await stand.trail(ref) == trail
    assert writes_for_theirs == writes_for_nobodys
    case = await stand.backend.get_case(ref)
    assert (case.status, case.priority) == ("open", "Medium")
