"""Huawei AICC as a case back end, over its JSON case API with httpx.

Only case creation is published (``POST {base}/service/AICC__Case/1.0.0/openapi/case`` with
``{"caseInfo": {...}}``). Query, update, comment and history exist in the same product
family without a published shape, so theirs are ASSUMED here and served exactly so by the
sandbox stand-in; every path is in ``aicc_calls.CASE_PATHS`` and every body is built below:

- query ``.../case/query`` ``{"conditions": {caseInfo field: value}, "keyword"?, "offset",
  "limit", "order": "desc"|"asc"}`` -> ``{"total", "cases": [caseInfo + caseId, createdDate,
  updatedDate]}``
- update ``.../case/update`` ``{"caseId", "caseInfo": {changed fields}, "operatorId"}``
- comment ``.../case/comment`` ``{"caseId", "content", "creatorId"}`` -> ``{"commentId"}``
- history ``.../case/history`` ``{"caseId"}`` -> ``{"records": [{"time", "field",
  "oldValue", "newValue", "operator"}]}``

The token interface is assumed too (``aicc_token``), and so are ``resCode`` values
(``aicc_calls``). The reference shown to people is AICC's ``caseId``.

Choices:
- Byte limits (UTF-8) are checked before anything is sent: a title over 128 bytes, or any
  other field over its limit, raises ``InvalidCase`` saying so. A description over 20,000
  bytes is cut at a character boundary and marked, and the whole text follows as comments.
- AICC takes no client token: an ``IdempotencyStore`` (SQLite) maps each key to its caseId, so
  the same key never files a second case. A key whose create was sent but never answered is
  looked up by the case type's ``idempotency_key`` extension field before sending again.
- A new case is not queried back: AICC's answer carries only the caseId, and the rest is what
  was sent, so a create is one call once the access token is cached.
- dueDate comes from the case type's ``due_hours`` for the priority and is written in
  ``AICC_TIME_ZONE``; dates AICC answers are read in that zone too.
- ``contactId`` holds 20 bytes: the customer id or the contact when it fits, else a stable
  digest of it; the full contact goes in an extension field (``data/aicc/case_types.yaml``).
- AICC cases carry one contactId set at creation and no links to contact-centre contacts, so
  ``link_contact`` and ``cases_for_contact`` raise ``InvalidCase``.
- The template is ``data/case_template.yaml`` with AICC's limits, as AICC has no template API.
- A file a user sends cannot be uploaded: the create API's ``attachment`` field has no
  published upload interface behind it, so ``attach_file`` adds a comment naming the file, its
  type and size, and an agent asks the customer for it if it is needed.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from cases.aicc import fields as f
from cases.aicc.calls import AiccCaller
from cases.aicc.idempotency import IdempotencyStore
from cases.aicc.reading import AiccReader
from cases.aicc.token import AiccTokenSource
from cases.aicc.writing import AiccWriter
from cases.backend import (
    Actor,
    Attachment,
    Case,
    CaseDraft,
    CaseEvent,
    CaseFilter,
    CaseTemplate,
    Conflict,
    InvalidCase,
    Page,
    TemplateField,
)
from cases.template import TemplateSpec


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
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._calls = AiccCaller(http, base_url, tokens)
        self._spec = spec
        self._type_id = f.check_bytes("type", case_type_id, f.ID_MAX_BYTES)
        self._type = case_type
        self._creator = f.check_bytes("creatorId", creator_id, f.ID_MAX_BYTES)
        self._store = store
        self._auto_key = auto_assigned_key
        self._zone = ZoneInfo(time_zone)
        self._page_size = page_size
        self._now = now
        self._read = AiccReader(self._calls, case_type, self._zone)
        self._write = AiccWriter(
            self._type_id, case_type, self._creator, auto_assigned_key, self._zone, now
        )
        # one create per key at a time; different keys go in parallel
        self._creating: dict[str, tuple[asyncio.Lock, int]] = {}

    async def create_case(self, draft: CaseDraft, idempotency_key: str) -> Case:
        """File the case once per key; a long description follows whole as comments."""
        info, spills = self._write.new_case(draft, idempotency_key)
        digest = hashlib.sha256(draft.model_dump_json().encode("utf-8")).hexdigest()
        async with self._exclusive(idempotency_key):
            case_id = await self._earlier(idempotency_key, digest)
            if case_id is None:
                self._store.begin(idempotency_key, digest)
                result = await self._calls.call("create", {"caseInfo": info})
                case_id = str(result["caseId"])
                self._store.finish(idempotency_key, case_id)
                if spills:
                    await self._comment(case_id, f"Full description:\n{draft.description}")
                # AICC answers only the caseId, which is also the reference people see: the new
                # case is what was sent, so it is not queried back (one call per create)
                now = f.format_due(self._now(), self._zone)
                return self._read.from_info(
                    {**info, "caseId": case_id, "createdDate": now, "updatedDate": now}
                )
        # filed before under this key: AICC's copy may have changed since
        return await self._read.case(case_id)

    async def get_case(self, ref: str) -> Case:
        """The case whose caseId is ``ref``."""
        return await self._read.case(ref.strip())

    async def search_cases(self, filter: CaseFilter, page: str | None = None) -> Page:
        """Cases matching every criterion of ``filter``; ``page`` is an offset."""
        conditions: dict[str, str] = {}
        if filter.contact is not None:
            conditions[self._write.extension("contact")] = filter.contact
        if filter.customer_id is not None:
            conditions[self._write.extension("customer_id")] = filter.customer_id
        if filter.conversation_id is not None:
            conditions[self._write.extension("conversation_id")] = filter.conversation_id
        if filter.status is not None:
            conditions["state"] = f.aicc_state(filter.status)
        if filter.priority is not None:
            conditions["priority"] = f.aicc_priority(filter.priority)
        if filter.assigned_user is not None:
            conditions["ownerId"] = filter.assigned_user
        if page and not page.isdigit():
            # read as offset 0 it would start the search over, and a caller paging to the
            # end would see the first cases again
            raise InvalidCase("not a page token of this search")
        body: dict[str, Any] = {
            "conditions": conditions,
            "offset": int(page) if page else 0,
            "limit": filter.page_size or self._page_size,
            "order": "desc" if filter.newest_first else "asc",
        }
        if filter.text:
            body["keyword"] = filter.text
        return await self._read.page(body)

    async def update_case(
        self, ref: str, fields: dict[str, str | None], actor: Actor | None = None
    ) -> Case:
        """Change fields by logical name (``None`` clears) and read the case back."""
        if not fields:
            raise InvalidCase("nothing to change")
        info = {
            name: value
            for logical, raw in fields.items()
            for name, value in self._write.change(logical, raw)
        }
        await self._calls.call(
            "update",
            {"caseId": ref.strip(), "caseInfo": info, "operatorId": self._operator(actor)},
        )
        return await self._read.case(ref.strip())

    async def add_comment(self, ref: str, text: str, actor: Actor | None = None) -> None:
        """Comment on the case, in several comments when the text is long."""
        await self._comment(ref.strip(), text, actor)

    async def attach_file(self, ref: str, file: Attachment, actor: Actor | None = None) -> None:
        """Describe the file in a comment: AICC publishes no interface to upload one."""
        await self._comment(ref.strip(), file_comment(file), actor)

    async def get_history(self, ref: str, since: datetime | None = None) -> list[CaseEvent]:
        """The changes the case's history records, newest first."""
        return await self._read.history(ref.strip(), since)

    async def link_contact(self, ref: str, contact_id: str) -> None:
        """Not offered: an AICC case has one contactId, set when it is filed."""
        raise InvalidCase("AICC cases cannot be linked to further contacts")

    async def cases_for_contact(self, contact_id: str) -> list[Case]:
        """Not offered: AICC keeps no links between cases and contact-centre contacts."""
        raise InvalidCase("AICC keeps no links from contact-centre contacts to cases")

    async def get_template(self) -> CaseTemplate:
        """The template file's fields with AICC's limits (AICC has no template API).

        The limits are in bytes, so as characters they are upper bounds; the byte check
        before sending is what holds.
        """
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
        }
        return CaseTemplate(template_id=self._type_id, name=self._spec.template_name, fields=fields)

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

    async def _earlier(self, key: str, digest: str) -> str | None:
        earlier = self._store.get(key)
        if earlier is None:
            return None
        if earlier.digest != digest:
            raise Conflict("this idempotency key already filed a different case")
        if earlier.case_id is not None:
            return earlier.case_id
        # sent before but never answered: AICC may hold the case already
        field = self._type.field_for("idempotency_key")
        if field is None:
            return None
        found = await self._read.page({"conditions": {field: key}, "offset": 0, "limit": 1})
        if not found.cases:
            return None
        self._store.finish(key, found.cases[0].case_id)
        return found.cases[0].case_id

    def _operator(self, actor: Actor | None) -> str:
        if actor is not None and actor.agent_id:
            return f.cut_utf8(actor.agent_id, f.ID_MAX_BYTES)
        return self._creator

    async def _comment(self, case_id: str, text: str, actor: Actor | None = None) -> None:
        for part in f.split_utf8(text, f.COMMENT_MAX_BYTES):
            await self._calls.call(
                "comment",
                {"caseId": case_id, "content": part, "creatorId": self._operator(actor)},
            )


def file_comment(file: Attachment) -> str:
    """The comment that stands for ``file`` on an AICC case."""
    return (
        f"The customer sent a file: {file.name} ({file.content_type}, {_size(file.size)}). "
        "It could not be uploaded to AICC; ask the customer for it if it is needed."
    )


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
