"""The one interface every case back end implements, and its errors.

Actions talk to a ``CaseBackend`` only; which one runs is a setting (``CASE_BACKEND``).
Every method is async so the action server's event loop never blocks on a slow back end.

Exception tree (adapters raise these with ``raise ... from exc``; actions catch
``BackendError`` and answer the user with an ``utter_*`` response)::

    BackendError
    ├── CaseNotFound        the reference names no case (or none the caller may see)
    ├── InvalidCase         the back end rejected the values (validation, unknown field)
    ├── Conflict            an idempotency key reused with a different body, or a concurrent edit
    ├── Throttled           the back end asked us to slow down; retry later
    └── BackendUnavailable  down, timing out, denying access, or answering 5xx; retry later
        └── BackendNotConfigured  the settings name no usable back end; retrying will not help
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field


class BackendError(Exception):
    """Base of every error a case back end raises."""

    #: whether the same call may succeed later unchanged
    retryable: bool = False


class CaseNotFound(BackendError):
    """No case has this reference (or the caller may not see it)."""


class InvalidCase(BackendError):
    """The back end rejected the case's values."""


class Conflict(BackendError):
    """An idempotency key was reused with a different body, or the case changed meanwhile."""


class Throttled(BackendError):
    """The back end is throttling us."""

    retryable = True


class BackendUnavailable(BackendError):
    """The back end is down, unreachable, denying access or failing."""

    retryable = True


class BackendNotConfigured(BackendUnavailable):
    """The settings name a back end that is missing or incompletely configured."""

    retryable = False

    @classmethod
    def missing(cls, backend: str, settings: Mapping[str, object]) -> BackendNotConfigured:
        """The error naming each of ``settings`` (variable -> value) that ``backend`` lacks."""
        unset = [name for name, value in settings.items() if not value]
        return cls(f"CASE_BACKEND={backend} needs {' and '.join(unset)}")


Priority = Literal["Low", "Medium", "High", "Critical"]

#: the statuses the assistant speaks of; a back end maps them onto its own
OPEN, ON_HOLD, CLOSED = "open", "pending", "closed"
#: the statuses every back end has; ``ON_HOLD`` only where the tenant defines it
BASIC_STATUSES = (OPEN, CLOSED)


class CaseDraft(BaseModel):
    """A case as the assistant collected it, before it exists in a back end."""

    model_config = ConfigDict(frozen=True)

    title: str
    description: str
    contact: str
    priority: str
    origin: str
    #: conversation (Rasa sender id) the case was opened from
    conversation_id: str
    #: channel the user is on: webchat, whatsapp, twilio, voice
    channel: str
    #: resolved customer identifier (Connect: Customer Profiles ARN), when known
    customer_id: str | None = None
    #: whether ``contact`` is one the channel or a signed identity vouches for; a typed one
    #: is not, so it gets no customer profile and nothing is sent to it unasked
    contact_verified: bool = False


class Case(BaseModel):
    """A case as read back from a back end."""

    model_config = ConfigDict(frozen=True)

    #: the back end's own id (Connect caseId, AICC caseId)
    case_id: str
    #: the reference shown to people (Connect reference_number, AICC caseId)
    ref: str
    title: str
    status: str
    description: str = ""
    contact: str = ""
    priority: str = ""
    origin: str = ""
    customer_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    #: every field the back end returned, by logical name where known, else by field id
    fields: dict[str, str | float | bool | None] = Field(default_factory=dict)


#: the case a call acts on: its reference, which the back end looks up, or a ``Case`` read from
#: the same back end, whose id is used as it is (no search, and exactly that case even where its
#: reference is shared by another)
CaseRef = str | Case


class Actor(BaseModel):
    """Who makes a change: the assistant on behalf of a customer, or an agent."""

    model_config = ConfigDict(frozen=True)

    #: channel the request came from: webchat, whatsapp, twilio, voice
    channel: str
    #: conversation (Rasa sender id) the request came from
    conversation_id: str
    #: the agent's identity in the back end (Connect: user ARN), when an agent acts; for an
    #: agent known only by the WhatsApp number they write from, that number
    agent_id: str | None = None


