"""Proving a case is yours with a one-time code: the offer, the request, the check, the resume.

A customer who names a case they may not see (``actions.kit.access``) is offered a code sent to
the contact ON THE CASE, never to one they choose. They are asked for the email or phone the
case was opened with, and every answer from here on is the same whether the reference names a
case, whether its contact is what they typed, or neither: "if that matches, a code is on its
way to j***@example.com" (the mask of what THEY typed). A code is sent only on a match, in the
background, so the answer takes as long either way; one is kept all the same when nothing was
sent (``actions.otp.store``), so typing a code is answered alike too. The limits count every
request, match or not, so being refused one says nothing about the case either.

A right code adds the case's handle to ``verified_cases`` and sets ``otp_then`` to the request
that was waiting (``otp_resume``: its intent and what it asked); the rules then run that
request's action, which takes it from ``resumed`` and clears ``otp_resume``. An offer lapses
when the conversation moves on or a code's lifetime passes (``actions.otp.pending``).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import httpx

from actions.kit.access import CaseToChoose, Viewer, newest_first, viewer_of
from actions.kit.contacts import contact_key
from actions.kit.handles import handle_of, parse_handle, shown_ref
from actions.kit.message import intent_name
from actions.kit.normalise import normalise_email, normalise_phone
from actions.kit.sdk import CollectingDispatcher, EventType, SlotSet, Tracker
from actions.kit.settings import ActionSettings, get_settings
from actions.kit.slots import CASE_REF, OTP_CASE, OTP_RESUME, OTP_THEN
from actions.kit.target import requested_handle
from actions.otp.codes import digest, mask, new_code, typed_code
from actions.otp.mailer import SesMailer, ses_client
from actions.otp.notifier import GatewayTexter
from actions.otp.pending import GIVE_CODE, stamped
from actions.otp.postgres import PostgresCodeStore
from actions.otp.store import STORE_ERRORS, Attempt, Code, CodeStore, Limits, SqliteCodeStore
from cases.backend import (
    BackendError,
    BackendUnavailable,
    Case,
    CaseBackend,
    CaseNotFound,
    Conflict,
)
from cases.settings import CaseSettings, get_case_settings
from common.postgres import shared_pool

logger = logging.getLogger(__name__)

#: a request waiting on a code (``otp_resume``), or ``None``
Waiting = dict[str, Any] | None
#: the requests a right code goes on to, by intent
RESUMABLE = frozenset(
    {"check_case_status", "update_case", "add_case_comment", "close_case", "attach_files"}
)


class CodeSender(Protocol):
    """Sends a code to one address or number; whether it went (failures are logged, not raised)."""

    async def send(self, to: str, code: str) -> bool:
        """Send ``code`` to ``to``."""
        ...


class Requested(Enum):
    """What became of a request for a code."""

    #: "if that matches, a code is on its way": said whether or not one was sent
    ANSWERED = "answered"
    #: over the hourly limit of the reference or of the conversation
    LIMITED = "limited"
    #: neither an email address nor a phone number
    UNREADABLE = "unreadable"
    #: a kind of contact no code can be sent to here (a phone with no phone channel)
    NO_CHANNEL = "no_channel"


@dataclass(frozen=True)
class Request:
    """The outcome of a request, with the mask of the contact the customer typed."""

    outcome: Requested
    masked: str = ""


class OneTimeCodes:
    """Asks for, sends and checks codes; every collaborator defaults to the process's own."""

    def __init__(
        self,
        settings: ActionSettings | None = None,
        store: CodeStore | None = None,
        *,
        email: CodeSender | None = None,
        phone: CodeSender | None = None,
        key: bytes | None = None,
        clock: Callable[[], float] = time.time,
        cases: CaseSettings | None = None,
    ) -> None:
        self._settings = settings or get_settings()
        self._store = store
        self._cases = cases
        self._email = email
        self._phone = phone
        self._key = key
        self._clock = clock
        #: sends still under way: kept so they are not collected before they finish
        self._sending: set[asyncio.Task[bool]] = set()

    @property
    def settings(self) -> ActionSettings:
        """The settings codes follow."""
        return self._settings

    def now(self) -> float:
        """The time on the clock codes expire by."""
        return self._clock()

    @property
    def store(self) -> CodeStore:
        """This store, or the process's (which may touch its SQLite file: call it in a thread)."""
        return self._store or code_store(self._settings, self._cases)

    def sender(self, kind: str) -> CodeSender | None:
        """Who sends codes to an ``email`` or a ``phone``; ``None`` where nobody does."""
        settings = self._settings
        if kind == "email":
            if self._email is None and settings.otp_email_sender:
                minutes = max(1, round(settings.otp_code_ttl_seconds / 60))
                client = ses_client(settings.ses_endpoint_url)
                self._email = SesMailer(client, settings.otp_email_sender, minutes)
            return self._email
        if self._phone is None and settings.otp_phone_channel == "whatsapp":
            self._phone = GatewayTexter(
                gateway_http(), settings.gateway_internal_url, settings.internal_api_token
            )
        return self._phone

    @property
    def enabled(self) -> bool:
        """Whether any code can be sent at all."""
        return self.sender("email") is not None or self.sender("phone") is not None

    def contact_words(self) -> str:
        """What the customer is asked for: the kinds of contact codes go to here."""
        if self.sender("phone") is None:
            return "email address"
        if self.sender("email") is None:
            return "phone number"
        return "email address or phone number"

    async def request(
        self, backend: CaseBackend, conversation_id: str, handle: str, typed: str
    ) -> Request:
        """Keep a code for the case ``handle`` names and send it if ``typed`` is its contact.

        Raises the back end's ``BackendError`` when the case cannot be looked up at all, and
        ``BackendUnavailable`` when the code store cannot be written.
        """
        region = self._settings.default_phone_region
        contact = contact_key(typed, region)
        if contact is None:
            return Request(Requested.UNREADABLE)
        sender = self.sender("email" if "@" in contact else "phone")
        if sender is None:
            return Request(Requested.NO_CHANNEL)
        case = await matching_case(backend, handle, contact, region)
        code = new_code()
        kept = Code(
            conversation_id=conversation_id,
            handle=handle_of(case) if case is not None else handle,
            digest=digest(self.key, conversation_id, code),
            live=case is not None,
            tries_left=self._settings.otp_max_tries,
            expires_at=self._clock() + self._settings.otp_code_ttl_seconds,
        )
        limits = Limits(
            self._settings.otp_per_case_per_hour, self._settings.otp_per_sender_per_hour
        )
        try:
            issued = await asyncio.to_thread(
                lambda: self.store.issue(kept, case_key(handle), limits)
            )
        except STORE_ERRORS as exc:
            # answered as a case system that is away: the customer tries again later
            raise BackendUnavailable("one-time codes cannot be kept now") from exc
        if not issued:
            return Request(Requested.LIMITED)
        if case is not None:
            # not awaited: the answer must not take longer when there is a code to send
            self._spawn(sender.send(address_of(case, contact, region), code))
        return Request(Requested.ANSWERED, mask(contact))

    async def check(self, conversation_id: str, code: str) -> Attempt:
        """The verdict on ``code`` typed in this conversation (one try spent);
        ``BackendUnavailable`` when the code store cannot be read."""
        offered = digest(self.key, conversation_id, code)
        try:
            return await asyncio.to_thread(lambda: self.store.attempt(conversation_id, offered))
        except STORE_ERRORS as exc:
            # no try is spent: the customer types the same code again once the store is back
            raise BackendUnavailable("one-time codes cannot be checked now") from exc

    @property
    def key(self) -> bytes:
        """The key codes are hashed under: ``OTP_HASH_KEY``, else this process's own."""
        if self._key is None:
            secret = self._settings.otp_hash_key
            self._key = secret.get_secret_value().encode() if secret else process_key()
        return self._key

    async def settle(self) -> list[bool]:
        """Wait for the sends under way; whether each went."""
        return list(await asyncio.gather(*self._sending))

    def _spawn(self, sending: Coroutine[Any, Any, bool]) -> None:
        task = asyncio.get_running_loop().create_task(sending)
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)


