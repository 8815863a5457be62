"""The agent page and the agent API: a person plays the agent against the customer's websocket."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable

import httpx
import pytest

from sandbox.connect_chat import protocol
from tests.unit.sandbox.connect_chat.support import Chat, next_item, subscribe

HOSTILE = '<img src=x onerror="alert(1)">'


def form_action(page: str, ending: str) -> str:
    actions = [html.unescape(a) for a in re.findall(r'<form[^>]*action="([^"]+)"', page)]
    matching = [action for action in actions if action.endswith(ending)]
    assert len(matching) == 1, actions
    return matching[0]


def test_the_page_lists_a_waiting_chat_with_what_the_customer_wrote_escaped(
    start_chat: Callable[..., Chat], agent: httpx.Client
) -> None:
    chat = start_chat(
        name=HOSTILE,
        attributes={"caseReference": "87654321", "channel": HOSTILE},
        InitialMessage={"ContentType": "text/plain", "Content": f"help {HOSTILE}"},
    )

    listing = agent.get("/connect/agent")
    page = agent.get("/connect/agent", params={"chat": chat.contact_id})

    assert listing.status_code == 200
    assert listing.headers["content-type"].startswith("text/html")
    waiting = listing.text.split('<ul id="waiting">', 1)[1].split("</ul>", 1)[0]
    assert f"?chat={chat.contact_id}" in waiting
    assert HOSTILE not in listing.text and HOSTILE not in page.text
    assert html.escape(HOSTILE) in waiting
    assert "87654321" in page.text
    assert f"help {html.escape(HOSTILE)}" in page.text
    assert "Accept chat" in page.text


def test_a_reply_posted_through_the_pages_form_reaches_the_customers_websocket(
    start_chat: Callable[..., Chat], agent: httpx.Client
) -> None:
    chat = start_chat()
    with subscribe(chat.websocket_url) as socket:
        page = agent.get("/connect/agent", params={"chat": chat.contact_id}).text
        accepted = agent.post(form_action(page, "/accept"), data={"name": "Grace"})
        assert accepted.status_code == 303
        page = agent.get(accepted.headers["location"]).text
        assert "End chat" in page

        replied = agent.post(form_action(page, "/reply"), data={"content": "How can I help?"})
        assert replied.status_code == 303
        joined, reply = next_item(socket), next_item(socket)

        ended = agent.post(form_action(page, "/end"))
        assert ended.status_code == 303
        assert [next_item(socket)["ContentType"] for _ in range(2)] == [
            protocol.LEFT,
            protocol.ENDED,
        ]

    assert (joined["ContentType"], joined["DisplayName"]) == (protocol.JOINED, "Grace")
    assert (reply["ParticipantRole"], reply["Content"]) == ("AGENT", "How can I help?")
    assert (
        "The chat has ended" in agent.get("/connect/agent", params={"chat": chat.contact_id}).text
    )


def test_a_chat_nobody_accepts_keeps_waiting_and_the_agent_cannot_write_in_it(
    start_chat: Callable[..., Chat], agent: httpx.Client
) -> None:
    chat = start_chat()
    desk = f"/_sandbox/connect-chat/chats/{chat.contact_id}"
    time.sleep(0.3)

    assert agent.get(desk).json()["chat"]["state"] == "WAITING"
    assert agent.post(f"{desk}/messages", json={"content": "hi"}).status_code == 409
    assert agent.post(f"{desk}/end").status_code == 409
    assert agent.post(f"{desk}/accept").status_code == 200
    assert agent.post(f"{desk}/accept").status_code == 409


def test_the_agent_api_reads_a_chats_items_after_a_given_one(
    start_chat: Callable[..., Chat], agent: httpx.Client
) -> None:
    chat = start_chat(InitialMessage={"ContentType": "text/plain", "Content": "first"})
    desk = f"/_sandbox/connect-chat/chats/{chat.contact_id}"
    everything = agent.get(desk).json()["items"]
    agent.post(f"{desk}/accept").raise_for_status()

    newer = agent.get(desk, params={"after": everything[-1]["seq"]}).json()["items"]

    assert [item["ContentType"] for item in everything] == [protocol.JOINED, "text/plain"]
    assert [(item["ParticipantRole"], item["ContentType"]) for item in newer] == [
        ("AGENT", protocol.JOINED)
    ]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/_sandbox/connect-chat/chats/no-such-chat", 404),
        ("/_sandbox/connect-chat/chats?state=LOST", 400),
    ],
)
def test_the_agent_api_says_what_it_cannot_find(
    agent: httpx.Client, path: str, status: int
) -> None:
    assert agent.get(path).status_code == status


def test_an_oversized_or_unknown_form_post_is_refused(
    start_chat: Callable[..., Chat], agent: httpx.Client
) -> None:
    chat = start_chat()
    base = f"/connect/agent/chats/{chat.contact_id}"

    assert agent.post(f"{base}/accept", content=b"name=" + b"a" * 70_000).status_code == 413
    assert agent.post(f"{base}/transfer", data={}).status_code == 404
    state = agent.get(f"/_sandbox/connect-chat/chats/{chat.contact_id}").json()["chat"]["state"]
    assert state == "WAITING"
