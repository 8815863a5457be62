"""Seed the Connect Cases domain described by a YAML file (``data/connect_cases/domain.yaml``).

Seeding runs at every start and is idempotent: what the file describes is inserted or brought up
to date, created times never change and a modified time moves only when its record did. Cases are
never touched. Layout sections and required fields name fields by their names.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from sandbox.connect_cases.records import Domain, Field, FieldOption, Layout, Template, iso_now
from sandbox.connect_cases.store import Session, Store


class SeedError(ValueError):
    """The seed file does not describe a domain the stand-in can load."""


def seed_domain(store: Store, path: Path) -> str:
    """Load the domain of ``path`` into ``store``; return its id."""
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        with store.session() as session:
            return _seed(session, spec)
    except (KeyError, TypeError) as exc:
        raise SeedError(f"{path} is not a valid domain description: missing {exc}") from exc


def _seed(session: Session, spec: dict[str, Any]) -> str:
    now = iso_now()
    domain_id: str = spec["domain"]["domainId"]
    existing_domain = session.get_domain(domain_id)
    session.put_domain(
        Domain(
            domain_id=domain_id,
            name=spec["domain"]["name"],
            created_time=existing_domain.created_time if existing_domain else now,
        )
    )
    existing = {field.field_id: field for field in session.list_fields(domain_id)}
    declared = [(item, "System") for item in spec.get("system_fields") or []] + [
        (item, "Custom") for item in spec.get("custom_fields") or []
    ]
    ids_by_name: dict[str, str] = {}
    for position, (item, namespace) in enumerate(declared):
        field = Field(
            domain_id=domain_id,
            field_id=item["fieldId"],
            name=item["name"],
            type=item["type"],
            namespace=namespace,
            description=item.get("description"),
            created_time=now,
            last_modified_time=now,
            multiline=bool(item.get("multiline", False)),
        )
        session.put_field(_keep_times(field, existing.get(field.field_id)), position)
        ids_by_name[field.name] = field.field_id
        if "options" in item:
            session.put_options(domain_id, field.field_id, [_option(o) for o in item["options"]])
    layout_id = _seed_layout(session, domain_id, spec.get("layout"), ids_by_name, now)
    _seed_template(session, domain_id, spec["template"], layout_id, ids_by_name, now)
    return domain_id


def _seed_layout(
    session: Session,
    domain_id: str,
    spec: dict[str, Any] | None,
    ids_by_name: dict[str, str],
    now: str,
) -> str | None:
    if not spec:
        return None
    sections = {"topPanel": ("Top panel", "top_panel"), "moreInfo": ("More info", "more_info")}
    content = {
        "basic": {
            key: {
                "sections": [
                    {
                        "fieldGroup": {
                            "name": title,
                            "fields": [
                                {"id": _field_id(ids_by_name, name)}
                                for name in spec.get(yaml_key) or []
                            ],
                        }
                    }
                ]
            }
            for key, (title, yaml_key) in sections.items()
        }
    }
    layout = Layout(domain_id, spec["layoutId"], spec["name"], content, now, now)
    old = session.get_layout(domain_id, layout.layout_id)
    if old is not None:
        unchanged = (old.name, old.content) == (layout.name, layout.content)
        layout = replace(
            layout,
            created_time=old.created_time,
            last_modified_time=old.last_modified_time if unchanged else now,
        )
    session.put_layout(layout)
    return layout.layout_id


def _seed_template(
    session: Session,
    domain_id: str,
    spec: dict[str, Any],
    layout_id: str | None,
    ids_by_name: dict[str, str],
    now: str,
) -> None:
    template = Template(
        domain_id=domain_id,
        template_id=spec["templateId"],
        name=spec["name"],
        description=spec.get("description"),
        status=spec.get("status", "Active"),
        layout_id=layout_id,
        required_fields=[_field_id(ids_by_name, name) for name in spec.get("required") or []],
        created_time=now,
        last_modified_time=now,
    )
    old = session.get_template(domain_id, template.template_id)
    if old is not None:
        unchanged = _comparable(old) == _comparable(template)
        template = replace(
            template,
            created_time=old.created_time,
            last_modified_time=old.last_modified_time if unchanged else now,
        )
    session.put_template(template)


def _keep_times(field: Field, old: Field | None) -> Field:
    if old is None:
        return field
    unchanged = (old.name, old.type, old.namespace, old.description, old.multiline) == (
        field.name,
        field.type,
        field.namespace,
        field.description,
        field.multiline,
    )
    return replace(
        field,
        created_time=old.created_time,
        last_modified_time=old.last_modified_time if unchanged else field.last_modified_time,
    )


def _comparable(template: Template) -> tuple[object, ...]:
    return (
        template.name,
        template.description,
        template.status,
        template.layout_id,
        template.required_fields,
    )


def _option(item: Any) -> FieldOption:
    if isinstance(item, dict):
        value = str(item["value"])
        return FieldOption(str(item.get("name", value)), value, bool(item.get("active", True)))
    return FieldOption(str(item), str(item))


def _field_id(ids_by_name: dict[str, str], name: str) -> str:
    if name not in ids_by_name:
        raise SeedError(f"the seed names a field {name!r} it does not define")
    return ids_by_name[name]