async def matching_case(
    backend: CaseBackend, handle: str, contact: str, region: str
) -> Case | None:
    """The case ``handle`` names whose contact is ``contact`` (a ``contact_key``), else ``None``."""
    ref, case_id = parse_handle(handle)
    try:
        cases = [await backend.get_case(ref, case_id)]
    except Conflict:
        cases = await backend.find_cases(ref)
    except CaseNotFound:
        return None
    mine = [case for case in cases if case.contact and contact_key(case.contact, region) == contact]
    return newest_first(mine)[0] if mine else None


def address_of(case: Case, matched: str, region: str) -> str:
    """Where a code for ``case`` goes: its own contact, as written on it (normalised)."""
    written = case.contact or matched
    if "@" in written:
        return normalise_email(written) or matched
    return normalise_phone(written, region) or matched


def case_key(handle: str) -> str:
    """What the per-case limit counts under: the reference's letters and digits, upper-cased,
    so "c-1042", "C 1042" and "C1042" share one count."""
    return "".join(ch for ch in shown_ref(handle) if ch.isalnum()).upper()


def offer(
    dispatcher: CollectingDispatcher,
    codes: OneTimeCodes,
    viewer: Viewer,
    tracker: Tracker,
    then: str,
    asked: dict[str, Any] | None = None,
) -> list[EventType] | None:
    """Offer a customer a code for the case they named and may not see; ``None`` when no code
    can be offered (an agent, no reference named, no way to send one).

    Said in place of "no such case", for a reference that names no case just the same. The
    request ``then`` (an intent) and what it ``asked`` wait for the code in ``otp_resume``.
    """
    handle = requested_handle(tracker)
    if viewer.is_agent or handle is None or not codes.enabled:
        return None
    dispatcher.utter_message(
        response="utter_offer_code", case_ref=shown_ref(handle), contact=codes.contact_words()
    )
    waiting = stamped({**(asked or {}), "then": then, "case": handle}, codes.now())
    return [SlotSet(CASE_REF, None), SlotSet(OTP_CASE, handle), SlotSet(OTP_RESUME, waiting)]


