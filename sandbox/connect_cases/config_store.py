"""Reading and writing a domain's configuration: the domain, fields, options, layouts, templates."""

from __future__ import annotations

import json
import sqlite3

from sandbox.connect_cases.db import Queries, dump
from sandbox.connect_cases.records import Domain, Field, FieldOption, Layout, Template


class ConfigQueries(Queries):
    """Configuration queries over one open transaction."""

    def get_domain(self, domain_id: str) -> Domain | None:
        """Return the domain or ``None``."""
        row = self._one("SELECT * FROM domains WHERE domain_id = ?", domain_id)
        return None if row is None else _domain(row)

    def list_domains(self) -> list[Domain]:
        """Return every domain, oldest first."""
        rows = self._all("SELECT * FROM domains ORDER BY created_time, domain_id")
        return [_domain(row) for row in rows]

    def put_domain(self, domain: Domain) -> None:
        """Insert the domain or update its name and status."""
        self._conn.execute(
            "INSERT INTO domains (domain_id, name, status, created_time) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (domain_id) DO UPDATE SET name = excluded.name, status = excluded.status",
            (domain.domain_id, domain.name, domain.status, domain.created_time),
        )

    def list_fields(self, domain_id: str) -> list[Field]:
        """Return the domain's fields in their defined order."""
        rows = self._all("SELECT * FROM fields WHERE domain_id = ? ORDER BY position", domain_id)
        return [_field(row) for row in rows]

    def put_field(self, field: Field, position: int) -> None:
        """Insert the field or update its definition (its created time stays)."""
        self._conn.execute(
            "INSERT INTO fields (domain_id, field_id, position, name, type, namespace, description,"
            " created_time, last_modified_time, multiline) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (domain_id, field_id) DO UPDATE SET position = excluded.position,"
            " name = excluded.name, type = excluded.type, namespace = excluded.namespace,"
            " description = excluded.description, last_modified_time = excluded.last_modified_time,"
            " multiline = excluded.multiline",
            (
                field.domain_id,
                field.field_id,
                position,
                field.name,
                field.type,
                field.namespace,
                field.description,
                field.created_time,
                field.last_modified_time,
                int(field.multiline),
            ),
        )

    def list_options(self, domain_id: str, field_id: str) -> list[FieldOption]:
        """Return a single-select field's options in their defined order."""
        rows = self._all(
            "SELECT * FROM field_options WHERE domain_id = ? AND field_id = ? ORDER BY position",
            domain_id,
            field_id,
        )
        return [FieldOption(row["name"], row["value"], bool(row["active"])) for row in rows]

    def put_options(self, domain_id: str, field_id: str, options: list[FieldOption]) -> None:
        """Make ``options`` the field's options; options no longer listed become inactive."""
        self._conn.execute(
            "UPDATE field_options SET active = 0 WHERE domain_id = ? AND field_id = ?",
            (domain_id, field_id),
        )
        for position, option in enumerate(options):
            self._conn.execute(
                "INSERT INTO field_options (domain_id, field_id, position, value, name, active)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (domain_id, field_id, value) DO UPDATE SET"
                " position = excluded.position, name = excluded.name, active = excluded.active",
                (domain_id, field_id, position, option.value, option.name, int(option.active)),
            )

    def add_options(self, domain_id: str, field_id: str, options: list[FieldOption]) -> None:
        """Insert or update ``options``; new ones go last, options not listed stay as they are."""
        row = self._one(
            "SELECT MAX(position) AS last FROM field_options WHERE domain_id = ? AND field_id = ?",
            domain_id,
            field_id,
        )
        last = row["last"] if row is not None and row["last"] is not None else -1
        for offset, option in enumerate(options, start=1):
            self._conn.execute(
                "INSERT INTO field_options (domain_id, field_id, position, value, name, active)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (domain_id, field_id, value) DO UPDATE SET"
                " name = excluded.name, active = excluded.active",
                (domain_id, field_id, last + offset, option.value, option.name, int(option.active)),
            )

    def list_layouts(self, domain_id: str) -> list[Layout]:
        """Return the domain's layouts, oldest first."""
        rows = self._all(
            "SELECT * FROM layouts WHERE domain_id = ? ORDER BY created_time, layout_id", domain_id
        )
        return [_layout(row) for row in rows]

    def get_layout(self, domain_id: str, layout_id: str) -> Layout | None:
        """Return the layout or ``None``."""
        row = self._one(
            "SELECT * FROM layouts WHERE domain_id = ? AND layout_id = ?", domain_id, layout_id
        )
        return None if row is None else _layout(row)

    def put_layout(self, layout: Layout) -> None:
        """Insert the layout or update it (its created time stays)."""
        self._conn.execute(
            "INSERT INTO layouts (domain_id, layout_id, name, content, created_time,"
            " last_modified_time) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (domain_id, layout_id)"
            " DO UPDATE SET name = excluded.name, content = excluded.content,"
            " last_modified_time = excluded.last_modified_time",
            (
                layout.domain_id,
                layout.layout_id,
                layout.name,
                dump(layout.content),
                layout.created_time,
                layout.last_modified_time,
            ),
        )

    def get_template(self, domain_id: str, template_id: str) -> Template | None:
        """Return the template or ``None``."""
        row = self._one(
            "SELECT * FROM templates WHERE domain_id = ? AND template_id = ?",
            domain_id,
            template_id,
        )
        return None if row is None else _template(row)

    def list_templates(self, domain_id: str) -> list[Template]:
        """Return the domain's templates, oldest first."""
        rows = self._all(
            "SELECT * FROM templates WHERE domain_id = ? ORDER BY created_time, template_id",
            domain_id,
        )
        return [_template(row) for row in rows]

    def put_template(self, template: Template) -> None:
        """Insert the template or update it (its created time stays)."""
        self._conn.execute(
            "INSERT INTO templates (domain_id, template_id, name, description, status, layout_id,"
            " required_fields, created_time, last_modified_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (domain_id, template_id) DO UPDATE SET name = excluded.name,"
            " description = excluded.description, status = excluded.status,"
            " layout_id = excluded.layout_id, required_fields = excluded.required_fields,"
            " last_modified_time = excluded.last_modified_time",
            (
                template.domain_id,
                template.template_id,
                template.name,
                template.description,
                template.status,
                template.layout_id,
                dump(template.required_fields),
                template.created_time,
                template.last_modified_time,
            ),
        )


def _domain(row: sqlite3.Row) -> Domain:
    return Domain(row["domain_id"], row["name"], row["created_time"], row["status"])


def _field(row: sqlite3.Row) -> Field:
    return Field(
        domain_id=row["domain_id"],
        field_id=row["field_id"],
        name=row["name"],
        type=row["type"],
        namespace=row["namespace"],
        description=row["description"],
        created_time=row["created_time"],
        last_modified_time=row["last_modified_time"],
        multiline=bool(row["multiline"]),
    )


def _layout(row: sqlite3.Row) -> Layout:
    return Layout(
        domain_id=row["domain_id"],
        layout_id=row["layout_id"],
        name=row["name"],
        content=json.loads(row["content"]),
        created_time=row["created_time"],
        last_modified_time=row["last_modified_time"],
    )


def _template(row: sqlite3.Row) -> Template:
    return Template(
        domain_id=row["domain_id"],
        template_id=row["template_id"],
        name=row["name"],
        description=row["description"],
        status=row["status"],
        layout_id=row["layout_id"],
        required_fields=json.loads(row["required_fields"]),
        created_time=row["created_time"],
        last_modified_time=row["last_modified_time"],
    )
