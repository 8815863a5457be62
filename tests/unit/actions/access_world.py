"""Ann, her cases, and everyone who may or may not see them, for the access tests.

Ann owns four cases, one for each way a case can be hers: by her WhatsApp number, by the email
in her identity token, by her customer profile, and by having opened it in an anonymous webchat.
Bob opened one in another webchat. Each user is named by what they do at the gateway.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from actions.kit.sdk import Action, CollectingDispatcher
from tests.unit.actions.access_support import (
    AGENT_PHONE,
    Stand,
    User,
    on_twilio,
    on_webchat,
    on_whatsapp,
    signed,
    unique_email,
    unique_phone,
    unique_profile,
)
from tests.unit.actions.fakes import tracker

REF = re.compile(r"\b(?:\d{8}|20\d{14})\b")


@dataclass
class World:
    """Ann, her four cases (one per way a case is hers), and Bob's case from another chat."""

    stand: Stand
    phone: str
    email: str
    profile: str
    #: the anonymous webchat conversation Ann opened a case in
    chat: User
    refs: dict[str, str]
    titles: dict[str, str]
    bobs_ref: str

    @classmethod
    async def make(cls, stand: Stand) -> World:
        phone, email, profile = unique_phone(), unique_email("ann"), unique_profile()
        chat = on_webchat()
        contacts = {
            "phone": (phone, None, ""),
            "email": (email, None, ""),
            # her old landline is in no token: the profile alone makes this case hers
            "profile": ("+441632960001", profile, ""),
            # an address only typed into the form, so only the conversation makes it hers
            "conversation": (unique_email("typed"), None, chat.conversation_id),
        }
        refs, titles = {}, {}
        for key, (contact, customer, conversation) in contacts.items():
            titles[key] = f"Ann's private {key} matter"
            refs[key] = await stand.open(titles[key], contact, customer, conversation)
        bob = on_webchat()
        bobs_ref = await stand.open("Bob's router", unique_email("bob"), None, bob.conversation_id)
        return cls(stand, phone, email, profile, chat, refs, titles, bobs_ref)


@dataclass(frozen=True)
class Who:
    """A user, the case of Ann's they ask about, and who their changes are recorded as."""

    user: User
    target: str
    performer: str = ""
    is_agent: bool = False


OWNERS: dict[str, Callable[[World], Who]] = {
    "whatsapp number on the case": lambda w: Who(
        on_whatsapp(w.phone), "phone", w.stand.assistant("whatsapp")
    ),
    "twilio number on the case": lambda w: Who(
        on_twilio(w.phone), "phone", w.stand.assistant("twilio")
    ),
    "token email on the case": lambda w: Who(
        on_webchat(signed(email=w.email)), "email", w.stand.assistant("webchat")
    ),
    "token customer profile on the case": lambda w: Who(
        on_webchat(signed(customer_id=w.profile, email=unique_email("ann.work"))),
        "profile",
        w.stand.assistant("webchat"),
    ),
    "anonymous in the conversation that opened it": lambda w: Who(
        w.chat.having_opened(w.refs["conversation"]), "conversation", w.stand.assistant("webchat")
    ),
}
AGENTS: dict[str, Callable[[World], Who]] = {
    "agent by whatsapp allow-list": lambda w: Who(
        on_whatsapp(AGENT_PHONE), "phone", w.stand.agent(AGENT_PHONE, "whatsapp"), True
    ),
    "agent by twilio allow-list": lambda w: Who(
        on_twilio(AGENT_PHONE), "phone", w.stand.agent(AGENT_PHONE, "twilio"), True
    ),
    "agent by token role": lambda w: Who(
        on_webchat(signed(role="agent", agent_id=w.stand.agent_id, email="agent7@example.com")),
        "email",
        w.stand.agent(w.stand.agent_id, "webchat"),
        True,
    ),
}
STRANGERS: dict[str, Callable[[World], Who]] = {
    "another whatsapp number": lambda w: Who(on_whatsapp(unique_phone()), "phone"),
    "another twilio number": lambda w: Who(on_twilio(unique_phone()), "phone"),
    "another token identity": lambda w: Who(
        on_webchat(
            signed(email=unique_email("bob"), phone=unique_phone(), customer_id=unique_profile())
        ),
        "email",
    ),
    "a token with another customer profile": lambda w: Who(
        on_webchat(signed(customer_id=unique_profile())), "profile"
    ),
    "anonymous": lambda w: Who(on_webchat(), "conversation"),
    "anonymous with a case of its own": lambda w: Who(
        on_webchat().having_opened(w.bobs_ref), "conversation"
    ),
    "a customer token naming an agent id": lambda w: Who(
        on_webchat(signed(role="customer", agent_id=w.stand.agent_id)), "email"
    ),
    "page metadata claiming to be ann and an agent": lambda w: Who(
        on_webchat(
            client={
                "role": "agent",
                "phone": w.phone,
                "contact": w.email,
                "identity": {"role": "agent", "email": w.email, "customer_id": w.profile},
            }
        ),
        "email",
    ),
}
ALLOWED = {**OWNERS, **AGENTS}


@dataclass(frozen=True)
class Turn:
    """What an action said and the events it returned."""

    messages: list[dict[str, Any]]
    events: list[dict[str, Any]]

    def shown(self, ref: str) -> str:
        """The turn as JSON with ``ref`` written ``<ref>``, to compare two turns byte for byte."""
        return json.dumps([self.messages, self.events], sort_keys=True).replace(ref, "<ref>")


async def run(action: Action, user: User, **given: Any) -> Turn:
    """Run ``action`` on a turn of ``user``'s with ``given`` as the tracker's other parts."""
    slots = dict(given.pop("slots", {}))
    slots.setdefault("opened_cases", list(user.opened) or None)
    slots.setdefault("session_started_metadata", user.metadata)
    t = tracker(metadata=user.metadata, sender=user.conversation_id, slots=slots, **given)
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    return Turn(dispatcher.messages, events)


def shown_refs(turn: Turn) -> set[str]:
    """Every case reference the turn's texts show."""
    return {ref for message in turn.messages for ref in REF.findall(message.get("text") or "")}


def added(before: list[Any], after: list[Any]) -> list[Any]:
    """What a case's trail gained between ``before`` and ``after``."""
    return list((Counter(after) - Counter(before)).elements())
