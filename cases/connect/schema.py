"""Which Connect Cases field is which logical field, read from the service and cached.

Fields are found by *name* (``field_name`` in the template file) with ListFields; the
template (GetTemplate: required fields) and single-select options (ListFieldOptions) come
with them, and so do the state fields the file names (``on_hold``): "on hold" is a status of
the template only where the domain has that field. A Text field that ListFields calls
single-line (``attributes.text.isMultiline`` false) holds 500 characters, not 4,100: its limit
says so, so a long description goes in cut and whole as comments rather than being refused.
All of it is kept for ``cache_seconds``, so a warm request costs no extra call.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from cases.backend import (
    BASIC_STATUSES,
    CLOSED,
    ON_HOLD,
    OPEN,
    BackendError,
    BackendUnavailable,
    CaseTemplate,
    InvalidCase,
    TemplateField,
)
from cases.connect.calls import call
from cases.connect.values import field_value
from cases.longtext import cut_for_field
from cases.template import TemplateSpec

if TYPE_CHECKING:
    from mypy_boto3_connectcases.client import ConnectCasesClient
    from mypy_boto3_connectcases.type_defs import (
        FieldSummaryTypeDef,
        FieldValueUnionTypeDef,
        ListFieldOptionsRequestTypeDef,
        ListFieldsRequestTypeDef,
    )

logger = logging.getLogger(__name__)

#: FieldValueUnion.stringValue holds at most this many characters
TEXT_VALUE_MAX = 4_100
#: what a single-line Text field holds
SINGLE_LINE_MAX = 500
#: system fields every domain has; the service fixes their ids
SYSTEM_FIELDS = (
    "reference_number",
    "status",
    "customer_id",
    "summary",
    "created_datetime",
    "last_updated_datetime",
    "assigned_queue",
    "assigned_user",
)


@dataclass(frozen=True)
class ConnectSchema:
    """The template as read from the service, and when it was read."""

    template: CaseTemplate
    loaded_at: float
    #: the domain's fields of a case's state (``on_hold``), by logical name
    state: dict[str, TemplateField] = field(default_factory=dict)

    def field_id(self, name: str) -> str | None:
        """The field id of a logical, state or system field; ``None`` when there is none."""
        found = self.template.fields.get(name) or self.state.get(name)
        if found is not None:
            return found.field_id
        return name if name in SYSTEM_FIELDS else None

    def required_id(self, name: str) -> str:
        """The field id of ``name``; ``InvalidCase`` when the template has no such field."""
        field_id = self.field_id(name)
        if field_id is None:
            raise InvalidCase(f"the case template has no field {name!r}")
        return field_id

    def name_of(self, field_id: str) -> str:
        """The logical name of a field id (system fields keep their id)."""
        for name, known in [*self.template.fields.items(), *self.state.items()]:
            if known.field_id == field_id:
                return name
        return field_id

    def wire_value(self, name: str, value: str) -> FieldValueUnionTypeDef:
        """``value`` as field ``name`` takes it on the wire: by the field's type."""
        known = self.template.fields.get(name) or self.state.get(name)
        return field_value(name, value, known.type if known else "Text")

    def fit_description(self, text: str) -> tuple[str, bool]:
        """The description as its field holds it, and whether the whole text did not fit."""
        field = self.template.fields.get("description")
        limit = field.max_length if field and field.max_length else TEXT_VALUE_MAX
        return cut_for_field(text, limit), len(text) > limit

    def check_length(self, name: str, value: str) -> None:
        """``InvalidCase`` when ``value`` is longer than the template lets field ``name`` be."""
        # Connect takes 4,100 characters in any text field; the template's tighter limits
        # (a 200-character title) are ours, and they are the ones get_template advertises
        field = self.template.fields.get(name)
        if field and field.max_length and len(value) > field.max_length:
            raise InvalidCase(
                f"the {name} takes at most {field.max_length} characters; this one has {len(value)}"
            )

    def wanted(self) -> list[str]:
        """The field ids to read back for a case."""
        ids = [known.field_id for known in [*self.template.fields.values(), *self.state.values()]]
        return list(dict.fromkeys([*ids, *SYSTEM_FIELDS]))


