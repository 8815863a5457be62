"""CreateLayout, UpdateLayout, CreateTemplate and UpdateTemplate.

Layout and template names are unique within a domain; reusing one is a ConflictException. A
layout may show each of the domain's fields once; a template's required fields and default layout
must exist. Update operations change only the members they are given. Template ``rules`` and
``tagPropagationConfigurations`` are not stored by the sandbox and are answered with 501.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any
from uuid import uuid4

from sandbox.aws.errors import NotImplementedOperation
from sandbox.aws.service import Call
from sandbox.connect_cases.arns import Arns
from sandbox.connect_cases.errors import (
    ConflictException,
    ResourceNotFoundException,
    ValidationException,
)
from sandbox.connect_cases.lookups import require_domain
from sandbox.connect_cases.records import JsonDict, Layout, Template, iso_now
from sandbox.connect_cases.store import Session, Store

DEFAULT_TEMPLATE_STATUS = "Active"


class TemplateSetupOperations:
    """The handlers that define how cases look (layouts) and what they need (templates)."""

    def __init__(self, store: Store, arns: Arns) -> None:
        self._store = store
        self._arns = arns

    def create_layout(self, call: Call) -> JsonDict:
        """CreateLayout."""
        params = call.params
        domain_id: str = params["domainId"]
        now = iso_now()
        layout = Layout(domain_id, str(uuid4()), params["name"], params["content"], now, now)
        with self._store.session() as session:
            require_domain(session, domain_id)
            _require_free_name((old.name for old in session.list_layouts(domain_id)), layout)
            _check_content(session, domain_id, layout.content)
            session.put_layout(layout)
        return {
            "layoutId": layout.layout_id,
            "layoutArn": self._arns.layout(domain_id, layout.layout_id),
        }

    def update_layout(self, call: Call) -> JsonDict:
        """UpdateLayout: its name, its content, or both."""
        params = call.params
        domain_id: str = params["domainId"]
        with self._store.session() as session:
            require_domain(session, domain_id)
            old = session.get_layout(domain_id, params["layoutId"])
            if old is None:
                raise ResourceNotFoundException("Layout", params["layoutId"])
            new = replace(
                old,
                name=params.get("name") or old.name,
                content=params.get("content") or old.content,
            )
            if new.name != old.name:
                _require_free_name((other.name for other in session.list_layouts(domain_id)), new)
            _check_content(session, domain_id, new.content)
            if (new.name, new.content) != (old.name, old.content):
                session.put_layout(replace(new, last_modified_time=iso_now()))
        return {}

    def create_template(self, call: Call) -> JsonDict:
        """CreateTemplate; ``status`` is Active unless given."""
        params = call.params
        domain_id: str = params["domainId"]
        _refuse_unstored(params)
        now = iso_now()
        template = Template(
            domain_id=domain_id,
            template_id=str(uuid4()),
            name=params["name"],
            description=params.get("description"),
            status=params.get("status") or DEFAULT_TEMPLATE_STATUS,
            layout_id=_default_layout(params.get("layoutConfiguration")),
            required_fields=_required(params.get("requiredFields") or []),
            created_time=now,
            last_modified_time=now,
        )
        with self._store.session() as session:
            require_domain(session, domain_id)
            _require_free_name((old.name for old in session.list_templates(domain_id)), template)
            _check_template(session, template)
            session.put_template(template)
        return {
            "templateId": template.template_id,
            "templateArn": self._arns.template(domain_id, template.template_id),
        }

    def update_template(self, call: Call) -> JsonDict:
        """UpdateTemplate: the members given replace the template's."""
        params = call.params
        domain_id: str = params["domainId"]
        _refuse_unstored(params)
        with self._store.session() as session:
            require_domain(session, domain_id)
            old = session.get_template(domain_id, params["templateId"])
            if old is None:
                raise ResourceNotFoundException("Template", params["templateId"])
            new = replace(
                old,
                name=params.get("name") or old.name,
                description=params.get("description", old.description),
                status=params.get("status") or old.status,
                layout_id=(
                    _default_layout(params["layoutConfiguration"])
                    if params.get("layoutConfiguration") is not None
                    else old.layout_id
                ),
                required_fields=(
                    _required(params["requiredFields"])
                    if params.get("requiredFields") is not None
                    else old.required_fields
                ),
            )
            if new.name != old.name:
                names = (other.name for other in session.list_templates(domain_id))
                _require_free_name(names, new)
            _check_template(session, new)
            if new != old:
                session.put_template(replace(new, last_modified_time=iso_now()))
        return {}


def _refuse_unstored(params: JsonDict) -> None:
    for member in ("rules", "tagPropagationConfigurations"):
        if params.get(member):
            raise NotImplementedOperation(f"The sandbox does not implement template {member}")


def _require_free_name(taken: Iterable[str], resource: Layout | Template) -> None:
    if resource.name in set(taken):
        kind = "layout" if isinstance(resource, Layout) else "template"
        raise ConflictException(f"A {kind} named {resource.name!r} already exists in this domain")


def _default_layout(configuration: JsonDict | None) -> str | None:
    if not configuration:
        return None
    layout_id: str | None = configuration.get("defaultLayout")
    return layout_id


def _required(items: list[JsonDict]) -> list[str]:
    return list(dict.fromkeys(item["fieldId"] for item in items))


def _check_template(session: Session, template: Template) -> None:
    known = {field.field_id for field in session.list_fields(template.domain_id)}
    unknown = [fid for fid in template.required_fields if fid not in known]
    if unknown:
        raise ValidationException(f"Required fields do not exist: {', '.join(unknown)}")
    layout_id = template.layout_id
    if layout_id is not None and session.get_layout(template.domain_id, layout_id) is None:
        raise ValidationException(f"Layout {layout_id} does not exist in this domain")


def _check_content(session: Session, domain_id: str, content: JsonDict) -> None:
    shown = list(_layout_field_ids(content))
    known = {field.field_id for field in session.list_fields(domain_id)}
    unknown = sorted({fid for fid in shown if fid not in known})
    if unknown:
        raise ValidationException(
            f"The layout shows fields that do not exist: {', '.join(unknown)}"
        )
    repeated = sorted({fid for fid in shown if shown.count(fid) > 1})
    if repeated:
        raise ValidationException(f"The layout shows fields more than once: {', '.join(repeated)}")


def _layout_field_ids(content: JsonDict) -> Iterable[str]:
    basic: dict[str, Any] = content.get("basic") or {}
    for panel in ("topPanel", "moreInfo"):
        for section in (basic.get(panel) or {}).get("sections") or []:
            for item in (section.get("fieldGroup") or {}).get("fields") or []:
                yield item["id"]
