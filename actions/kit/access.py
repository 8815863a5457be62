"""Who is asking, and which cases they may see.

A ``Viewer`` is built from what the gateway vouches for, never from what the user typed: the
gateway sets the top-level metadata keys (``role``, ``phone``, ``contact``, and ``identity``
from a signed token), while anything a client sends travels under ``metadata["client"]``,
which is ignored here. The ``contact`` slot is not trusted, since the user fills it in the form.

Agents see every case. A customer sees a case whose contact is one of their verified contacts,
whose customer id is theirs, that was opened in this conversation (``opened_cases``), or that
they proved theirs here with a one-time code (``verified_cases``, set only by that action). A case
the viewer may not see is answered exactly like a reference that names no case: ``CaseNotFound``.
Where several cases share a reference (Connect Cases does not keep them unique), only those the
viewer may see count, and when more than one is left they choose (``CaseToChoose``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from actions.kit.handles import names, parse_handle
from actions.kit.normalise import normalise_email, normalise_phone
from actions.kit.sdk import Tracker
from actions.kit.slots import (
    CHANNEL,
    CUSTOMER_ID,
    OPENED_CASES,
    ROLE,
    SESSION_STARTED_METADATA,
    VERIFIED_CASES,
)
from cases.backend import Actor, Case, CaseBackend, CaseFilter, CaseNotFound, Conflict
from cases.paging import search_all

Role = Literal["customer", "agent"]

#: how many cases one search for a customer's own cases reads at most
OWN_CASES_LIMIT = 200
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Viewer:
    """The person on the other end of a conversation, as far as the gateway vouches."""

    role: Role
    conversation_id: str
    channel: str
    #: verified email addresses and E.164 phone numbers, normalised
    contacts: frozenset[str] = frozenset()
    customer_id: str | None = None
    agent_id: str | None = None
    #: handles (``actions.kit.handles``) of the cases opened in this conversation, oldest first
    opened_cases: tuple[str, ...] = ()
    #: handles of the cases proved theirs in this conversation with a one-time code
    verified_cases: tuple[str, ...] = ()

    @property
    def is_agent(self) -> bool:
        """Whether this is a contact-centre agent."""
        return self.role == "agent"

    def can_see(self, case: Case) -> bool:
        """Whether this viewer may see ``case`` at all."""
        if self.is_agent:
            return True
        if any(names(known, case) for known in (*self.opened_cases, *self.verified_cases)):
            return True
        if self.customer_id and case.customer_id == self.customer_id:
            return True
        return bool(case.contact) and _contact_key(case.contact) in {
            _contact_key(contact) for contact in self.contacts
        }

    def actor(self) -> Actor:
        """Who a change made by this viewer is recorded as.

        An agent is recorded by their user id; one without (an allow-listed WhatsApp number)
        by their verified number, so their changes are never taken for a customer's.
        """
        agent = (self.agent_id or min(self.contacts, default=None)) if self.is_agent else None
        return Actor(channel=self.channel, conversation_id=self.conversation_id, agent_id=agent)


def started_by_gateway(tracker: Tracker) -> bool:
    """Whether the gateway started this turn through Rasa's token-protected ``trigger_intent``.

    Rasa marks such a turn ``is_external`` in the latest message's metadata. A user can type
    any intent, ``/case_updated{"case_ref": "..."}`` included, and Rasa reads it as that intent
    with those entities; but a typed message carries the gateway's channel metadata, where a
    client's own keys only ever travel under ``client``.
    """
    return _dict(tracker.latest_message.get("metadata")).get("is_external") is True


def viewer_of(tracker: Tracker, phone_region: str = "GB") -> Viewer:
    """The viewer of this conversation, from the gateway's metadata and the actions' slots."""
    latest = _dict(tracker.latest_message.get("metadata"))
    started = _dict(tracker.get_slot(SESSION_STARTED_METADATA))
    sources = [latest, started]
    identities = [_dict(source.get("identity")) for source in sources]
    role = _first_role([*identities, latest, started], tracker.get_slot(ROLE))
    contacts: set[str] = set()
    for source in sources:
        contacts.update(_verified(source.get("phone"), source.get("contact"), phone_region))
    for identity in identities:
        contacts.update(_verified(identity.get("phone"), identity.get("email"), phone_region))
    opened = tracker.get_slot(OPENED_CASES)
    verified = tracker.get_slot(VERIFIED_CASES)
    channel = _first_text([latest.get("channel"), started.get("channel")])
    return Viewer(
        role=role,
        conversation_id=tracker.sender_id,
        channel=(channel or _text(tracker.get_slot(CHANNEL)) or "unknown").lower(),
        contacts=frozenset(contacts),
        customer_id=_first_text(
            [*(i.get("customer_id") for i in identities), tracker.get_slot(CUSTOMER_ID)]
        ),
        agent_id=_first_text(i.get("agent_id") for i in identities) if role == "agent" else None,
        opened_cases=tuple(ref for ref in opened or () if isinstance(ref, str)),
        verified_cases=tuple(ref for ref in _list(verified) if isinstance(ref, str)),
    )


class CaseToChoose(CaseNotFound):
    """More than one case the viewer may see carries the reference: they must pick one.

    A ``CaseNotFound``, so that wherever no choice can be offered, no case is guessed either.
    """

    def __init__(self, ref: str, cases: list[Case]) -> None:
        super().__init__(ref)
        self.ref = ref
        #: the cases to choose from, newest first
        self.cases = cases


async def visible_case(
    backend: CaseBackend, viewer: Viewer, ref: str, case_id: str | None = None
) -> Case:
    """The case ``ref`` names; ``CaseNotFound`` when there is none or the viewer may not see it.

    ``case_id`` picks one case of a reference (a choice offered before). A reference more than
    one case carries is answered with the one the viewer may see, or ``CaseToChoose`` when
    they may see several: never with a case of someone else.
    """
    try:
        case = await backend.get_case(ref, case_id)
    except Conflict:
        mine = [found for found in await backend.find_cases(ref) if viewer.can_see(found)]
        if len(mine) > 1:
            raise CaseToChoose(ref, newest_first(mine)) from None
        if not mine:
            raise CaseNotFound(ref) from None
        case = mine[0]
    if not viewer.can_see(case):
        # the same error, with nothing of the case in it, as for a reference that names nothing
        raise CaseNotFound(ref)
    return case


async def own_cases(backend: CaseBackend, viewer: Viewer) -> list[Case]:
    """Every case a customer may see, newest first: by contact, customer id, this conversation."""
    filters = [CaseFilter(contact=contact) for contact in sorted(viewer.contacts)]
    if viewer.customer_id:
        filters.append(CaseFilter(customer_id=viewer.customer_id))
    # by id: two of one customer's cases may share a reference
    found: dict[str, Case] = {}
    for search in filters:
        for case in await search_all(backend, search, limit=OWN_CASES_LIMIT):
            found.setdefault(case.case_id, case)
    for opened in (*viewer.opened_cases, *viewer.verified_cases):
        if any(names(opened, case) for case in found.values()):
            continue
        try:
            case = await visible_case(backend, viewer, *parse_handle(opened))
        except CaseNotFound:
            continue
        found.setdefault(case.case_id, case)
    return newest_first(case for case in found.values() if viewer.can_see(case))


async def last_case(backend: CaseBackend, viewer: Viewer) -> Case | None:
    """The newest case this viewer may see without naming one; agents have no "own" cases."""
    if viewer.is_agent:
        if not viewer.opened_cases:
            return None
        try:
            return await visible_case(backend, viewer, *parse_handle(viewer.opened_cases[-1]))
        except CaseNotFound:
            return None
    cases = await own_cases(backend, viewer)
    return cases[0] if cases else None


def newest_first(cases: Iterable[Case]) -> list[Case]:
    """``cases`` sorted by when they were created (else last changed), newest first."""
    return sorted(cases, key=lambda c: c.created_at or c.updated_at or _EPOCH, reverse=True)


def _verified(phone: object, other: object, region: str) -> set[str]:
    found: set[str] = set()
    for value in (phone, other):
        text = _text(value)
        if not text:
            continue
        normal = normalise_email(text) if "@" in text else normalise_phone(text, region)
        if normal:
            found.add(normal)
    return found


def _contact_key(contact: str) -> str:
    # emails compare without case; phone numbers are already E.164
    return contact.strip().casefold()


def _first_role(sources: list[Mapping[str, Any]], slot: object) -> Role:
    for source in sources:
        role = source.get("role")
        if role in ("customer", "agent"):
            return "agent" if role == "agent" else "customer"
    return "agent" if slot == "agent" else "customer"


def _first_text(values: Iterable[object]) -> str | None:
    for value in values:
        text = _text(value)
        if text:
            return text
    return None


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
