"""A handoff with HANDOFF_MODE=connect_chat: the real Connect back end and chat over the sandbox."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import yaml
from rasa_sdk.events import ActionExecuted, BotUttered, ConversationPaused, UserUttered

from actions.handoff import ActionRequestHuman
from actions.kit.livechat import LIVE_CHAT_KEY
from actions.kit.sdk import CollectingDispatcher, Tracker
from actions.kit.settings import ActionSettings
from cases.backend import BackendUnavailable
from cases.connect.backend import ConnectCasesBackend
from cases.connect.chat import ConnectChat
from cases.connect.domain import CasesDomain
from cases.connect.queues import QueueDirectory
from cases.template import load_template_spec
from tests.unit.actions.conftest import TEMPLATE_FILE
from tests.unit.actions.fakes import FakeCases, responses, tracker, whatsapp
from tests.unit.actions.test_lookup_sandbox import new_phone, open_case
from tests.unit.sandbox.conftest import SEED_FILE, SandboxServer, make_settings
from tests.unit.sandbox.connect_chat.support import FLOW, INSTANCE, aws_client

PAUSED = [ActionExecuted("action_listen"), ConversationPaused()]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    server = SandboxServer(make_settings(tmp_path_factory.mktemp("live") / "db.sqlite3")).start()
    yield server
    server.stop()


@pytest.fixture
def backend(server: SandboxServer) -> ConnectCasesBackend:
    seed = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
    return ConnectCasesBackend(
        server.client(),
        seed["domain"]["domainId"],
        seed["template"]["templateId"],
        spec=load_template_spec(TEMPLATE_FILE),
        # assigned_queue holds a queue id: the handoff queue's name is looked up on the instance
        queues=QueueDirectory(aws_client("connect", f"{server.url}/connect"), INSTANCE),
    )


@pytest.fixture
def live(settings: ActionSettings) -> ActionSettings:
    return settings.model_copy(update={"handoff_mode": "connect_chat"})


def chat_on(server: SandboxServer, flow: str = FLOW) -> ConnectChat:
    seed = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
    domain = CasesDomain(server.client(), seed["domain"]["domainId"])
    return ConnectChat(aws_client("connect", f"{server.url}/connect"), INSTANCE, flow, domain.place)


def asked_for_a_person(phone: str, ref: str | None = None) -> Tracker:
    return tracker(
        metadata={**whatsapp(phone), "name": "Ann Smith"},
        slots={"opened_cases": [ref] if ref else []},
        events=[
            UserUttered("my parcel is lost", {"intent": {"name": "open_case"}}),
            BotUttered("Let's open a case."),
            UserUttered("a person please", {"intent": {"name": "request_human"}}),
        ],
        sender=f"whatsapp:{uuid.uuid4().hex[:10]}",
    )


async def run(action: ActionRequestHuman, t: Tracker) -> tuple[list[Any], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    return events, dispatcher.messages


def agent_view(server: SandboxServer, contact_id: str) -> dict[str, Any]:
    answer = httpx.get(f"{server.url}/_sandbox/connect-chat/chats/{contact_id}", timeout=10)
    answer.raise_for_status()
    found: dict[str, Any] = answer.json()
    return found


async def test_handoff_starts_a_chat_linked_to_the_case_and_hands_it_to_the_gateway(
    server: SandboxServer, backend: ConnectCasesBackend, live: ActionSettings
) -> None:
    phone = new_phone()
    ref = await open_case(backend, phone, "Parcel lost")
    t = asked_for_a_person(phone, ref)

    events, said = await run(ActionRequestHuman(backend, live, chat=chat_on(server)), t)

    assert responses(said) == ["utter_handoff_chat_case", None]
    handed = said[1]["custom"][LIVE_CHAT_KEY]
    assert handed["case_ref"] == ref and handed["participant_token"]
    seen = agent_view(server, handed["contact_id"])
    assert seen["chat"]["state"] == "WAITING"
    assert seen["chat"]["customer"] == "Ann Smith"
    assert seen["chat"]["attributes"] == {
        "caseReference": ref,
        "channel": "whatsapp",
        "conversationId": t.sender_id,
    }
    assert any("Customer: my parcel is lost" in i.get("Content", "") for i in seen["items"])
    # linked: Connect Cases finds the case from the chat's contact
    [linked] = await backend.cases_for_contact(
        f"arn:aws:connect:us-east-1:123456789012:instance/{INSTANCE}/contact/{handed['contact_id']}"
    )
    assert linked.ref == ref
    assert (await backend.get_case(ref)).fields.get("assigned_queue") == live.handoff_queue
    assert events[-2:] == PAUSED
    assert events[0]["name"] == "case_ref" and ref in events[0]["value"]


async def test_a_retried_handoff_turn_starts_no_second_chat(
    server: SandboxServer, backend: ConnectCasesBackend, live: ActionSettings
) -> None:
    phone = new_phone()
    ref = await open_case(backend, phone, "Parcel lost")
    t = asked_for_a_person(phone, ref)
    action = ActionRequestHuman(backend, live, chat=chat_on(server))

    _, first = await run(action, t)
    _, again = await run(action, t)

    assert again[1]["custom"][LIVE_CHAT_KEY] == first[1]["custom"][LIVE_CHAT_KEY]


async def test_full_flow_tells_the_truth_at_once_and_does_not_pause(
    server: SandboxServer, backend: ConnectCasesBackend, live: ActionSettings
) -> None:
    phone = new_phone()
    ref = await open_case(backend, phone, "Parcel lost")
    t = asked_for_a_person(phone, ref)

    events, said = await run(
        ActionRequestHuman(backend, live, chat=chat_on(server, "sandbox-full")), t
    )

    assert responses(said) == ["utter_handoff_chat_unavailable_case"]
    assert said[0]["case_ref"] == ref
    assert not any(isinstance(e, dict) and e.get("event") == "pause" for e in events)
    # the case is with the team all the same
    assert (await backend.get_case(ref)).fields.get("assigned_queue") == live.handoff_queue


async def test_no_case_and_no_chat_offers_a_case_and_does_not_pause(
    server: SandboxServer, live: ActionSettings
) -> None:
    t = asked_for_a_person(new_phone())

    events, said = await run(
        ActionRequestHuman(FakeCases(), live, chat=chat_on(server, "sandbox-full")), t
    )

    assert responses(said) == ["utter_handoff_chat_unavailable"]
    assert events == []


async def test_chat_without_a_case_still_reaches_a_person(
    server: SandboxServer, live: ActionSettings
) -> None:
    t = asked_for_a_person(new_phone())

    events, said = await run(ActionRequestHuman(FakeCases(), live, chat=chat_on(server)), t)

    assert responses(said) == ["utter_handoff_chat", None]
    handed = said[1]["custom"][LIVE_CHAT_KEY]
    assert handed["case_ref"] is None
    assert "caseReference" not in agent_view(server, handed["contact_id"])["chat"]["attributes"]
    assert events == PAUSED


async def test_a_link_that_fails_does_not_stop_the_chat(
    server: SandboxServer, live: ActionSettings
) -> None:
    cases = FakeCases()
    cases.add("10000001", contact="+447700900123")

    async def refuse(ref: object, contact_id: str) -> None:
        raise BackendUnavailable("down")

    cases.link_contact = refuse  # type: ignore[method-assign]
    t = asked_for_a_person("+447700900123", "10000001")

    events, said = await run(ActionRequestHuman(cases, live, chat=chat_on(server)), t)

    assert responses(said) == ["utter_handoff_chat_case", None]
    assert events[-2:] == PAUSED


async def test_queue_mode_starts_no_chat(
    server: SandboxServer, backend: ConnectCasesBackend, settings: ActionSettings
) -> None:
    phone = new_phone()
    ref = await open_case(backend, phone, "Parcel lost")

    class NoChat:
        async def start(self, *args: object) -> Any:
            raise AssertionError("queue mode starts no chat")

    events, said = await run(
        ActionRequestHuman(backend, settings, chat=NoChat()), asked_for_a_person(phone, ref)
    )

    assert responses(said) == ["utter_handoff_case"]
    assert events[-2:] == PAUSED
