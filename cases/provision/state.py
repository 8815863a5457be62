"""What a Connect Cases domain has now, read with read-only calls only.

``find_domain`` looks the domain up by name (ListDomains, GetDomain); ``read_domain`` reads the
fields (ListFields, BatchGetField for descriptions), the options of the single-select fields the
file lists options for (ListFieldOptions), and the layout and template named in the file
(ListLayouts + GetLayout, ListTemplates + GetTemplate).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from cases.provision.spec import DomainSpec

if TYPE_CHECKING:
    from mypy_boto3_connectcases.client import ConnectCasesClient
    from mypy_boto3_connectcases.type_defs import (
        ListDomainsRequestTypeDef,
        ListFieldOptionsRequestTypeDef,
        ListFieldsRequestTypeDef,
        ListLayoutsRequestTypeDef,
        ListTemplatesRequestTypeDef,
    )

#: ListDomains answers at most this many per page
_DOMAIN_PAGE = 10
_PAGE = 100
#: BatchGetField takes at most this many ids
_FIELD_BATCH = 50


class ProvisionError(Exception):
    """Provisioning cannot go on (a domain that failed to build, a call the service refused)."""


@dataclass(frozen=True)
class DomainRef:
    """A domain found by name."""

    domain_id: str
    domain_arn: str
    name: str
    status: str


@dataclass(frozen=True)
class ActualField:
    """A field as the service has it."""

    field_id: str
    name: str
    type: str
    namespace: str
    description: str | None = None
    #: a Text field's ``attributes.text.isMultiline``
    multiline: bool = False


@dataclass(frozen=True)
class ActualOption:
    """A single-select option as the service has it."""

    name: str
    value: str
    active: bool = True


@dataclass(frozen=True)
class ActualLayout:
    """The layout named in the file, with its content as GetLayout answers it."""

    layout_id: str
    name: str
    content: Mapping[str, Any]


@dataclass(frozen=True)
class ActualTemplate:
    """The template named in the file."""

    template_id: str
    name: str
    description: str | None
    status: str
    required: frozenset[str]
    default_layout: str | None


@dataclass(frozen=True)
class ActualDomain:
    """What the domain has of what the file describes."""

    ref: DomainRef
    fields: tuple[ActualField, ...]
    #: options by field id, for the single-select fields the file lists options for
    options: Mapping[str, tuple[ActualOption, ...]] = field(default_factory=dict)
    layout: ActualLayout | None = None
    template: ActualTemplate | None = None

    def field_named(self, name: str) -> ActualField | None:
        """The field called ``name``, if the domain has one."""
        return next((f for f in self.fields if f.name == name), None)


def find_domain(client: ConnectCasesClient, name: str) -> DomainRef | None:
    """The domain called ``name``, or ``None``; more than one is a ProvisionError."""
    found: list[str] = []
    request: ListDomainsRequestTypeDef = {"maxResults": _DOMAIN_PAGE}
    while True:
        page = client.list_domains(**request)
        found += [summary["domainId"] for summary in page["domains"] if summary["name"] == name]
        if not page.get("nextToken"):
            break
        request["nextToken"] = page["nextToken"]
    if len(found) > 1:
        raise ProvisionError(f"more than one domain is called {name}: {', '.join(found)}")
    return get_domain(client, found[0]) if found else None


def get_domain(client: ConnectCasesClient, domain_id: str) -> DomainRef:
    """The domain with this id, as GetDomain answers it now."""
    found = client.get_domain(domainId=domain_id)
    return DomainRef(found["domainId"], found["domainArn"], found["name"], found["domainStatus"])


def wait_until_active(
    client: ConnectCasesClient,
    ref: DomainRef,
    *,
    timeout_seconds: float = 300.0,
    poll_seconds: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
) -> DomainRef:
    """Poll GetDomain until the domain is Active; a failed or slow build is a ProvisionError."""
    waited = 0.0
    while ref.status == "CreationInProgress" and waited < timeout_seconds:
        sleep(poll_seconds)
        waited += poll_seconds
        ref = get_domain(client, ref.domain_id)
    if ref.status != "Active":
        raise ProvisionError(f"domain {ref.name} ({ref.domain_id}) is {ref.status}, not Active")
    return ref


def read_domain(client: ConnectCasesClient, ref: DomainRef, spec: DomainSpec) -> ActualDomain:
    """Read what ``ref`` has of what ``spec`` describes."""
    fields = _read_fields(client, ref.domain_id, spec)
    by_name = {f.name: f for f in fields}
    options: dict[str, tuple[ActualOption, ...]] = {}
    for wanted in spec.fields:
        found = by_name.get(wanted.name)
        if wanted.options is not None and found is not None and found.type == "SingleSelect":
            options[found.field_id] = _read_options(client, ref.domain_id, found.field_id)
    return ActualDomain(
        ref=ref,
        fields=fields,
        options=options,
        layout=_read_layout(client, ref.domain_id, spec.layout.name) if spec.layout else None,
        template=_read_template(client, ref.domain_id, spec.template.name),
    )


def _read_fields(
    client: ConnectCasesClient, domain_id: str, spec: DomainSpec
) -> tuple[ActualField, ...]:
    summaries: list[ActualField] = []
    request: ListFieldsRequestTypeDef = {"domainId": domain_id, "maxResults": _PAGE}
    while True:
        page = client.list_fields(**request)
        summaries += [
            ActualField(
                s["fieldId"],
                s["name"],
                s["type"],
                s["namespace"],
                multiline=bool(s.get("attributes", {}).get("text", {}).get("isMultiline")),
            )
            for s in page["fields"]
        ]
        if not page.get("nextToken"):
            break
        request["nextToken"] = page["nextToken"]
    # ListFields leaves descriptions out: read them for the fields the file describes
    described = {f.name for f in spec.fields if f.description is not None}
    ids = [f.field_id for f in summaries if f.name in described]
    descriptions: dict[str, str | None] = {}
    for start in range(0, len(ids), _FIELD_BATCH):
        batch = ids[start : start + _FIELD_BATCH]
        answer = client.batch_get_field(domainId=domain_id, fields=[{"id": i} for i in batch])
        descriptions.update({f["fieldId"]: f.get("description") for f in answer["fields"]})
    return tuple(replace(f, description=descriptions.get(f.field_id)) for f in summaries)


def _read_options(
    client: ConnectCasesClient, domain_id: str, field_id: str
) -> tuple[ActualOption, ...]:
    options: list[ActualOption] = []
    request: ListFieldOptionsRequestTypeDef = {
        "domainId": domain_id,
        "fieldId": field_id,
        "maxResults": _PAGE,
    }
    while True:
        page = client.list_field_options(**request)
        options += [ActualOption(o["name"], o["value"], o["active"]) for o in page["options"]]
        if not page.get("nextToken"):
            return tuple(options)
        request["nextToken"] = page["nextToken"]


def _read_layout(client: ConnectCasesClient, domain_id: str, name: str) -> ActualLayout | None:
    request: ListLayoutsRequestTypeDef = {"domainId": domain_id, "maxResults": _PAGE}
    while True:
        page = client.list_layouts(**request)
        for summary in page["layouts"]:
            if summary["name"] == name:
                found = client.get_layout(domainId=domain_id, layoutId=summary["layoutId"])
                return ActualLayout(found["layoutId"], found["name"], dict(found["content"]))
        if not page.get("nextToken"):
            return None
        request["nextToken"] = page["nextToken"]


def _read_template(client: ConnectCasesClient, domain_id: str, name: str) -> ActualTemplate | None:
    request: ListTemplatesRequestTypeDef = {"domainId": domain_id, "maxResults": _PAGE}
    while True:
        page = client.list_templates(**request)
        for summary in page["templates"]:
            if summary["name"] == name:
                found = client.get_template(domainId=domain_id, templateId=summary["templateId"])
                return ActualTemplate(
                    template_id=found["templateId"],
                    name=found["name"],
                    description=found.get("description"),
                    status=found["status"],
                    required=frozenset(r["fieldId"] for r in found.get("requiredFields", [])),
                    default_layout=found.get("layoutConfiguration", {}).get("defaultLayout"),
                )
        if not page.get("nextToken"):
            return None
        request["nextToken"] = page["nextToken"]
