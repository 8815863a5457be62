"""A fake in-memory CaseBackend with searches, updates, comments and history, and trackers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from actions.kit.sdk import Tracker
from cases.backend import (
    Actor,
    Attachment,
    BackendError,
    BackendUnavailable,
    Case,
    CaseDraft,
    CaseEvent,
    CaseFilter,
    CaseNotFound,
    CaseRef,
    CaseTemplate,
    Conflict,
    Page,
)

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
ANN_PHONE = "+447700900123"
ANN_EMAIL = "ann@example.org"
AGENT_ARN = "arn:aws:connect:us-east-1:123456789012:instance/abc/agent/agent-7"


class FakeCases:
    """Cases in a dict; every write and search is recorded; ``failure`` makes every call fail."""

    def __init__(self) -> None:
        self.cases: dict[str, Case] = {}
        self.assigned: dict[str, str | None] = {}
        self.history: dict[str, list[CaseEvent]] = {}
        self.updates: list[tuple[str, dict[str, str | None], Actor | None]] = []
        self.comments: list[tuple[str, str, Actor | None]] = []
        self.files: list[tuple[str, Attachment, Actor | None]] = []
        self.searches: list[tuple[CaseFilter, str | None]] = []
        self.reads: list[str] = []
        #: further cases carrying a reference of ``cases`` (Connect Cases allows it)
        self.sharing: list[Case] = []
        self.failure: BackendError | None = None

    def add(
        self,
        ref: str,
        *,
        title: str = "Parcel lost",
        status: str = "open",
        contact: str = "",
        customer_id: str | None = None,
        priority: str = "Medium",
        age: timedelta = timedelta(days=1),
        assigned_user: str | None = None,
        case_id: str | None = None,
    ) -> Case:
        case = Case(
            case_id=case_id or f"id-{ref}",
            ref=ref,
            title=title,
            status=status,
            contact=contact,
            customer_id=customer_id,
            priority=priority,
            created_at=NOW - age,
            updated_at=NOW - age,
        )
        if ref in self.cases:
            self.sharing.append(case)
        else:
            self.cases[ref] = case
        self.assigned[ref] = assigned_user
        return case

    def _carrying(self, ref: str) -> list[Case]:
        first = [self.cases[ref]] if ref in self.cases else []
        return first + [case for case in self.sharing if case.ref == ref]

    def _key(self, ref: CaseRef) -> str:
        if isinstance(ref, Case):
            if ref.case_id not in {case.case_id for case in self._carrying(ref.ref)}:
                raise CaseNotFound(ref.ref)
            return ref.ref
        if len(self._carrying(ref)) > 1:
            raise Conflict(ref)
        return ref

    def _fail(self) -> None:
        if self.failure is not None:
            raise self.failure

    async def create_case(self, draft: CaseDraft, idempotency_key: str) -> Case:
        self._fail()
        return self.add(f"{len(self.cases) + 1:08d}", title=draft.title, contact=draft.contact)

    async def get_case(self, ref: str, case_id: str | None = None) -> Case:
        self._fail()
        self.reads.append(ref)
        found = [c for c in self._carrying(ref) if case_id is None or c.case_id == case_id]
        if not found:
            raise CaseNotFound(ref)
        if len(found) > 1:
            raise Conflict(ref)
        return found[0]

    async def find_cases(self, ref: str) -> list[Case]:
        self._fail()
        self.reads.append(ref)
        return self._carrying(ref)

    async def search_cases(self, filter: CaseFilter, page: str | None = None) -> Page:
        self._fail()
        self.searches.append((filter, page))
        found = [
            case
            for case in self.cases.values()
            if (filter.contact is None or case.contact == filter.contact)
            and (filter.customer_id is None or case.customer_id == filter.customer_id)
            and (filter.status is None or case.status == filter.status)
            and (filter.priority is None or case.priority == filter.priority)
            and (filter.assigned_user is None or self.assigned[case.ref] == filter.assigned_user)
        ]
        found.sort(key=lambda c: c.created_at or NOW, reverse=filter.newest_first)
        size = filter.page_size or 10
        start = int(page) if page else 0
        end = start + size
        return Page(cases=found[start:end], next_token=str(end) if end < len(found) else None)

    async def update_case(
        self, ref: CaseRef, fields: dict[str, str | None], actor: Actor | None = None
    ) -> Case:
        self._fail()
        key = self._key(ref)
        case = ref if isinstance(ref, Case) else await self.get_case(key)
        ref = key
        self.updates.append((ref, dict(fields), actor))
        known = {k: v for k, v in fields.items() if k in Case.model_fields and v is not None}
        self.cases[ref] = case.model_copy(update={**known, "updated_at": NOW})
        return self.cases[ref]

    async def add_comment(self, ref: CaseRef, text: str, actor: Actor | None = None) -> None:
        self._fail()
        key = self._key(ref)
        self.comments.append((key, text, actor))

    async def attach_file(self, ref: CaseRef, file: Attachment, actor: Actor | None = None) -> None:
        self._fail()
        key = self._key(ref)
        self.files.append((key, file, actor))

    async def get_history(self, ref: CaseRef, since: datetime | None = None) -> list[CaseEvent]:
        self._fail()
        return list(self.history.get(self._key(ref), []))

    async def link_contact(self, ref: CaseRef, contact_id: str) -> None:
        self._fail()

    async def cases_for_contact(self, contact_id: str) -> list[Case]:
        self._fail()
        return []

    async def get_template(self) -> CaseTemplate:
        # the actions then validate against the template file alone
        raise BackendUnavailable("no template here")


def tracker(
    *,
    text: str = "",
    intent: str = "",
    entities: list[dict[str, Any]] | None = None,
    metadata: dict[str, Any] | None = None,
    slots: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    sender: str = "webchat:abc",
) -> Tracker:
    """A tracker as Rasa sends it to the action server, with the latest message given."""
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
        "metadata": metadata or {},
    }
    return Tracker.from_dict(
        {
            "sender_id": sender,
            "slots": dict(slots or {}),
            "latest_message": latest,
            "events": list(events or []),
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


def entity(name: str, value: str, start: int | None = None) -> dict[str, Any]:
    """An entity as the NLU pipeline reports it."""
    found: dict[str, Any] = {"entity": name, "value": value}
    if start is not None:
        found["start"] = start
    return found


def whatsapp(phone: str = ANN_PHONE) -> dict[str, Any]:
    """Message metadata the gateway sends for a WhatsApp user."""
    return {"channel": "whatsapp", "origin": "WhatsApp", "role": "customer", "phone": phone}


def webchat_identity(**claims: str) -> dict[str, Any]:
    """Message metadata for a webchat user with a verified identity token."""
    role = claims.get("role", "customer")
    return {"channel": "webchat", "origin": "webchat", "role": role, "identity": claims}


def agent(agent_id: str = AGENT_ARN) -> dict[str, Any]:
    """Message metadata for an agent identified by a verified token."""
    return webchat_identity(role="agent", agent_id=agent_id, email="agent7@example.com")


def responses(messages: list[dict[str, Any]]) -> list[str | None]:
    """The response names a dispatcher was asked to utter."""
    return [message.get("response") for message in messages]
