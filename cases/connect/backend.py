"""Amazon Connect Cases as a case back end, through boto3's ``connectcases`` client.

CreateCase answers only ids, so a create reads the new case back with one GetCase for its
reference number. References are not unique on Connect Cases: one is looked up with room for
two answers, and one two cases share is ``Conflict`` rather than either (``refs`` remembers
only references known to name one); ``find_cases`` lists them all. A case given rather than
its reference is used by its id, with no search. Beside this module in ``cases.connect``: "on
hold" in ``status``; searches in ``search``; comments, links and history in ``related``;
uploads in ``files``; queue names to ids and back in ``queues``. A long description goes in
cut, and whole as comments.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from cases.backend import (
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
)
from cases.connect.calls import call
from cases.connect.domain import CasesDomain
from cases.connect.files import ConnectFiles
from cases.connect.queues import QueueDirectory, queue_id, queue_named
from cases.connect.refs import SHARED_MAX, KnownCases, search_by_ref
from cases.connect.related import COMMENT_MAX, ConnectRelated
from cases.connect.schema import ConnectSchema, ConnectSchemaCache
from cases.connect.search import search_request
from cases.connect.status import status_events, status_named, status_of, status_values
from cases.connect.values import (
    Scalar,
    client_token,
    performed_by,
    tag_value,
    text,
    values_of,
    when,
)
from cases.longtext import split_parts
from cases.template import TemplateSpec

if TYPE_CHECKING:
    from mypy_boto3_connectcases.client import ConnectCasesClient
    from mypy_boto3_connectcases.type_defs import (
        FieldValueTypeDef,
    )

logger = logging.getLogger(__name__)

__all__ = ["COMMENT_MAX", "ConnectCasesBackend", "CustomerResolver"]


class CustomerResolver(Protocol):
    """Finds (or makes) the customer profile of a contact: its full ARN, or ``None``."""

    async def resolve(self, contact: str) -> str | None:
        """The profile ARN for an E.164 phone number or an email address."""
        ...


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
        customers: CustomerResolver | None = None,
        files: ConnectFiles | None = None,
        queues: QueueDirectory | None = None,
        domain: CasesDomain | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._files = files
        self._queues = queues
        self._domain = domain or CasesDomain(client, domain_id)
        self._domain_id = domain_id
        self._assistant_name = assistant_name
        self._template_id = template_id
        self._page_size = page_size
        self._customers = customers
        self._related = ConnectRelated(client, domain_id)
        # a case's reference number never changes: once a reference is known to name one case,
        # comments, history and links on it need no search first
        self._known = KnownCases()
        self._schemas = ConnectSchemaCache(
            client, domain_id, template_id, spec, cache_seconds=cache_seconds, clock=clock
        )

    async def create_case(self, draft: CaseDraft, idempotency_key: str) -> Case:
        """Create the case (idempotent on the key), attach a long description, read it back."""
        schema = await self._schemas.get()
        description, spills = schema.fit_description(draft.description)
        values = {
            "title": draft.title,
            "description": description,
            "contact": draft.contact,
            "priority": draft.priority,
            "origin": draft.origin,
            "contact_verified": "Yes" if draft.contact_verified else "No",
        }
        for name, value in values.items():
            if name != "description":
                schema.check_length(name, value)
        fields: list[FieldValueTypeDef] = [
            {"id": field.field_id, "value": {"stringValue": values[name]}}
            for name, field in schema.template.fields.items()
            if values.get(name)
        ]
        performer = performed_by(
            self._assistant_name,
            Actor(channel=draft.channel, conversation_id=draft.conversation_id),
        )

        async def create(values: list[FieldValueTypeDef]) -> str:
            created = await call(
                "CreateCase",
                self._client.create_case,
                domainId=self._domain_id,
                templateId=self._template_id,
                fields=values,
                clientToken=client_token(idempotency_key),
                performedBy=performer,
                tags={
                    "channel": tag_value(draft.channel),
                    "conversation_id": tag_value(draft.conversation_id),
                },
            )
            return created["caseId"]

        customer_id = draft.customer_id or await self._customer_of(draft)
        if not customer_id:
            case_id = await create(fields)
        else:
            try:
                case_id = await create(
                    [*fields, {"id": "customer_id", "value": {"stringValue": customer_id}}]
                )
            except Conflict:
                # an earlier attempt with this key went in without the customer (their
                # profile could not be found then): the same body returns that case
                case_id = await create(fields)
        case = await self._read(schema, case_id)
        if spills:
            await self._related.post_long_text(
                case_id, draft.description, "Full description", performer
            )
        if case.ref != case_id:
            self._known.remember(case.ref, case_id)
        return case

    async def get_case(self, ref: str, case_id: str | None = None) -> Case:
        """The case whose reference number is ``ref`` (by its id, when given: no search)."""
        schema = await self._schemas.get()
        if case_id is None:
            found_id, values = await self._find(schema, ref)
            return self._case(schema, found_id, values)
        case = await self._read(schema, case_id)
        if case.ref != ref.strip():
            raise CaseNotFound("no case has that reference number")
        return case

    async def find_cases(self, ref: str) -> list[Case]:
        """Every case whose reference number is ``ref``."""
        wanted = ref.strip()
        schema = await self._schemas.get()
        found = await search_by_ref(
            self._client, self._domain_id, schema.wanted(), wanted, SHARED_MAX
        )
        cases = [self._case(schema, case_id, values) for case_id, values in found]
        if len(cases) > 1:
            self._known.shared(wanted)
        return cases

    async def search_cases(self, filter: CaseFilter, page: str | None = None) -> Page:
        """Cases matching every criterion of ``filter``, sorted by creation time."""
        schema = await self._schemas.get()
        if filter.assigned_queue is not None:
            filter = filter.model_copy(
                update={"assigned_queue": await queue_id(self._queues, filter.assigned_queue)}
            )
        request = search_request(schema, self._domain_id, filter, page, self._page_size)
        found = await call("SearchCases", self._client.search_cases, **request)
        cases = [
            self._case(schema, item["caseId"], values_of(item["fields"]))
            for item in found["cases"]
            if item
        ]
        return Page(
            cases=cases, next_token=found.get("nextToken") or None, total=found.get("totalCount")
        )

    async def update_case(
        self, ref: CaseRef, fields: dict[str, str | None], actor: Actor | None = None
    ) -> Case:
        """Change fields by logical name (``None`` clears one); the case as it is after."""
        if not fields:
            raise InvalidCase("nothing to change")
        schema = await self._schemas.get()
        case_id, named = await self._current(schema, ref)
        spilled: str | None = None
        changes: dict[str, FieldValueTypeDef] = {}
        for name, value in fields.items():
            if name == "status" and value is not None:
                changes |= status_values(schema, value, named)
                named |= status_named(schema, value)
                continue
            field_id = schema.required_id(name)
            if value is None:
                changes[field_id] = {"id": field_id, "value": {"emptyValue": {}}}
                named[name] = None
                continue
            stored = value
            if name == "assigned_queue":
                stored = await queue_id(self._queues, value)
            elif name == "description":
                stored, spills = schema.fit_description(value)
                spilled = value if spills else None
            else:
                schema.check_length(name, value)
            changes[field_id] = {"id": field_id, "value": schema.wire_value(name, stored)}
            named[name] = stored
        performer = performed_by(self._assistant_name, actor)
        await call(
            "UpdateCase",
            self._client.update_case,
            domainId=self._domain_id,
            caseId=case_id,
            fields=list(changes.values()),
            performedBy=performer,
        )
        if spilled is not None:
            await self._related.post_long_text(case_id, spilled, "Full description", performer)
        # UpdateCase answers nothing; the case after is the one read plus the changes
        return self._named_case(case_id, named)

    async def add_comment(self, ref: CaseRef, text: str, actor: Actor | None = None) -> None:
        """Attach ``text`` as comments (more than one when it is longer than a comment)."""
        if not text.strip():
            raise InvalidCase("a comment needs some text")
        case_id = await self._case_id(ref)
        performer = performed_by(self._assistant_name, actor)
        for part in split_parts(text, COMMENT_MAX):
            await self._related.post_comment(case_id, part, performer)

    async def attach_file(self, ref: CaseRef, file: Attachment, actor: Actor | None = None) -> None:
        """Upload ``file`` to Amazon Connect for the case and link it as a ``File`` item."""
        if self._files is None:
            raise InvalidCase("attaching files needs the Amazon Connect instance id")
        case_id = await self._case_id(ref)
        case_arn = f"{await self._domain.arn()}/case/{case_id}"
        file_arn = await self._files.upload(case_arn, file)
        # a retried attach uploads nothing new (same token) and links the file once
        await self._related.link_file(case_id, file_arn, performed_by(self._assistant_name, actor))

    async def get_history(self, ref: CaseRef, since: datetime | None = None) -> list[CaseEvent]:
        """The case's audit events as changes, newest first; only those after ``since``."""
        schema = await self._schemas.get()
        case_id = await self._case_id(ref)
        events = await self._related.history(case_id, schema.name_of, since)
        return [queue_named(self._queues, event) for event in status_events(events)]

    async def link_contact(self, ref: CaseRef, contact_id: str) -> None:
        """Link the Amazon Connect contact (its ARN) to the case, once."""
        if not contact_id.startswith("arn:"):
            raise InvalidCase("a contact is linked by its full ARN")
        case_id = await self._case_id(ref)
        await self._related.link_contact(
            case_id, contact_id, performed_by(self._assistant_name, None)
        )

    async def cases_for_contact(self, contact_id: str) -> list[Case]:
        """The cases the Amazon Connect contact (its ARN) is linked to."""
        schema = await self._schemas.get()
        cases: list[Case] = []
        for case_id in await self._related.case_ids_for_contact(contact_id):
            try:
                cases.append(await self._read(schema, case_id))
            except CaseNotFound:
                continue
        return cases

    async def get_template(self) -> CaseTemplate:
        """The template as the domain defines it (cached for ``cache_seconds``)."""
        return (await self._schemas.get()).template

    async def check_queue(self, queue: str) -> None:
        """Raise ``BackendError`` when ``queue`` names no queue a case can be put on."""
        await queue_id(self._queues, queue)

    async def _customer_of(self, draft: CaseDraft) -> str | None:
        # a typed contact may be anyone's: only a verified one finds (or makes) a profile
        if self._customers is None or not draft.contact or not draft.contact_verified:
            return None
        try:
            return await self._customers.resolve(draft.contact)
        except BackendError as exc:
            # the case matters more than its link to a profile: file it without one
            logger.warning("customer profile lookup failed (%s); case filed without it", exc)
            return None

    async def _case_id(self, ref: CaseRef) -> str:
        if isinstance(ref, Case):
            return ref.case_id
        known = self._known.get(ref.strip())
        if known is not None:
            return known
        case_id, _ = await self._find(await self._schemas.get(), ref)
        return case_id

    async def _current(self, schema: ConnectSchema, ref: CaseRef) -> tuple[str, dict[str, Scalar]]:
        """A case's id and values by logical name: those of a case given, else read."""
        if isinstance(ref, Case):
            return ref.case_id, dict(ref.fields)
        case_id, values = await self._find(schema, ref)
        return case_id, {schema.name_of(field_id): value for field_id, value in values.items()}

    async def _read(self, schema: ConnectSchema, case_id: str) -> Case:
        found = await call(
            "GetCase",
            self._client.get_case,
            domainId=self._domain_id,
            caseId=case_id,
            fields=[{"id": field_id} for field_id in schema.wanted()],
        )
        return self._case(schema, case_id, values_of(found["fields"]))

    async def _find(self, schema: ConnectSchema, ref: str) -> tuple[str, dict[str, Scalar]]:
        wanted = ref.strip()
        # two, to tell a reference of one case from one that several cases share
        matches = await search_by_ref(self._client, self._domain_id, schema.wanted(), wanted, 2)
        if len(matches) > 1:
            self._known.shared(wanted)
            raise Conflict(f"more than one case has the reference number {wanted}")
        if not matches:
            raise CaseNotFound("no case has that reference number")
        case_id, values = matches[0]
        self._known.remember(wanted, case_id)
        return case_id, values

    def _case(self, schema: ConnectSchema, case_id: str, values: dict[str, Scalar]) -> Case:
        named = {schema.name_of(field_id): value for field_id, value in values.items()}
        return self._named_case(case_id, named)

    def _named_case(self, case_id: str, named: dict[str, Scalar]) -> Case:
        queue = named.get("assigned_queue")
        if isinstance(queue, str) and self._queues is not None:
            named["assigned_queue"] = self._queues.name_of(queue) or queue
        ref = named.get("reference_number")
        if not isinstance(ref, str) or not ref:
            logger.warning("Connect Cases case %s has no reference number; showing its id", case_id)
            ref = case_id
        customer = named.get("customer_id")
        return Case(
            case_id=case_id,
            ref=ref,
            title=text(named.get("title")),
            status=status_of(named),
            description=text(named.get("description")),
            contact=text(named.get("contact")),
            priority=text(named.get("priority")),
            origin=text(named.get("origin")),
            customer_id=customer if isinstance(customer, str) and customer else None,
            created_at=when(named.get("created_datetime")),
            updated_at=when(named.get("last_updated_datetime")),
            fields=named,
        )
