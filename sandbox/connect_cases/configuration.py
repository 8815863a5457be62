"""The domain's configuration, read-only: domains, templates, fields, field options, layouts.

The operations that change it live in ``domain_setup`` and ``template_setup``.
"""

from __future__ import annotations

from sandbox.aws.pagination import paginate
from sandbox.aws.service import Call
from sandbox.connect_cases.arns import Arns
from sandbox.connect_cases.errors import ResourceNotFoundException, ValidationException
from sandbox.connect_cases.lookups import require_domain
from sandbox.connect_cases.records import Field, JsonDict, Template
from sandbox.connect_cases.store import Store

DEFAULT_LIST_PAGE = 100
DEFAULT_DOMAIN_PAGE = 10


class ConfigurationOperations:
    """The handlers that describe a domain's set-up."""

    def __init__(self, store: Store, arns: Arns) -> None:
        self._store = store
        self._arns = arns

    def get_domain(self, call: Call) -> JsonDict:
        """GetDomain."""
        with self._store.session() as session:
            domain = require_domain(session, call.params["domainId"])
        return {
            "domainId": domain.domain_id,
            "domainArn": self._arns.domain(domain.domain_id),
            "name": domain.name,
            "createdTime": domain.created_time,
            "domainStatus": domain.status,
            "tags": {},
        }

    def list_domains(self, call: Call) -> JsonDict:
        """ListDomains."""
        with self._store.session() as session:
            domains = session.list_domains()
        page, next_token, _ = paginate(
            domains,
            max_results=call.params.get("maxResults") or DEFAULT_DOMAIN_PAGE,
            token=call.params.get("nextToken"),
            query="domains",
        )
        summaries = [
            {
                "domainId": domain.domain_id,
                "domainArn": self._arns.domain(domain.domain_id),
                "name": domain.name,
            }
            for domain in page
        ]
        return _with_token({"domains": summaries}, next_token)

    def get_template(self, call: Call) -> JsonDict:
        """GetTemplate."""
        domain_id: str = call.params["domainId"]
        template_id: str = call.params["templateId"]
        with self._store.session() as session:
            require_domain(session, domain_id)
            template = session.get_template(domain_id, template_id)
        if template is None:
            raise ResourceNotFoundException("Template", template_id)
        out = self._template_summary(template)
        out.update(
            {
                "requiredFields": [{"fieldId": fid} for fid in template.required_fields],
                "deleted": False,
                "createdTime": template.created_time,
                "lastModifiedTime": template.last_modified_time,
                "tags": {},
            }
        )
        if template.description is not None:
            out["description"] = template.description
        if template.layout_id is not None:
            out["layoutConfiguration"] = {"defaultLayout": template.layout_id}
        return out

    def list_templates(self, call: Call) -> JsonDict:
        """ListTemplates, optionally only those with the given statuses."""
        domain_id: str = call.params["domainId"]
        statuses = call.params.get("status")
        with self._store.session() as session:
            require_domain(session, domain_id)
            templates = session.list_templates(domain_id)
        kept = [t for t in templates if not statuses or t.status in statuses]
        page, next_token, _ = paginate(
            kept,
            max_results=call.params.get("maxResults") or DEFAULT_LIST_PAGE,
            token=call.params.get("nextToken"),
            query={"status": statuses},
        )
        return _with_token({"templates": [self._template_summary(t) for t in page]}, next_token)

    def list_fields(self, call: Call) -> JsonDict:
        """ListFields."""
        domain_id: str = call.params["domainId"]
        with self._store.session() as session:
            require_domain(session, domain_id)
            fields = session.list_fields(domain_id)
        page, next_token, _ = paginate(
            fields,
            max_results=call.params.get("maxResults") or DEFAULT_LIST_PAGE,
            token=call.params.get("nextToken"),
            query="fields",
        )
        summaries = [
            {
                "fieldId": field.field_id,
                "fieldArn": self._arns.field(domain_id, field.field_id),
                "name": field.name,
                "type": field.type,
                "namespace": field.namespace,
                **_attributes(field),
            }
            for field in page
        ]
        return _with_token({"fields": summaries}, next_token)

    def batch_get_field(self, call: Call) -> JsonDict:
        """BatchGetField: the known fields, and an error for each unknown id."""
        domain_id: str = call.params["domainId"]
        with self._store.session() as session:
            require_domain(session, domain_id)
            fields = {field.field_id: field for field in session.list_fields(domain_id)}
        found: list[JsonDict] = []
        errors: list[JsonDict] = []
        for field_id in dict.fromkeys(item["id"] for item in call.params["fields"]):
            field = fields.get(field_id)
            if field is None:
                errors.append(
                    {
                        "id": field_id,
                        "errorCode": "ResourceNotFoundException",
                        "message": f"Field {field_id} not found",
                    }
                )
            else:
                found.append(self._field_json(field))
        return {"fields": found, "errors": errors}

    def list_field_options(self, call: Call) -> JsonDict:
        """ListFieldOptions, optionally only the options with the given values."""
        domain_id: str = call.params["domainId"]
        field_id: str = call.params["fieldId"]
        values = call.params.get("values")
        with self._store.session() as session:
            require_domain(session, domain_id)
            field = next(
                (f for f in session.list_fields(domain_id) if f.field_id == field_id), None
            )
            if field is None:
                raise ResourceNotFoundException("Field", field_id)
            if field.type != "SingleSelect":
                raise ValidationException(f"Field {field_id} is {field.type}, not SingleSelect")
            options = session.list_options(domain_id, field_id)
        kept = [option for option in options if not values or option.value in values]
        page, next_token, _ = paginate(
            kept,
            max_results=call.params.get("maxResults") or DEFAULT_LIST_PAGE,
            token=call.params.get("nextToken"),
            query={"fieldId": field_id, "values": values},
        )
        return _with_token(
            {"options": [{"name": o.name, "value": o.value, "active": o.active} for o in page]},
            next_token,
        )

    def get_layout(self, call: Call) -> JsonDict:
        """GetLayout."""
        domain_id: str = call.params["domainId"]
        layout_id: str = call.params["layoutId"]
        with self._store.session() as session:
            require_domain(session, domain_id)
            layout = session.get_layout(domain_id, layout_id)
        if layout is None:
            raise ResourceNotFoundException("Layout", layout_id)
        return {
            "layoutId": layout.layout_id,
            "layoutArn": self._arns.layout(domain_id, layout.layout_id),
            "name": layout.name,
            "content": layout.content,
            "tags": {},
            "deleted": False,
            "createdTime": layout.created_time,
            "lastModifiedTime": layout.last_modified_time,
        }

    def list_layouts(self, call: Call) -> JsonDict:
        """ListLayouts."""
        domain_id: str = call.params["domainId"]
        with self._store.session() as session:
            require_domain(session, domain_id)
            layouts = session.list_layouts(domain_id)
        page, next_token, _ = paginate(
            layouts,
            max_results=call.params.get("maxResults") or DEFAULT_LIST_PAGE,
            token=call.params.get("nextToken"),
            query="layouts",
        )
        summaries = [
            {
                "layoutId": layout.layout_id,
                "layoutArn": self._arns.layout(domain_id, layout.layout_id),
                "name": layout.name,
            }
            for layout in page
        ]
        return _with_token({"layouts": summaries}, next_token)

    def _template_summary(self, template: Template) -> JsonDict:
        return {
            "templateId": template.template_id,
            "templateArn": self._arns.template(template.domain_id, template.template_id),
            "name": template.name,
            "status": template.status,
        }

    def _field_json(self, field: Field) -> JsonDict:
        out: JsonDict = {
            "fieldId": field.field_id,
            "name": field.name,
            "fieldArn": self._arns.field(field.domain_id, field.field_id),
            "type": field.type,
            "namespace": field.namespace,
            "tags": {},
            "deleted": False,
            "createdTime": field.created_time,
            "lastModifiedTime": field.last_modified_time,
        }
        if field.description is not None:
            out["description"] = field.description
        return out | _attributes(field)


def _attributes(field: Field) -> JsonDict:
    if field.type != "Text":
        return {}
    return {"attributes": {"text": {"isMultiline": field.multiline}}}


def _with_token(result: JsonDict, next_token: str | None) -> JsonDict:
    if next_token:
        result["nextToken"] = next_token
    return result