class CaseEvent(BaseModel):
    """One change in a case's history, oldest-first order is the caller's choice."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    #: logical field name where known (title, status, priority...), else the back end's field id
    field: str
    old: str | None = None
    new: str | None = None
    #: who made it, in words fit to show (e.g. "casebot via whatsapp", an agent's name or ARN)
    by: str | None = None


class CaseFilter(BaseModel):
    """What to search for; every given criterion must hold."""

    model_config = ConfigDict(frozen=True)

    contact: str | None = None
    customer_id: str | None = None
    status: str | None = None
    priority: str | None = None
    #: cases whose assigned user is this agent id (Connect: user ARN)
    assigned_user: str | None = None
    #: cases on this queue (its name, or its id where the back end names queues by id)
    assigned_queue: str | None = None
    #: cases opened at or after this time
    created_after: datetime | None = None
    #: cases changed at or after this time
    updated_after: datetime | None = None
    #: cases opened from this conversation
    conversation_id: str | None = None
    text: str | None = None
    #: newest first when true
    newest_first: bool = True
    #: page size; the back end's default when None
    page_size: int | None = None


class Page(BaseModel):
    """One page of search results and the token for the next one."""

    model_config = ConfigDict(frozen=True)

    cases: list[Case]
    next_token: str | None = None
    total: int | None = None


class TemplateField(BaseModel):
    """One field of the case template, as the back end (or the fallback file) defines it."""

    model_config = ConfigDict(frozen=True)

    #: logical name the assistant uses: title, description, contact, priority, origin
    name: str
    #: the back end's field id
    field_id: str
    #: Text, Number, Boolean, DateTime, SingleSelect, Url, User
    type: str
    required: bool = False
    max_length: int | None = None
    #: allowed values of a SingleSelect field, in the back end's spelling
    options: tuple[str, ...] = ()


class CaseTemplate(BaseModel):
    """The fields a case has, which are required, and what values they take."""

    model_config = ConfigDict(frozen=True)

    template_id: str
    name: str
    fields: dict[str, TemplateField]
    #: the logical statuses a case of this template can be given (``OPEN``, ``ON_HOLD``,
    #: ``CLOSED``), as the tenant defines them
    statuses: tuple[str, ...] = BASIC_STATUSES


class Attachment(BaseModel):
    """A file a user sent, to be attached to a case."""

    model_config = ConfigDict(frozen=True)

    #: the name shown on the case (the user's file name, or one made from the media id)
    name: str = Field(min_length=1, max_length=256)
    #: MIME type, e.g. image/jpeg
    content_type: str
    data: bytes = Field(repr=False)

    @property
    def size(self) -> int:
        """Its length in bytes."""
        return len(self.data)


@runtime_checkable
class CaseBackend(Protocol):
    """What every case back end offers the actions."""

    async def create_case(self, draft: CaseDraft, idempotency_key: str) -> Case:
        """Create a case; the same key with the same draft returns the same case."""
        ...

    async def get_case(self, ref: str, case_id: str | None = None) -> Case:
        """Read a case by its reference; raise ``CaseNotFound`` when there is none.

        With ``case_id`` (the back end's own id of a case read before), that case is read
        directly and must carry ``ref``. A reference that more than one case carries raises
        ``Conflict``: ``find_cases`` lists them.
        """
        ...

    async def find_cases(self, ref: str) -> list[Case]:
        """Every case that carries the reference ``ref``: none, one, or several."""
        ...

    async def search_cases(self, filter: CaseFilter, page: str | None = None) -> Page:
        """Find cases matching ``filter``; ``page`` is the token from the previous page."""
        ...

    async def update_case(
        self, ref: CaseRef, fields: dict[str, str | None], actor: Actor | None = None
    ) -> Case:
        """Change fields by logical name (``None`` clears one) and return the case after.

        Logical names include the form's fields plus ``status``, ``assigned_queue`` and
        ``assigned_user``; ``actor`` is recorded as who made the change where the back end can.
        """
        ...

    async def add_comment(self, ref: CaseRef, text: str, actor: Actor | None = None) -> None:
        """Attach a plain-text comment to a case."""
        ...

    async def attach_file(self, ref: CaseRef, file: Attachment, actor: Actor | None = None) -> None:
        """Attach ``file`` to the case (or, where the back end takes no files, describe it)."""
        ...

    async def get_history(self, ref: CaseRef, since: datetime | None = None) -> list[CaseEvent]:
        """The case's changes, newest first, optionally only those after ``since``."""
        ...

    async def link_contact(self, ref: CaseRef, contact_id: str) -> None:
        """Link a contact-centre contact (Connect: contact ARN) to the case."""
        ...

    async def cases_for_contact(self, contact_id: str) -> list[Case]:
        """The cases a contact-centre contact is linked to."""
        ...

    async def get_template(self) -> CaseTemplate:
        """The case template, from the back end (cached) or the fallback file."""
        ...


@runtime_checkable
class QueueChecker(Protocol):
    """A back end that can tell, before any handoff, whether a queue name will work."""

    async def check_queue(self, queue: str) -> None:
        """Raise ``BackendError`` when ``queue`` names no queue a case can be put on."""
        ...