class HasCodes(Protocol):
    """What ``offer_after`` needs of an action's collaborators (``CaseServices``)."""

    @property
    def settings(self) -> ActionSettings:
        """The action server's settings."""
        ...

    @property
    def codes(self) -> OneTimeCodes:
        """The one-time codes."""
        ...


def offer_after(
    exc: BackendError,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    services: HasCodes,
    then: str,
    asked: dict[str, Any] | None = None,
) -> list[EventType] | None:
    """``offer`` when ``exc`` says the case named is not one the viewer may see; else ``None``."""
    if not isinstance(exc, CaseNotFound) or isinstance(exc, CaseToChoose):
        return None
    viewer = viewer_of(tracker, services.settings.default_phone_region)
    return offer(dispatcher, services.codes, viewer, tracker, then, asked)


def resumed(tracker: Tracker, then: str) -> Waiting:
    """The request ``then`` waiting on a code just proved right, else ``None``."""
    if tracker.get_slot(OTP_THEN) != then or intent_name(tracker) != GIVE_CODE:
        return None
    waiting = tracker.get_slot(OTP_RESUME)
    return waiting if isinstance(waiting, dict) else {}


def then_after(tracker: Tracker, handle: str) -> str:
    """The request a right code for ``handle`` goes on to: the one waiting, if it was for that
    case; else the case's status (a code asked for before another offer was made)."""
    waiting = tracker.get_slot(OTP_RESUME)
    if isinstance(waiting, dict) and waiting.get("then") in RESUMABLE:
        asked = waiting.get("case")
        if isinstance(asked, str) and case_key(asked) == case_key(handle):
            return str(waiting["then"])
    return "check_case_status"


def waiting_changes(waiting: dict[str, Any]) -> dict[str, str | None]:
    """The changes an ``update_case`` waiting on a code asked for, as they were asked."""
    changes = waiting.get("changes")
    if not isinstance(changes, dict):
        return {}
    return {
        name: said
        for name, said in changes.items()
        if isinstance(name, str) and (said is None or isinstance(said, str))
    }


def resume_done() -> list[EventType]:
    """The events that settle a request answered after a code.

    ``otp_then`` stays: the code action sets it afresh on every code typed, and the rules the
    request's action follows elsewhere say nothing of it.
    """
    return [SlotSet(OTP_RESUME, None)]


def code_in(text: str) -> str | None:
    """The code a message gives, if any."""
    return typed_code(text)


@lru_cache(maxsize=1)
def process_key() -> bytes:
    """A random key for this process, when ``OTP_HASH_KEY`` is unset."""
    return secrets.token_bytes(32)


def code_store(settings: ActionSettings, cases: CaseSettings | None = None) -> CodeStore:
    """The process's code store: in PostgreSQL with ``ACTIONS_DATABASE_URL`` (every action
    server shares it), else in ``OTP_DB``. Building it waits on no server."""
    url = (cases or get_case_settings()).actions_database_url
    if url is not None:
        return postgres_code_store(url.get_secret_value())
    return sqlite_code_store(settings.otp_db)


@lru_cache(maxsize=4)
def postgres_code_store(url: str) -> PostgresCodeStore:
    """The code store in the database at ``url``, one per URL and process."""
    return PostgresCodeStore(shared_pool(url))


@lru_cache(maxsize=4)
def sqlite_code_store(path: Path) -> SqliteCodeStore:
    """The code store kept in ``path``, one per file and process."""
    return SqliteCodeStore(path)


@lru_cache(maxsize=1)
def gateway_http() -> httpx.AsyncClient:
    """The process's client for the gateway's internal endpoints."""
    return httpx.AsyncClient(timeout=10)