class ConnectSchemaCache:
    """Reads the schema once per ``cache_seconds``; keeps the old one if a refresh fails."""

    def __init__(
        self,
        client: ConnectCasesClient,
        domain_id: str,
        template_id: str,
        spec: TemplateSpec,
        *,
        cache_seconds: float = 300.0,
        retry_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._domain_id = domain_id
        self._template_id = template_id
        self._spec = spec
        self._cache_seconds = cache_seconds
        self._retry_seconds = retry_seconds
        self._clock = clock
        self._schema: ConnectSchema | None = None
        self._failed_at: float | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> ConnectSchema:
        """The schema, read from the service when there is none or it is stale."""
        cached = self._fresh()
        if cached is not None:
            return cached
        async with self._lock:
            cached = self._fresh()
            if cached is not None:
                return cached
            stale = self._schema
            if stale is None and self._failed_at is not None:
                # every form turn asks for the template: while the service is down, say so
                # at once instead of waiting out botocore's retries on each turn
                if self._clock() - self._failed_at < self._retry_seconds:
                    raise BackendUnavailable("Connect Cases template unavailable; retrying later")
            try:
                schema = await self._load()
            except BackendError:
                if stale is None:
                    self._failed_at = self._clock()
                    raise
                # a template changes seldom: the old one beats no cases at all
                logger.warning("Connect Cases template refresh failed; keeping the one read before")
                schema = replace(stale, loaded_at=self._clock())
            self._schema, self._failed_at = schema, None
            return schema

    def _fresh(self) -> ConnectSchema | None:
        schema = self._schema
        if schema is not None and self._clock() - schema.loaded_at < self._cache_seconds:
            return schema
        return None

    async def _load(self) -> ConnectSchema:
        by_name = await self._list_fields()
        template = await call(
            "GetTemplate",
            self._client.get_template,
            domainId=self._domain_id,
            templateId=self._template_id,
        )
        if template["status"] != "Active":
            logger.warning("Connect Cases template %s is %s", self._template_id, template["status"])
        required = {item["fieldId"] for item in template.get("requiredFields", [])}
        fields: dict[str, TemplateField] = {}
        for name, rules in self._spec.fields.items():
            summary = by_name.get(rules.field_name)
            if summary is None:
                logger.warning(
                    "no Connect Cases field named %r: %s left out", rules.field_name, name
                )
                continue
            kind = summary["type"]
            limits = [n for n in (rules.max_length, TEXT_VALUE_MAX) if n]
            if kind == "Text" and _single_line(summary):
                limits.append(SINGLE_LINE_MAX)
                if name == "description":
                    logger.warning(
                        "Connect Cases field %r is single-line (500 characters); provisioning "
                        "makes it multi-line",
                        rules.field_name,
                    )
            options = await self._list_options(summary["fieldId"]) if kind == "SingleSelect" else ()
            fields[name] = TemplateField(
                name=name,
                field_id=summary["fieldId"],
                type=kind,
                required=summary["fieldId"] in required,
                max_length=min(limits) if kind == "Text" else None,
                options=options,
            )
        state = self._state_fields(by_name)
        statuses = (OPEN, ON_HOLD, CLOSED) if "on_hold" in state else BASIC_STATUSES
        return ConnectSchema(
            template=CaseTemplate(
                template_id=template["templateId"],
                name=template["name"],
                fields=fields,
                statuses=statuses,
            ),
            loaded_at=self._clock(),
            state=state,
        )

    def _state_fields(self, by_name: dict[str, FieldSummaryTypeDef]) -> dict[str, TemplateField]:
        """The state fields of the template file the domain has, with the type the file says."""
        state: dict[str, TemplateField] = {}
        for name, rules in self._spec.state_fields.items():
            summary = by_name.get(rules.field_name)
            if summary is None:
                continue
            if summary["type"] != rules.type:
                logger.warning(
                    "Connect Cases field %r is %s, not %s: %s left out",
                    rules.field_name,
                    summary["type"],
                    rules.type,
                    name,
                )
                continue
            state[name] = TemplateField(name=name, field_id=summary["fieldId"], type=rules.type)
        return state

    async def _list_fields(self) -> dict[str, FieldSummaryTypeDef]:
        by_name: dict[str, FieldSummaryTypeDef] = {}
        request: ListFieldsRequestTypeDef = {"domainId": self._domain_id, "maxResults": 100}
        while True:
            page = await call("ListFields", self._client.list_fields, **request)
            by_name.update({summary["name"]: summary for summary in page["fields"]})
            if not page.get("nextToken"):
                return by_name
            request["nextToken"] = page["nextToken"]

    async def _list_options(self, field_id: str) -> tuple[str, ...]:
        options: list[str] = []
        request: ListFieldOptionsRequestTypeDef = {
            "domainId": self._domain_id,
            "fieldId": field_id,
            "maxResults": 100,
        }
        while True:
            page = await call("ListFieldOptions", self._client.list_field_options, **request)
            options.extend(option["value"] for option in page["options"] if option["active"])
            if not page.get("nextToken"):
                return tuple(options)
            request["nextToken"] = page["nextToken"]


def _single_line(summary: FieldSummaryTypeDef) -> bool:
    # only an explicit "not multi-line" counts: a summary without attributes says nothing
    text = summary.get("attributes", {}).get("text")
    return text is not None and not text["isMultiline"]
