"""Amazon Connect Cases as a case back end, through boto3's ``connectcases`` client.

CreateCase answers only ``caseId`` and ``caseArn``, so a create reads the new case back with
one GetCase for its reference number: two calls when the schema is warm (``connect_schema``).
A description longer than its field goes in cut, and whole as comments.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from actions.backends.base import (
    Case,
    CaseDraft,
    CaseFilter,
    CaseNotFound,
    CaseTemplate,
    InvalidCase,
    Page,
)
from actions.backends.connect_calls import call
from actions.backends.connect_schema import TEXT_VALUE_MAX, ConnectSchema, ConnectSchemaCache
from actions.backends.longtext import cut_for_field, split_parts
from actions.template import TemplateSpec

if TYPE_CHECKING:
    from mypy_boto3_connectcases.client import ConnectCasesClient
    from mypy_boto3_connectcases.type_defs import (
        CaseFilterTypeDef,
        FieldValueOutputTypeDef,
        FieldValueTypeDef,
        FieldValueUnionOutputTypeDef,
        SearchCasesRequestTypeDef,
        SearchRelatedItemsRequestTypeDef,
    )

logger = logging.getLogger(__name__)

Scalar = str | float | bool | None

#: CommentBody holds at most this many characters
COMMENT_MAX = 15_000
#: room kept in each comment for its "part i of n" heading
_COMMENT_HEADING_ROOM = 64
_CLIENT_TOKEN_MAX = 64
_CUSTOM_ENTITY_MAX = 500
_TAG_VALUE_MAX = 256
_NOT_CUSTOM_ENTITY = re.compile(r"[^a-zA-Z0-9_\-.@:/ ]")
_NOT_TAG_VALUE = re.compile(r"[^a-zA-Z0-9 _.:/=+\-@]")


class ConnectCasesBackend:
    """``CaseBackend`` over one Connect Cases domain and template."""

    def __init__(
        self,
        client: ConnectCasesClient,
        domain_id: str,
        template_id: str,
        *,
        spec: TemplateSpec,
        assistant_name: str = "casebot",
        cache_seconds: float = 300.0,
        page_size: int = 10,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._domain_id = domain_id
        self._assistant_name = assistant_name
        self._template_id = template_id
        self._page_size = page_size
        self._schemas = ConnectSchemaCache(
            client, domain_id, template_id, spec, cache_seconds=cache_seconds, clock=clock
        )

    async def create_case(self, draft: CaseDraft, idempotency_key: str) -> Case:
        """Create the case (idempotent on the key), attach a long description, read it back."""
        schema = await self._schemas.get()
        description, spills = self._fit_description(schema, draft.description)
        values = {
            "title": draft.title,
            "description": description,
            "contact": draft.contact,
            "priority": draft.priority,
            "origin": draft.origin,
        }
        fields: list[FieldValueTypeDef] = [
            {"id": field.field_id, "value": {"stringValue": values[name]}}
            for name, field in schema.template.fields.items()
            if values.get(name)
        ]
        if draft.customer_id:
            fields.append({"id": "customer_id", "value": {"stringValue": draft.customer_id}})
        created = await call(
            "CreateCase",
            self._client.create_case,
            domainId=self._domain_id,
            templateId=self._template_id,
            fields=fields,
            clientToken=_client_token(idempotency_key),
            performedBy={"customEntity": self._performer(draft.channel)},
            tags={
                "channel": _tag_value(draft.channel),
                "conversation_id": _tag_value(draft.conversation_id),
            },
        )
        case_id = created["caseId"]
        found = await call(
            "GetCase",
            self._client.get_case,
            domainId=self._domain_id,
            caseId=case_id,
            fields=[{"id": field_id} for field_id in schema.wanted()],
        )
        if spills:
            await self._attach_text(case_id, draft.description, "Full description")
        return self._case(schema, case_id, _values(found["fields"]))

    async def get_case(self, ref: str) -> Case:
        """The case whose reference number is ``ref``."""
        schema = await self._schemas.get()
        case_id, values = await self._find(schema, ref)
        return self._case(schema, case_id, values)

    async def search_cases(self, filter: CaseFilter, page: str | None = None) -> Page:
        """Cases matching every criterion of ``filter``, sorted by creation time."""
        schema = await self._schemas.get()
        criteria = {
            "contact": filter.contact,
            "customer_id": filter.customer_id,
            "status": filter.status,
            "priority": filter.priority,
        }
        matches: list[CaseFilterTypeDef] = [
            {
                "field": {
                    "equalTo": {
                        "id": self._require_field(schema, name),
                        "value": {"stringValue": value},
                    }
                }
            }
            for name, value in criteria.items()
            if value is not None
        ]
        request: SearchCasesRequestTypeDef = {
            "domainId": self._domain_id,
            "maxResults": self._page_size,
            "sorts": [
                {
                    "fieldId": "created_datetime",
                    "sortOrder": "Desc" if filter.newest_first else "Asc",
                }
            ],
            "fields": [{"id": field_id} for field_id in schema.wanted()],
        }
        if matches:
            request["filter"] = {"andAll": matches}
        if filter.text:
            request["searchTerm"] = filter.text
        if page:
            request["nextToken"] = page
        found = await call("SearchCases", self._client.search_cases, **request)
        cases = [
            self._case(schema, item["caseId"], _values(item["fields"]))
            for item in found["cases"]
            if item
        ]
        return Page(
            cases=cases, next_token=found.get("nextToken") or None, total=found.get("totalCount")
        )

    async def update_case(self, ref: str, fields: dict[str, str | None]) -> Case:
        """Change fields by logical name (``None`` clears one); the case as it is after."""
        schema = await self._schemas.get()
        case_id, values = await self._find(schema, ref)
        spilled: str | None = None
        changes: list[FieldValueTypeDef] = []
        for name, value in fields.items():
            field_id = self._require_field(schema, name)
            if value is None:
                changes.append({"id": field_id, "value": {"emptyValue": {}}})
                values[field_id] = None
                continue
            stored = value
            if name == "description":
                stored, spills = self._fit_description(schema, value)
                spilled = value if spills else None
            changes.append({"id": field_id, "value": {"stringValue": stored}})
            values[field_id] = stored
        await call(
            "UpdateCase",
            self._client.update_case,
            domainId=self._domain_id,
            caseId=case_id,
            fields=changes,
            performedBy={"customEntity": self._performer(None)},
        )
        if spilled is not None:
            await self._attach_text(case_id, spilled, "Full description")
        # UpdateCase answers nothing; the case after is the one read plus the changes
        return self._case(schema, case_id, values)

    async def add_comment(self, ref: str, text: str) -> None:
        """Attach ``text`` as comments (more than one when it is longer than a comment)."""
        if not text.strip():
            raise InvalidCase("a comment needs some text")
        schema = await self._schemas.get()
        case_id, _ = await self._find(schema, ref)
        for part in split_parts(text, COMMENT_MAX):
            await self._post_comment(case_id, part)

    async def get_template(self) -> CaseTemplate:
        """The template as the domain defines it (cached for ``cache_seconds``)."""
        return (await self._schemas.get()).template

    async def _find(self, schema: ConnectSchema, ref: str) -> tuple[str, dict[str, Scalar]]:
        found = await call(
            "SearchCases",
            self._client.search_cases,
            domainId=self._domain_id,
            maxResults=1,
            filter={
                "field": {
                    "equalTo": {"id": "reference_number", "value": {"stringValue": ref.strip()}}
                }
            },
            fields=[{"id": field_id} for field_id in schema.wanted()],
        )
        for item in found["cases"]:
            if item:
                return item["caseId"], _values(item["fields"])
        raise CaseNotFound("no case has that reference number")

    async def _attach_text(self, case_id: str, text: str, heading: str) -> None:
        parts = split_parts(text, COMMENT_MAX - _COMMENT_HEADING_ROOM)
        bodies = [
            f"{heading} (part {i} of {len(parts)}):\n{part}" for i, part in enumerate(parts, 1)
        ]
        # a retried create returns the same case; post only the parts it does not have yet
        posted = await self._comment_bodies(case_id)
        for body in bodies:
            if body not in posted:
                await self._post_comment(case_id, body)

    async def _comment_bodies(self, case_id: str) -> set[str]:
        bodies: set[str] = set()
        request: SearchRelatedItemsRequestTypeDef = {
            "domainId": self._domain_id,
            "caseId": case_id,
            "filters": [{"comment": {}}],
            "maxResults": 25,
        }
        while True:
            page = await call("SearchRelatedItems", self._client.search_related_items, **request)
            for item in page["relatedItems"]:
                comment = item["content"].get("comment") if item else None
                if comment:
                    bodies.add(comment["body"])
            if not page.get("nextToken"):
                return bodies
            request["nextToken"] = page["nextToken"]

    async def _post_comment(self, case_id: str, body: str) -> None:
        await call(
            "CreateRelatedItem",
            self._client.create_related_item,
            domainId=self._domain_id,
            caseId=case_id,
            type="Comment",
            content={"comment": {"body": body, "contentType": "Text/Plain"}},
            performedBy={"customEntity": self._performer(None)},
        )

    def _fit_description(self, schema: ConnectSchema, text: str) -> tuple[str, bool]:
        field = schema.template.fields.get("description")
        limit = field.max_length if field and field.max_length else TEXT_VALUE_MAX
        return cut_for_field(text, limit), len(text) > limit

    def _require_field(self, schema: ConnectSchema, name: str) -> str:
        field_id = schema.field_id(name)
        if field_id is None:
            raise InvalidCase(f"the case template has no field {name!r}")
        return field_id

    def _performer(self, channel: str | None) -> str:
        who = f"{self._assistant_name} via {channel}" if channel else self._assistant_name
        cleaned = _NOT_CUSTOM_ENTITY.sub("-", who)[:_CUSTOM_ENTITY_MAX].rstrip()
        return cleaned or "assistant"

    def _case(self, schema: ConnectSchema, case_id: str, values: dict[str, Scalar]) -> Case:
        named = {schema.name_of(field_id): value for field_id, value in values.items()}
        ref = named.get("reference_number")
        if not isinstance(ref, str) or not ref:
            logger.warning("Connect Cases case %s has no reference number; showing its id", case_id)
            ref = case_id
        customer = named.get("customer_id")
        return Case(
            case_id=case_id,
            ref=ref,
            title=_text(named.get("title")),
            status=_text(named.get("status")),
            description=_text(named.get("description")),
            contact=_text(named.get("contact")),
            priority=_text(named.get("priority")),
            origin=_text(named.get("origin")),
            customer_id=customer if isinstance(customer, str) and customer else None,
            created_at=_when(named.get("created_datetime")),
            updated_at=_when(named.get("last_updated_datetime")),
            fields=named,
        )


def _values(fields: list[FieldValueOutputTypeDef]) -> dict[str, Scalar]:
    return {field["id"]: _plain(field["value"]) for field in fields}


def _plain(value: FieldValueUnionOutputTypeDef) -> Scalar:
    if "stringValue" in value:
        return value["stringValue"]
    if "doubleValue" in value:
        return value["doubleValue"]
    if "booleanValue" in value:
        return value["booleanValue"]
    if "userArnValue" in value:
        return value["userArnValue"]
    return None


def _text(value: Scalar) -> str:
    return "" if value is None else str(value)


def _when(value: Scalar) -> datetime | None:
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, float | int) and not isinstance(value, bool):
        # epoch seconds, or milliseconds when the number is that large
        seconds = value / 1000 if value > 1e11 else value
        return datetime.fromtimestamp(seconds, UTC)
    return None


def _client_token(key: str) -> str:
    # clientToken holds 64 characters; a longer key is hashed rather than cut, to stay unique
    if len(key) <= _CLIENT_TOKEN_MAX:
        return key
    return hashlib.sha256(key.encode()).hexdigest()


def _tag_value(value: str) -> str:
    return _NOT_TAG_VALUE.sub("_", value)[:_TAG_VALUE_MAX]
