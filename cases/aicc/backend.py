"""Huawei AICC as a case back end, over its published Case 2.0 API with httpx.

Each method is made of the calls Huawei's reference publishes (``cases.aicc.calls``):

- create: ``POST /case`` ``{"caseInfo"}`` -> ``caseId`` (the reference people see);
- get and history: ``GET /case/{id}`` -> ``caseInfo`` and ``caseTrace``;
- search: ``POST /case/list`` (``cases.aicc.listing``);
- update: ``POST /case/modify`` for fields (it needs id, title, description and creatorId, so
  the case is read first), ``POST /case/transfer`` to a queue or a user, ``POST
  /status/update`` along the case type's flow (``cases.aicc.flow``) and, for closed, to the
  flow's last status and ``POST /close`` with the type's close reason; then the case is read;
- comment and file: ``POST /case/process`` with an internal processing record.

What the reference leaves open is assumed in ``cases.aicc.assumed`` only. The token comes from
``POST /baas/auth/v1.0/oauth2/token`` (``cases.aicc.token``).

Choices:
- Byte limits (UTF-8) are checked before anything is sent: a title over 128 bytes, or any
  other field over its limit, raises ``InvalidCase`` saying so. A description over 20,000
  bytes is cut at a character boundary and marked, and the whole text follows as records.
- AICC takes no client token: an ``IdempotencyStore`` (SQLite, or PostgreSQL shared by every
  action server) maps each key to its caseId, so the same key never files a second case. A
  key whose create was sent but never answered is looked for in AICC (same type, creator,
  contact and title in the last 30 days, then the ``idempotency_key`` extension field of
  each) before sending again. The store's calls block, so they run in a thread.
- A new case is not read back: AICC's answer carries only the caseId, and the rest is what
  was sent, so a create is one call once the access token is cached.
- dueDate comes from the case type's ``due_hours`` for the priority and is written in
  ``AICC_TIME_ZONE``; dates AICC answers are read in that zone too.
- ``contactId`` holds 20 bytes: the customer id or the contact when it fits, else a stable
  digest of it; the full contact goes in an extension field (``data/aicc/case_types.yaml``).
- AICC cases carry one contactId set at creation and no links to contact-centre contacts, so
  ``link_contact`` and ``cases_for_contact`` raise ``InvalidCase``.
- The template is ``data/case_template.yaml`` with AICC's limits.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from cases.aicc import assumed
from cases.aicc import fields as f
from cases.aicc.calls import AiccCaller
from cases.aicc.flow import FlowCache
from cases.aicc.idempotency import IdempotencyStore
from cases.aicc.listing import AiccLister
from cases.aicc.reading import AiccReader, list_rows
from cases.aicc.token import AiccTokenSource
from cases.aicc.writing import AiccWriter, Plan
from cases.backend import (
    CLOSED,
    ON_HOLD,
    OPEN,
    Actor,
    Attachment,
    BackendError,
    Case,
    CaseDraft,
    CaseEvent,
    CaseFilter,
    CaseNotFound,
    CaseRef,
    CaseTemplate,
    Conflict,
    InvalidCase,
    Page,
    TemplateField,
)
from cases.template import TemplateSpec

logger = logging.getLogger(__name__)

#: how far back a create whose answer was lost is looked for (the list allows 31 days)
LOST_CREATE_WINDOW = timedelta(days=30)
#: processing records of the assistant are internal notes, in Huawei's own spelling
PROCESS_TYPE = "Iternal"


class AiccBackend:
    """``CaseBackend`` over one AICC tenant, filing cases of one case type."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        tokens: AiccTokenSource,
        spec: TemplateSpec,
        case_type_id: str,
        case_type: f.CaseType,
        creator_id: str,
        store: IdempotencyStore,
        auto_assigned_key: str = "isAutoAssigned",
        time_zone: str = "UTC",
        page_size: int = 10,
        flow_cache_seconds: float = 300.0,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._calls = AiccCaller(http, base_url, tokens)
        self._spec = spec
        self._type_id = f.check_bytes("type", case_type_id, f.ID_MAX_BYTES)
        self._type = case_type
        self._creator = f.check_bytes("creatorId", creator_id, f.ID_MAX_BYTES)
        self._store = store
        self._zone = ZoneInfo(time_zone)
        self._page_size = page_size
        self._now = now
        self._read = AiccReader(case_type, self._zone)
        self._list = AiccLister(self._calls, self._read, self._type_id, self._zone, now)
        self._flow = FlowCache(self._calls, self._type_id, flow_cache_seconds)
        self._write = AiccWriter(
            self._type_id, case_type, self._creator, auto_assigned_key, self._zone, now
        )
        # one create per key at a time; different keys go in parallel
        self._creating: dict[str, tuple[asyncio.Lock, int]] = {}

    async def create_case(self, draft: CaseDraft, idempotency_key: str) -> Case:
        """File the case once per key; a long description follows whole as records."""
        info, spills = self._write.new_case(draft, idempotency_key)
        digest = hashlib.sha256(draft.model_dump_json().encode("utf-8")).hexdigest()
        async with self._exclusive(idempotency_key):
            case_id = await self._earlier(idempotency_key, digest, info)
            if case_id is None:
                await asyncio.to_thread(self._store.begin, idempotency_key, digest)
                result = await self._calls.call("create", {"caseInfo": info})
                case_id = str((result or {}).get("caseId", ""))
                if not case_id:
                    raise InvalidCase("AICC filed the case but answered no caseId")
                await asyncio.to_thread(self._store.finish, idempotency_key, case_id)
                if spills:
                    await self._process(case_id, f"Full description:\n{draft.description}")
                # AICC answers only the caseId, which is also the reference people see: the new
                # case is what was sent, so it is not read back (one call per create)
                now = f.format_due(self._now(), self._zone)
                return self._read.case(
                    {**info, "id": case_id, "createdDate": now, "updatedDate": now}
                )
        # filed before under this key: AICC's copy may have changed since
        return await self.get_case(case_id)

    async def get_case(self, ref: str, case_id: str | None = None) -> Case:
        """The case ``ref`` names (``GET /case/{id}``); its id is the reference itself."""
        wanted = assumed.case_id_of(ref)
        if case_id is not None and case_id != wanted:
            raise CaseNotFound(ref)
        case, _ = await self._detail(wanted)
        return case

    async def find_cases(self, ref: str) -> list[Case]:
        """The case ``ref`` names, alone: a case id is unique."""
        try:
            return [await self.get_case(ref)]
        except CaseNotFound:
            return []

    async def search_cases(self, filter: CaseFilter, page: str | None = None) -> Page:
        """Cases matching every criterion of ``filter``; ``page`` is an offset."""
        return await self._list.page(filter, page, filter.page_size or self._page_size)

    async def update_case(
        self, ref: CaseRef, fields: dict[str, str | None], actor: Actor | None = None
    ) -> Case:
        """Change fields by logical name (``None`` clears) and read the case back.

        A case given is taken as it stands; a reference is read first where the change needs
        the case's title, description or status.
        """
        if not fields:
            raise InvalidCase("nothing to change")
        case_id = _id_of(ref)
        plan = self._write.plan(fields)
        operator = self._operator(actor)
        current: Case | None = ref if isinstance(ref, Case) else None
        if current is None and (plan.modify or plan.status):
            current = await self.get_case(case_id)
        if plan.modify and current is not None:
            await self._modify(current, plan, operator)
        for owner_type, owner in plan.transfers:
            remark = f"Moved to {owner_type} {owner} by {self._who(actor)}"
            await self._calls.call(
                "transfer",
                {
                    "id": case_id,
                    "ownerId": owner,
                    "ownerType": owner_type,
                    "creatorId": operator,
                    "remark": f.cut_utf8(remark, f.REMARK_MAX_BYTES),
                },
            )
        if plan.status is not None and current is not None:
            await self._move(current, plan.status, operator, actor)
        return await self.get_case(case_id)

    async def add_comment(self, ref: CaseRef, text: str, actor: Actor | None = None) -> None:
        """A processing record on the case, several when the text is long."""
        if not text.strip():
            raise InvalidCase("a comment needs some text")
        await self._process(_id_of(ref), text, actor)

    async def attach_file(self, ref: CaseRef, file: Attachment, actor: Actor | None = None) -> None:
        """Describe the file in a processing record: AICC publishes no way to upload one."""
        remark = assumed.file_remark(file.name, file.content_type, file.size)
        await self._process(_id_of(ref), remark, actor)

    async def get_history(self, ref: CaseRef, since: datetime | None = None) -> list[CaseEvent]:
        """The changes the case's ``caseTrace`` records, newest first."""
        _, trace = await self._detail(_id_of(ref))
        return self._read.history(trace, since)

    async def link_contact(self, ref: CaseRef, contact_id: str) -> None:
        """Not offered: an AICC case has one contactId, set when it is filed."""
        raise InvalidCase("AICC cases cannot be linked to further contacts")

    async def cases_for_contact(self, contact_id: str) -> list[Case]:
        """Not offered: AICC keeps no links between cases and contact-centre contacts."""
        raise InvalidCase("AICC keeps no links from contact-centre contacts to cases")

    async def get_template(self) -> CaseTemplate:
        """The template file's fields AICC holds, with its limits, and the live type's statuses.

        AICC has no template API: the limits are its published ones, in bytes, so as
        characters they are upper bounds (the byte check before sending is what holds). The
        statuses are those the case type's flow (``GET /caseType/{id}``, cached) can reach,
        or the configured ones while AICC cannot be read.
        """
        try:
            steps = (await self._flow.flow()).statuses
            reachable = {logical for logical, step in self._type.statuses.items() if step in steps}
        except BackendError as exc:
            # the form must not stop for it: the configured statuses stand in until AICC answers
            logger.warning("AICC case type %s unread (%s)", self._type_id, type(exc).__name__)
            reachable = set(self._type.statuses)
        statuses = tuple(s for s in (OPEN, ON_HOLD) if s in reachable) + (CLOSED,)
        limits = {"title": f.TITLE_MAX_BYTES, "description": f.DESCRIPTION_MAX_BYTES}
        fields = {
            name: TemplateField(
                name=name,
                field_id=name,
                type=rules.type,
                required=rules.required,
                # AICC's own limits replace the file's, which are Connect's
                max_length=limits.get(name, rules.max_length),
                options=rules.options,
            )
            for name, rules in self._spec.fields.items()
            if name not in f.NOT_HELD
        }
        return CaseTemplate(
            template_id=self._type_id,
            name=self._spec.template_name,
            fields=fields,
            statuses=statuses,
        )

    @asynccontextmanager
    async def _exclusive(self, key: str) -> AsyncIterator[None]:
        lock, users = self._creating.get(key, (asyncio.Lock(), 0))
        self._creating[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._creating[key]
            if users == 1:
                del self._creating[key]
            else:
                self._creating[key] = (lock, users - 1)

    async def _earlier(self, key: str, digest: str, info: dict[str, Any]) -> str | None:
        earlier = await asyncio.to_thread(self._store.get, key)
        if earlier is None:
            return None
        if earlier.digest != digest:
            raise Conflict("this idempotency key already filed a different case")
        if earlier.case_id is not None:
            return earlier.case_id
        # sent before but never answered: AICC may hold the case already
        found = await self._lost_create(key, info)
        if found is not None:
            await asyncio.to_thread(self._store.finish, key, found)
        return found

    async def _lost_create(self, key: str, info: dict[str, Any]) -> str | None:
        """The case a create of ``info`` under ``key`` made, looked for among recent cases."""
        field = self._type.field_for("idempotency_key")
        if field is None:
            return None
        now = self._now()
        body = {
            "type": self._type_id,
            "creatorId": self._creator,
            "contactId": info["contactId"],
            "title": info["title"],
            "startTime": f.format_due(now - LOST_CREATE_WINDOW, self._zone),
            "endTime": f.format_due(now + timedelta(minutes=5), self._zone),
            "start": 0,
            "limit": 10,
        }
        rows, _ = list_rows(await self._calls.call("list", body))
        for row in rows:
            case_id = str(row.get("id") or "")
            if not case_id:
                continue
            found = await self.get_case(case_id)
            if found.fields.get(field) == key:
                return case_id
        return None

    async def _detail(self, case_id: str) -> tuple[Case, list[Any]]:
        return self._read.detail(await self._calls.call("get", id=case_id), case_id)

    async def _modify(self, current: Case, plan: Plan, operator: str) -> None:
        info = {
            "id": current.case_id,
            "title": current.title,
            "description": current.description,
            "creatorId": operator,
        } | plan.modify
        await self._calls.call("modify", {"caseInfo": info})

    async def _move(self, current: Case, status: str, operator: str, actor: Actor | None) -> None:
        """Move the case to the logical ``status`` along its type's flow."""
        if status == current.status:
            return
        flow = await self._flow.flow()
        at = str(current.fields.get("status") or "")
        if status == "closed":
            target = flow.last
        elif status in self._type.statuses:
            target = self._type.statuses[status]
        else:
            raise InvalidCase(f"AICC case type {self._type_id} names no status for {status!r}")
        for step in flow.steps_to(at, target):
            await self._calls.call(
                "status", {"id": current.case_id, "creatorId": operator, "status": step}
            )
        if status == "closed":
            await self._calls.call(
                "close",
                {
                    "caseId": current.case_id,
                    "creatorId": operator,
                    "remark": f.cut_utf8(f"Closed by {self._who(actor)}", f.REMARK_MAX_BYTES),
                    "closedReason": self._type.close_reason,
                },
            )

    def _operator(self, actor: Actor | None) -> str:
        if actor is not None and actor.agent_id:
            return f.cut_utf8(actor.agent_id, f.ID_MAX_BYTES)
        return self._creator

    def _who(self, actor: Actor | None) -> str:
        if actor is None:
            return self._creator
        return f"{actor.agent_id or self._creator} via {actor.channel}"

    async def _process(self, case_id: str, text: str, actor: Actor | None = None) -> None:
        parts = f.split_utf8(text, f.PROCESS_MAX_BYTES)
        operator = self._operator(actor)
        for number, part in enumerate(parts, start=1):
            title = _record_title(text, number, len(parts))
            record = {
                "type": PROCESS_TYPE,
                "title": title,
                "description": part,
                "creatorId": operator,
            }
            await self._calls.call(
                "process", {"caseId": case_id, "creatorId": operator, "processInfo": record}
            )


def _id_of(ref: CaseRef) -> str:
    return ref.case_id if isinstance(ref, Case) else assumed.case_id_of(ref)


def _record_title(text: str, number: int, parts: int) -> str:
    """A processing record's title: the text's first line, numbered when it is in parts."""
    suffix = f" ({number}/{parts})" if parts > 1 else ""
    line = text.strip().splitlines()[0] if text.strip() else "Note"
    room = f.PROCESS_TITLE_MAX_BYTES - f.utf8_len(suffix)
    head = f.cut_utf8(line, room)
    if head != line:
        head = f.cut_utf8(line, room - 3).rstrip() + "..."
    return head + suffix
