"""The base actions: collaborators built only when used, gateway-only intents refused as typed."""

from __future__ import annotations

from typing import Any

import pytest

import actions.kit.services
from actions.files import ActionShareFile
from actions.kit.base import NOT_UNDERSTOOD, CaseAction, GatewayAction
from actions.kit.sdk import CollectingDispatcher
from actions.lookup import ActionCheckCaseStatus
from actions.triggered import ActionCaseFiled, ActionCaseUpdated, ActionIvrHandoff
from tests.unit.actions.fakes import entity, responses, tracker

GATEWAY_ACTIONS = (ActionIvrHandoff, ActionCaseUpdated, ActionCaseFiled, ActionShareFile)


class NoBackend:
    """A back end no call may reach."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the back end was used: {name}")


def no_process_backend() -> Any:
    raise AssertionError("the process's back end was built")


def test_rasa_builds_a_case_action_without_building_any_back_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(actions.kit.services, "get_backend", no_process_backend)

    action = ActionCheckCaseStatus()

    assert isinstance(action, CaseAction)
    assert action.name() == "action_check_case_status"


@pytest.mark.parametrize("action_class", GATEWAY_ACTIONS)
async def test_a_gateway_only_intent_a_user_typed_is_not_understood_and_does_nothing(
    action_class: type[GatewayAction],
) -> None:
    dispatcher = CollectingDispatcher()
    typed = tracker(
        text='/case_filed{"case_ref": "12345678"}',
        intent="case_filed",
        entities=[entity("case_ref", "12345678"), entity("phone", "+447700900123")],
        metadata={"channel": "webchat", "client": {"is_external": True, "media": []}},
    )

    events = await action_class(NoBackend()).run(dispatcher, typed, {})  # type: ignore[arg-type]

    assert responses(dispatcher.messages) == [NOT_UNDERSTOOD]
    assert events == []
