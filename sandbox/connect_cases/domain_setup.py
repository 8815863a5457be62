"""CreateDomain, CreateField, UpdateField and BatchPutFieldOptions.

Names are unique: a domain's within the account, a field's within its domain; reusing one is a
ConflictException. A new domain comes with the system fields (``system_fields``). The real
service builds a domain asynchronously and answers ``CreationInProgress``; here building it is
instantaneous, so CreateDomain answers ``Active`` and the domain is usable at once.

System fields cannot be changed with UpdateField; BatchPutFieldOptions adds or updates the
options it is given and leaves the others as they are (``active: false`` hides one). Field
``attributes`` hold one thing, ``text.isMultiline``, which only a Text field may carry: a
single-line text field takes 500 characters, a multi-line one 4,100 (``values``).
"""

from __future__ import annotations

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
from sandbox.connect_cases.records import Domain, Field, FieldOption, JsonDict, iso_now
from sandbox.connect_cases.store import Store
from sandbox.connect_cases.system_fields import SYSTEM_FIELDS


class DomainSetupOperations:
    """The handlers that create a domain and define its fields."""

    def __init__(self, store: Store, arns: Arns) -> None:
        self._store = store
        self._arns = arns

    def create_domain(self, call: Call) -> JsonDict:
        """CreateDomain, with the system fields."""
        name: str = call.params["name"]
        now = iso_now()
        domain = Domain(domain_id=str(uuid4()), name=name, created_time=now)
        with self._store.session() as session:
            if any(existing.name == name for existing in session.list_domains()):
                raise ConflictException(f"A domain named {name!r} already exists")
            session.put_domain(domain)
            for position, system in enumerate(SYSTEM_FIELDS):
                field = Field(
                    domain.domain_id,
                    system.field_id,
                    system.name,
                    system.type,
                    "System",
                    None,
                    now,
                    now,
                )
                session.put_field(field, position)
                if system.type == "SingleSelect":
                    options = [FieldOption(value, value) for value in system.options]
                    session.add_options(domain.domain_id, system.field_id, options)
        return {
            "domainId": domain.domain_id,
            "domainArn": self._arns.domain(domain.domain_id),
            "domainStatus": domain.status,
        }

    def create_field(self, call: Call) -> JsonDict:
        """CreateField: a custom field with a generated id."""
        params = call.params
        domain_id: str = params["domainId"]
        multiline = _multiline(params, params["type"], False)
        now = iso_now()
        with self._store.session() as session:
            require_domain(session, domain_id)
            fields = session.list_fields(domain_id)
            _require_free_name(fields, params["name"])
            field = Field(
                domain_id=domain_id,
                field_id=str(uuid4()),
                name=params["name"],
                type=params["type"],
                namespace="Custom",
                description=params.get("description"),
                created_time=now,
                last_modified_time=now,
                multiline=multiline,
            )
            session.put_field(field, len(fields))
        return {
            "fieldId": field.field_id,
            "fieldArn": self._arns.field(domain_id, field.field_id),
        }

    def update_field(self, call: Call) -> JsonDict:
        """UpdateField: a custom field's name and description."""
        params = call.params
        domain_id: str = params["domainId"]
        with self._store.session() as session:
            require_domain(session, domain_id)
            fields = session.list_fields(domain_id)
            position, field = _find_field(fields, params["fieldId"])
            if field.namespace == "System":
                raise ValidationException(f"System field {field.field_id} cannot be changed")
            name: str = params.get("name") or field.name
            if name != field.name:
                _require_free_name(fields, name)
            description = params.get("description", field.description)
            multiline = _multiline(params, field.type, field.multiline)
            if (name, description, multiline) != (field.name, field.description, field.multiline):
                changed = Field(
                    domain_id=domain_id,
                    field_id=field.field_id,
                    name=name,
                    type=field.type,
                    namespace=field.namespace,
                    description=description,
                    created_time=field.created_time,
                    last_modified_time=iso_now(),
                    multiline=multiline,
                )
                session.put_field(changed, position)
        return {}

    def batch_put_field_options(self, call: Call) -> JsonDict:
        """BatchPutFieldOptions: add or update a single-select field's options."""
        params = call.params
        domain_id: str = params["domainId"]
        options = [
            FieldOption(item["name"], item["value"], item["active"]) for item in params["options"]
        ]
        values = [option.value for option in options]
        repeated = sorted({value for value in values if values.count(value) > 1})
        if repeated:
            raise ValidationException(f"Option values given more than once: {', '.join(repeated)}")
        with self._store.session() as session:
            require_domain(session, domain_id)
            _, field = _find_field(session.list_fields(domain_id), params["fieldId"])
            if field.type != "SingleSelect":
                raise ValidationException(
                    f"Field {field.field_id} is {field.type}, not SingleSelect"
                )
            session.add_options(domain_id, field.field_id, options)
        return {"errors": []}


def _multiline(params: JsonDict, field_type: str, current: bool) -> bool:
    attributes = params.get("attributes")
    if attributes is None:
        return current
    text = attributes.get("text")
    if text is None:
        raise NotImplementedOperation("The sandbox implements only text field attributes")
    if field_type != "Text":
        raise ValidationException(f"Text attributes do not apply to a {field_type} field")
    return bool(text["isMultiline"])


def _require_free_name(fields: list[Field], name: str) -> None:
    if any(field.name == name for field in fields):
        raise ConflictException(f"A field named {name!r} already exists in this domain")


def _find_field(fields: list[Field], field_id: str) -> tuple[int, Field]:
    for position, field in enumerate(fields):
        if field.field_id == field_id:
            return position, field
    raise ResourceNotFoundException("Field", field_id)
